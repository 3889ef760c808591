import type { Converter, HeaderConverter } from '@sluice/core';
import { ConfigValidationError } from '@sluice/core';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import { withPrefix } from './transformation-chain.js';

export interface ConverterSet {
  key: Converter;
  value: Converter;
  header: HeaderConverter;
}

/**
 * Builds a connector's converters: `key.converter` / `value.converter` / `header.converter` from the
 * connector config, else the worker's; settings under the same prefix (`value.converter.schemas.enable`)
 * with the connector's overriding the worker's.
 */
export function buildConverters(
  registry: PluginRegistry,
  workerConfig: Readonly<Record<string, string>>,
  connectorConfig: Readonly<Record<string, string>>,
): ConverterSet {
  const make = (role: 'key' | 'value'): Converter => {
    const prefix = `${role}.converter`;
    const name = connectorConfig[prefix] ?? workerConfig[prefix] ?? 'org.apache.kafka.connect.json.JsonConverter';
    const plugin = registry.find(name, 'converter');
    if (!plugin) {
      throw new ConfigValidationError(`Unknown converter ${name} for ${prefix}`, [
        { name: prefix, errors: [`Unknown converter ${name}`] },
      ]);
    }
    const converter = plugin.create();
    const settings =
      connectorConfig[prefix] !== undefined
        ? withPrefix(connectorConfig, `${prefix}.`)
        : { ...withPrefix(workerConfig, `${prefix}.`), ...withPrefix(connectorConfig, `${prefix}.`) };
    converter.configure(settings, role === 'key');
    return converter;
  };
  const headerName =
    connectorConfig['header.converter'] ?? workerConfig['header.converter'] ?? 'org.apache.kafka.connect.storage.SimpleHeaderConverter';
  const headerPlugin = registry.find(headerName, 'header_converter');
  if (!headerPlugin) {
    throw new ConfigValidationError(`Unknown header converter ${headerName}`, [
      { name: 'header.converter', errors: [`Unknown header converter ${headerName}`] },
    ]);
  }
  const header = headerPlugin.create();
  header.configure({ ...withPrefix(workerConfig, 'header.converter.'), ...withPrefix(connectorConfig, 'header.converter.') });
  return { key: make('key'), value: make('value'), header };
}
