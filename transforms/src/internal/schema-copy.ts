import { SchemaBuilder, type Schema } from '@sluice/core';

/**
 * Copies name, version, doc and parameters of `source` onto `builder` (Kafka Connect's
 * `SchemaUtil.copySchemaBasics`): optionality, default and fields are deliberately left to the caller.
 */
export function copySchemaBasics(source: Schema, builder: SchemaBuilder): SchemaBuilder {
  if (source.name !== undefined) builder.name(source.name);
  if (source.version !== undefined) builder.version(source.version);
  if (source.doc !== undefined) builder.doc(source.doc);
  if (source.parameters !== undefined) builder.parameters(source.parameters);
  return builder;
}

/** A builder of the same type as `source` (element/key/value schemas included) with its basics copied. */
export function builderLike(source: Schema): SchemaBuilder {
  const builder =
    source.type === 'array' ? SchemaBuilder.array(source.valueSchema as Schema)
    : source.type === 'map' ? SchemaBuilder.map(source.keySchema as Schema, source.valueSchema as Schema)
    : SchemaBuilder.type(source.type);
  return copySchemaBasics(source, builder);
}
