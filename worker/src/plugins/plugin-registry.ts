import type { ConnectorPlugin, Plugin, PluginModule, PluginType } from '@sluice/core';
import { NotFoundError } from '@sluice/core';

type PluginOf<T extends PluginType> = Extract<Plugin, { type: T }>;

/**
 * Resolves plugins by canonical id or alias. Connector aliases follow Kafka Connect: the simple class
 * name, with or without a trailing `Connector`, is accepted as well as the declared aliases.
 */
export class PluginRegistry {
  private readonly plugins: Plugin[] = [];
  private readonly byName = new Map<string, Plugin[]>();

  register(...plugins: readonly Plugin[]): this {
    for (const plugin of plugins) {
      if (this.plugins.some((p) => p.className === plugin.className && p.type === plugin.type)) continue;
      this.plugins.push(plugin);
      for (const name of namesOf(plugin)) {
        const list = this.byName.get(name) ?? [];
        list.push(plugin);
        this.byName.set(name, list);
      }
    }
    return this;
  }

  /** Loads a plugin package or file (`plugin.path` entries): it must export `plugins`. */
  async load(specifier: string): Promise<void> {
    const mod = (await import(specifier)) as Partial<PluginModule>;
    if (!Array.isArray(mod.plugins)) {
      throw new Error(`Plugin module ${specifier} does not export a 'plugins' array`);
    }
    this.register(...mod.plugins);
  }

  all(): readonly Plugin[] {
    return this.plugins;
  }

  find<T extends PluginType>(name: string, ...types: T[]): PluginOf<T> | undefined {
    const candidates = this.byName.get(name.trim()) ?? [];
    return candidates.find((p) => types.length === 0 || (types as PluginType[]).includes(p.type)) as
      | PluginOf<T>
      | undefined;
  }

  connector(name: string): ConnectorPlugin {
    const plugin = this.find(name, 'source', 'sink');
    if (!plugin) {
      throw new NotFoundError(
        `Failed to find any class that implements Connector and which name matches ${name}; ` +
          `available connectors: ${this.plugins
            .filter((p) => p.type === 'source' || p.type === 'sink')
            .map((p) => p.className)
            .join(', ')}`,
      );
    }
    return plugin;
  }
}

function namesOf(plugin: Plugin): string[] {
  const names = new Set<string>([plugin.className, ...(plugin.aliases ?? [])]);
  const simple = plugin.className.slice(plugin.className.lastIndexOf('.') + 1);
  names.add(simple);
  if (plugin.type === 'source' || plugin.type === 'sink') {
    if (simple.endsWith('Connector')) names.add(simple.slice(0, -'Connector'.length));
  }
  return [...names];
}
