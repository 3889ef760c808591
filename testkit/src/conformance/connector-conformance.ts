import {
  countErrors,
  describeConfig,
  validateConfig,
  type ConfigValidationResult,
  type Connector,
  type ConnectorContext,
  type ConnectorPlugin,
} from '@sluice/core';
import { CapturingLogger } from '../logging/capturing-logger.js';

/** The matchers the conformance suite uses; vitest's (and jest's) `expect` satisfies this. */
export interface ConformanceMatchers {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toMatch(expected: RegExp): void;
  toContain(item: unknown): void;
  toBeGreaterThanOrEqual(expected: number): void;
  toBeLessThanOrEqual(expected: number): void;
  readonly not: ConformanceMatchers;
}

/** The test-runner functions the suite is registered with (pass vitest's own). */
export interface ConformanceOptions {
  /** A config (as on the wire: all strings) that the connector must accept and start with. */
  readonly validConfig: Record<string, string>;
  readonly describe: (name: string, body: () => void) => void;
  readonly it: (name: string, body: () => Promise<void> | void) => void;
  readonly expect: (actual: unknown, message?: string) => ConformanceMatchers;
}

// semver 2.0.0, with optional pre-release and build metadata
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/**
 * Registers the shared conformance suite for one connector plugin: every connector package runs it
 * from its own tests, e.g.
 *
 * ```ts
 * import { describe, it, expect } from 'vitest';
 * connectorConformance(myPlugin, { validConfig: { topic: 't' }, describe, it, expect });
 * ```
 *
 * It checks what the runtime and REST API rely on without touching external systems: plugin metadata,
 * the config schema, validation results for `{}` and for `validConfig`, `start` + `taskConfigs`,
 * idempotent `stop`, and that a task can be stopped without being started. `validConfig` must let
 * `start` and `taskConfigs` succeed offline; connectors that connect in `start` should pass a config
 * pointing at a local test service.
 */
export function connectorConformance(plugin: ConnectorPlugin, options: ConformanceOptions): void {
  const { describe, it, expect, validConfig } = options;

  describe(`connector conformance: ${plugin.className}`, () => {
    it('declares a canonical class name, unique aliases, its type and a semver version', () => {
      expect(typeof plugin.className).toBe('string');
      expect(plugin.className, 'className must be a non-empty id without whitespace').toMatch(/^\S+$/);
      const aliases = plugin.aliases ?? [];
      for (const alias of aliases) {
        expect(alias, 'aliases must be non-empty and without whitespace').toMatch(/^\S+$/);
        expect(alias, 'an alias must differ from the class name').not.toBe(plugin.className);
      }
      expect(new Set(aliases).size, 'aliases must be unique').toBe(aliases.length);
      expect(['source', 'sink']).toContain(plugin.type);
      expect(plugin.version, 'plugin.version must be semver').toMatch(SEMVER);
    });

    it('creates connectors of the declared type that report the plugin version', () => {
      const connector = plugin.create();
      expect(connector.type).toBe(plugin.type);
      expect(connector.version(), 'connector.version() must match plugin.version').toBe(plugin.version);
      expect(plugin.create(), 'create() must return a fresh instance each call').not.toBe(connector);
    });

    it('exposes an object config schema that describeConfig can describe', () => {
      const schema = plugin.create().configSchema();
      expect(schema.type).toBe('object');
      expect(typeof schema.properties).toBe('object');
      const keys = Object.keys(schema.properties);
      for (const key of schema.required ?? []) {
        expect(keys, `required key ${key} must be declared in properties`).toContain(key);
      }
      const described = describeConfig(schema).map((d) => d.name);
      expect([...described].sort()).toEqual([...keys].sort());
      for (const [key, property] of Object.entries(schema.properties)) {
        expect(typeof property.description, `config key ${key} must have a description`).toBe('string');
      }
    });

    it('validates an empty config without throwing and reports every required key', async () => {
      const connector = plugin.create();
      const schema = connector.configSchema();
      const result = validateConfig(schema, {});
      for (const key of schema.required ?? []) {
        expect(errorsFor(result, key).length, `required key ${key} must be reported as missing`).toBeGreaterThanOrEqual(
          1,
        );
      }
      if (connector.validate !== undefined) {
        const extra = await connector.validate({});
        expect(Array.isArray(extra.configs), 'validate() must resolve to a result with configs').toBe(true);
      }
    });

    it('accepts the valid config with zero errors', async () => {
      const connector = plugin.create();
      const schema = connector.configSchema();
      const result = validateConfig(schema, validConfig);
      expect(countErrors(result), describeErrors(result)).toBe(0);
      if (connector.validate !== undefined) {
        const extra = await connector.validate(validConfig);
        expect(countErrors(extra), describeErrors(extra)).toBe(0);
      }
    });

    for (const maxTasks of [1, 2, 3]) {
      it(`starts and splits work into 1..${maxTasks} task configs when tasks.max=${maxTasks}`, async () => {
        const { connector, raised } = initialized(plugin);
        try {
          await connector.start(validConfig);
          const configs = await connector.taskConfigs(maxTasks);
          expect(configs.length).toBeGreaterThanOrEqual(1);
          expect(configs.length).toBeLessThanOrEqual(maxTasks);
          for (const config of configs) {
            for (const value of Object.values(config))
              expect(typeof value, 'task config values must be strings').toBe('string');
          }
        } finally {
          await connector.stop();
        }
        expect(raised.map((e) => e.message)).toEqual([]);
      });
    }

    it('stops idempotently, including concurrent and repeated calls', async () => {
      const { connector } = initialized(plugin);
      await connector.start(validConfig);
      await Promise.all([connector.stop(), connector.stop()]);
      await connector.stop();
    });

    it('creates tasks that can be stopped without being started', async () => {
      const connector = plugin.create();
      const task = connector.createTask();
      expect(typeof task.start).toBe('function');
      expect(typeof task.stop).toBe('function');
      expect(
        typeof (plugin.type === 'source' ? (task as { poll?: unknown }).poll : (task as { put?: unknown }).put),
      ).toBe('function');
      await task.stop();
    });
  });
}

function initialized(plugin: ConnectorPlugin): { connector: Connector; raised: Error[] } {
  const connector = plugin.create();
  const raised: Error[] = [];
  const context: ConnectorContext = {
    connectorName: 'conformance',
    logger: new CapturingLogger({ connector: 'conformance' }),
    requestTaskReconfiguration() {},
    raiseError(error) {
      raised.push(error);
    },
  };
  connector.initialize?.(context);
  return { connector, raised };
}

function errorsFor(result: ConfigValidationResult, key: string): string[] {
  return result.configs.filter((c) => c.name === key).flatMap((c) => c.errors);
}

function describeErrors(result: ConfigValidationResult): string {
  const bad = result.configs.filter((c) => c.errors.length > 0).map((c) => `${c.name}: ${c.errors.join('; ')}`);
  return bad.length === 0 ? 'no errors' : `config errors: ${bad.join(' | ')}`;
}
