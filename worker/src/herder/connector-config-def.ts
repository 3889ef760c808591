import type { ConfigInfos, ConfigKeyInfo, ConfigValueInfo } from '@sluice/api';
import type { ConfigKeyDefinition, ConfigSchema, ConfigValidationResult, Connector, ConnectorPlugin } from '@sluice/core';
import { describeConfig, validateConfig } from '@sluice/core';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import { listValue, withPrefix } from '../pipeline/transformation-chain.js';

const common: ConfigSchema = {
  type: 'object',
  properties: {
    name: {
      type: 'string',
      minLength: 1,
      pattern: '^[^\\u0000-\\u001f\\u007f]+$',
      description: 'Globally unique name to use for this connector.',
      'x-group': 'Common',
      'x-order': 1,
      'x-importance': 'HIGH',
      'x-display-name': 'Connector name',
    },
    'connector.class': {
      type: 'string',
      minLength: 1,
      description:
        'Name or alias of the connector class, e.g. org.apache.kafka.connect.file.FileStreamSinkConnector, FileStreamSink or FileStreamSinkConnector.',
      'x-group': 'Common',
      'x-order': 2,
      'x-importance': 'HIGH',
      'x-display-name': 'Connector class',
      'x-type': 'STRING',
    },
    'tasks.max': {
      type: 'integer',
      minimum: 1,
      default: 1,
      description: 'Maximum number of tasks to use for this connector.',
      'x-group': 'Common',
      'x-order': 3,
      'x-importance': 'HIGH',
      'x-display-name': 'Tasks max',
    },
    'key.converter': {
      type: 'string',
      description: 'Converter class for record keys; overrides the worker default.',
      'x-group': 'Common',
      'x-order': 5,
      'x-importance': 'LOW',
      'x-type': 'CLASS',
    },
    'value.converter': {
      type: 'string',
      description: 'Converter class for record values; overrides the worker default.',
      'x-group': 'Common',
      'x-order': 6,
      'x-importance': 'LOW',
      'x-type': 'CLASS',
    },
    'header.converter': {
      type: 'string',
      description: 'HeaderConverter class for record headers; overrides the worker default.',
      'x-group': 'Common',
      'x-order': 7,
      'x-importance': 'LOW',
      'x-type': 'CLASS',
    },
    transforms: {
      type: 'string',
      default: '',
      description: 'Aliases for the transformations to apply to records, in order.',
      'x-group': 'Transforms',
      'x-order': 1,
      'x-importance': 'LOW',
      'x-type': 'LIST',
    },
    predicates: {
      type: 'string',
      default: '',
      description: 'Aliases for the predicates used by transformations.',
      'x-group': 'Predicates',
      'x-order': 1,
      'x-importance': 'LOW',
      'x-type': 'LIST',
    },
    'errors.retry.timeout': {
      type: 'integer',
      minimum: -1,
      default: 0,
      description: 'Maximum duration in ms a failed operation is retried; 0 = no retries, -1 = infinite.',
      'x-group': 'Error Handling',
      'x-order': 1,
      'x-type': 'LONG',
    },
    'errors.retry.delay.max.ms': {
      type: 'integer',
      minimum: 1,
      default: 60000,
      description: 'Maximum duration in ms between consecutive retry attempts.',
      'x-group': 'Error Handling',
      'x-order': 2,
      'x-type': 'LONG',
    },
    'errors.tolerance': {
      type: 'string',
      enum: ['none', 'all'],
      default: 'none',
      description: "Behaviour for tolerating errors: 'none' fails the task, 'all' skips problematic records.",
      'x-group': 'Error Handling',
      'x-order': 3,
    },
    'errors.log.enable': {
      type: 'boolean',
      default: false,
      description: 'Log each failed operation and problematic record.',
      'x-group': 'Error Handling',
      'x-order': 4,
    },
    'errors.log.include.messages': {
      type: 'boolean',
      default: false,
      description: 'Include the record (topic, partition, offset, key, value) in error logs.',
      'x-group': 'Error Handling',
      'x-order': 5,
    },
  },
  required: ['name', 'connector.class'],
};

const sinkOnly: ConfigSchema = {
  type: 'object',
  properties: {
    topics: {
      type: 'string',
      default: '',
      description: 'Comma-separated topics to consume. Exactly one of topics / topics.regex.',
      'x-group': 'Common',
      'x-order': 4,
      'x-importance': 'HIGH',
      'x-type': 'LIST',
    },
    'topics.regex': {
      type: 'string',
      default: '',
      description: 'Regular expression of topics to consume. Exactly one of topics / topics.regex.',
      'x-group': 'Common',
      'x-order': 4,
      'x-importance': 'HIGH',
    },
    'errors.deadletterqueue.topic.name': {
      type: 'string',
      default: '',
      description: 'Topic to write records that failed conversion or transformation to; empty disables the DLQ.',
      'x-group': 'Error Handling',
      'x-order': 6,
    },
    'errors.deadletterqueue.topic.replication.factor': {
      type: 'integer',
      default: 3,
      description: 'Replication factor used when creating the dead letter queue topic.',
      'x-group': 'Error Handling',
      'x-order': 7,
      'x-type': 'SHORT',
    },
    'errors.deadletterqueue.context.headers.enable': {
      type: 'boolean',
      default: false,
      description: 'Add __connect.errors.* headers with the failure context to dead letter queue records.',
      'x-group': 'Error Handling',
      'x-order': 8,
    },
  },
};

const sourceOnly: ConfigSchema = {
  type: 'object',
  properties: {
    'exactly.once.support': {
      type: 'string',
      enum: ['requested', 'required'],
      default: 'requested',
      description: "Whether exactly-once delivery is required ('required' fails the task where the worker cannot provide it).",
      'x-group': 'Exactly Once Support',
      'x-order': 1,
    },
    'transaction.boundary': {
      type: 'string',
      enum: ['poll', 'interval', 'connector'],
      default: 'poll',
      description:
        "Transaction boundaries for exactly-once sources: one per poll() batch, one per 'transaction.boundary.interval.ms', or defined by the connector (its TransactionContext).",
      'x-group': 'Exactly Once Support',
      'x-order': 2,
    },
    'transaction.boundary.interval.ms': {
      type: 'integer',
      minimum: 0,
      description: 'Transaction length with transaction.boundary=interval (default: offset.flush.interval.ms).',
      'x-group': 'Exactly Once Support',
      'x-order': 3,
      'x-type': 'LONG',
    },
    'offsets.storage.topic': {
      type: 'string',
      // a legal Kafka topic name
      pattern: '^[A-Za-z0-9._-]{1,249}$',
      description:
        "The connector's own offsets topic (created compacted when missing). Offsets are read from it first, then from the worker's offsets topic for partitions it has not written; writes go to it (inside exactly-once transactions) and are copied to the worker's topic.",
      'x-group': 'Offsets Topic',
      'x-order': 1,
    },
  },
};

/** The framework's own keys for a connector of the given type (Kafka Connect's ConnectorConfig family). */
export function frameworkSchema(type: 'source' | 'sink' | 'unknown'): ConfigSchema {
  if (type === 'source') {
    return { type: 'object', properties: { ...common.properties, ...sourceOnly.properties }, required: [...(common.required ?? [])] };
  }
  if (type !== 'sink') return common;
  return {
    type: 'object',
    properties: { ...common.properties, ...sinkOnly.properties },
    required: [...(common.required ?? [])],
  };
}

function toKeyInfo(d: ConfigKeyDefinition): ConfigKeyInfo {
  return {
    name: d.name,
    type: d.type,
    required: d.required,
    default_value: d.defaultValue,
    importance: d.importance,
    documentation: d.documentation,
    group: d.group,
    order: d.order,
    width: d.width,
    display_name: d.displayName,
    dependents: d.dependents,
  };
}

function toValueInfo(v: ConfigValidationResult['configs'][number]): ConfigValueInfo {
  return { name: v.name, value: v.value, recommended_values: v.recommendedValues, errors: v.errors, visible: v.visible };
}

/** Secret keys of a config: every `x-secret` key of the connector's schema. */
export function secretKeys(plugin: ConnectorPlugin | undefined, connector?: Connector): string[] {
  if (!plugin) return [];
  const schema = (connector ?? plugin.create()).configSchema();
  return Object.entries(schema.properties)
    .filter(([, p]) => p['x-secret'] === true)
    .map(([k]) => k);
}

/**
 * Validates a connector config the way the validate endpoint reports it (reference §1.3 ConfigInfos):
 * framework keys, the connector's schema and its own `validate`, transforms and predicates.
 */
export async function validateConnectorConfig(
  registry: PluginRegistry,
  config: Record<string, string>,
): Promise<{ infos: ConfigInfos; plugin: ConnectorPlugin | undefined }> {
  const className = config['connector.class'] ?? '';
  const plugin = className ? registry.find(className, 'source', 'sink') : undefined;
  const type = plugin?.type ?? 'unknown';
  const framework = frameworkSchema(type);
  const entries: ConfigInfos['configs'] = [];
  const groups = new Set<string>(['Common', 'Transforms', 'Predicates', 'Error Handling']);
  const add = (schema: ConfigSchema, result: ConfigValidationResult) => {
    const defs = new Map(describeConfig(schema).map((d) => [d.name, d]));
    for (const d of defs.values()) if (d.group) groups.add(d.group);
    for (const v of result.configs) {
      const d = defs.get(v.name);
      entries.push({ definition: d ? toKeyInfo(d) : null, value: toValueInfo(v) });
    }
  };
  const frameworkResult = validateConfig(framework, config);
  if (className && !plugin) {
    const entry = frameworkResult.configs.find((c) => c.name === 'connector.class');
    const message = `Failed to find any class that implements Connector and which name matches ${className}; check the spelling or the plugin path (GET /connector-plugins lists what is installed)`;
    if (entry) entry.errors.push(message);
  }
  if (type === 'sink') {
    const topics = listValue(config['topics']);
    const regex = (config['topics.regex'] ?? '').trim();
    const t = frameworkResult.configs.find((c) => c.name === 'topics');
    if (topics.length > 0 && regex !== '') t?.errors.push('Must configure one of topics or topics.regex, not both');
    if (topics.length === 0 && regex === '') t?.errors.push('Must configure one of topics or topics.regex');
    if (regex !== '') {
      try {
        new RegExp(regex);
      } catch (err) {
        frameworkResult.configs.find((c) => c.name === 'topics.regex')?.errors.push(`Invalid regular expression: ${String(err)}`);
      }
    }
    const dlq = (config['errors.deadletterqueue.topic.name'] ?? '').trim();
    if (dlq !== '' && topics.includes(dlq)) {
      frameworkResult.configs
        .find((c) => c.name === 'errors.deadletterqueue.topic.name')
        ?.errors.push(`The DLQ topic '${dlq}' may not be included in the list of topics consumed by the connector`);
    }
  }
  add(framework, frameworkResult);
  // Transforms and predicates: every alias needs a resolvable type.
  for (const [kind, pluginType] of [
    ['transforms', 'transformation'],
    ['predicates', 'predicate'],
  ] as const) {
    const aliases = listValue(config[kind]);
    const seen = new Set<string>();
    for (const alias of aliases) {
      const key = `${kind}.${alias}.type`;
      const errors: string[] = [];
      if (seen.has(alias)) errors.push(`Duplicate alias provided: ${alias}`);
      seen.add(alias);
      const typeName = config[key];
      if (!typeName) errors.push(`Missing required configuration "${key}" which has no default value.`);
      else if (!registry.find(typeName, pluginType)) errors.push(`Class ${typeName} could not be found (not a known ${pluginType}).`);
      const p = typeName ? registry.find(typeName, pluginType) : undefined;
      if (p?.configSchema) {
        const sub = validateConfig(p.configSchema(), withPrefix(config, `${kind}.${alias}.`));
        for (const v of sub.configs) {
          entries.push({ definition: null, value: toValueInfo({ ...v, name: `${kind}.${alias}.${v.name}` }) });
        }
      }
      if (kind === 'transforms') {
        const predicate = config[`transforms.${alias}.predicate`];
        if (predicate && !listValue(config['predicates']).includes(predicate)) {
          errors.push(`Predicate alias ${predicate} is not declared in predicates`);
        }
        if (!predicate && config[`transforms.${alias}.negate`] !== undefined) {
          errors.push(`transforms.${alias}.negate is set but no predicate is configured`);
        }
      }
      entries.push({
        definition: null,
        value: { name: key, value: typeName ?? null, recommended_values: [], errors, visible: true },
      });
    }
  }
  if (plugin) {
    const connector = plugin.create();
    const schema = connector.configSchema();
    // Keys the framework already owns are validated once, by the framework.
    const own: ConfigSchema = {
      ...schema,
      properties: Object.fromEntries(Object.entries(schema.properties).filter(([k]) => !(k in framework.properties))),
      required: (schema.required ?? []).filter((k) => !(k in framework.properties)),
    };
    const result = validateConfig(own, config);
    if (connector.validate) {
      try {
        const extra = await connector.validate(config);
        for (const v of extra.configs) {
          const existing = result.configs.find((c) => c.name === v.name);
          if (existing) existing.errors.push(...v.errors.filter((e) => !existing.errors.includes(e)));
          else result.configs.push(v);
        }
      } catch (err) {
        result.configs.push({
          name: 'connector.class',
          value: className,
          recommendedValues: [],
          errors: [`Connector validation failed: ${err instanceof Error ? err.message : String(err)}`],
          visible: true,
        });
      }
    }
    add(own, result);
  }
  const errorCount = entries.reduce((n, e) => n + (e.value?.errors.length ?? 0), 0);
  return { infos: { name: className, error_count: errorCount, groups: [...groups], configs: entries }, plugin };
}

/** Kafka Connect's message for a config that failed validation on create/update. */
export function invalidConfigMessage(infos: ConfigInfos): string {
  const errors = infos.configs.flatMap((c) => (c.value ? c.value.errors.map((e) => `${c.value!.name}: ${e}`) : []));
  const type = infos.name.slice(infos.name.lastIndexOf('.') + 1) || 'connector';
  return (
    `Connector configuration is invalid and contains the following ${errors.length} error(s):\n${errors.join('\n')}\n` +
    `You can also find the above list of errors at the endpoint \`/connector-plugins/${type}/config/validate\``
  );
}
