import type { ConfigSchema, Predicate, PredicatePlugin, Transformation, TransformationPlugin } from '@sluice/core';
import type { RecordSide } from './sided-transformation.js';
import { KAFKA_TRANSFORMS_PACKAGE, TRANSFORMS_VERSION } from './version.js';

/** A transformation plugin with Kafka Connect's class name (`simpleName`, e.g. `RegexRouter`). */
export function transformationPlugin(simpleName: string, schema: ConfigSchema, create: () => Transformation): TransformationPlugin {
  return Object.freeze({
    type: 'transformation' as const,
    className: `${KAFKA_TRANSFORMS_PACKAGE}.${simpleName}`,
    aliases: Object.freeze([simpleName]),
    version: TRANSFORMS_VERSION,
    configSchema: () => schema,
    create,
  });
}

/** The `$Key` and `$Value` plugins of a sided transform, in that order. */
export function sidedPlugins(
  simpleName: string,
  schema: ConfigSchema,
  create: (side: RecordSide) => Transformation,
): readonly [TransformationPlugin, TransformationPlugin] {
  return [
    transformationPlugin(`${simpleName}$Key`, schema, () => create('key')),
    transformationPlugin(`${simpleName}$Value`, schema, () => create('value')),
  ];
}

/** A predicate plugin with Kafka Connect's class name under `…transforms.predicates`. */
export function predicatePlugin(simpleName: string, schema: ConfigSchema, create: () => Predicate): PredicatePlugin {
  return Object.freeze({
    type: 'predicate' as const,
    className: `${KAFKA_TRANSFORMS_PACKAGE}.predicates.${simpleName}`,
    aliases: Object.freeze([simpleName]),
    version: TRANSFORMS_VERSION,
    configSchema: () => schema,
    create,
  });
}
