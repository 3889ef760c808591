import { DataError, isStruct, type AnyRecord, type Schema, type SinkRecord, type Struct } from '@sluice/core';
import { isMapValue, type MapValue } from './map-value.js';
import { typeName } from './type-name.js';

// Messages name the transform's purpose and the offending type, never the value (it is payload).

/** @throws DataError unless `value` is a Struct. */
export function requireStruct(value: unknown, purpose: string): Struct {
  if (!isStruct(value)) throw new DataError(`Only Struct values are supported for [${purpose}], found: ${typeName(value)}`);
  return value;
}

/** null passes through; anything else must be a Struct. */
export function requireStructOrNull(value: unknown, purpose: string): Struct | null {
  return value === null || value === undefined ? null : requireStruct(value, purpose);
}

/** @throws DataError unless `value` is a Map or plain object (the schemaless form of a struct). */
export function requireMap(value: unknown, purpose: string): MapValue {
  if (!isMapValue(value)) {
    throw new DataError(`Only Map values are supported in absence of schema for [${purpose}], found: ${typeName(value)}`);
  }
  return value;
}

/** null passes through; anything else must be a Map or plain object. */
export function requireMapOrNull(value: unknown, purpose: string): MapValue | null {
  return value === null || value === undefined ? null : requireMap(value, purpose);
}

/** @throws DataError when the record side has no schema. */
export function requireSchema(schema: Schema | null, purpose: string): Schema {
  if (schema === null || schema === undefined) throw new DataError(`Schema required for [${purpose}]`);
  return schema;
}

/** @throws DataError for a source record (only sink records have a Kafka offset). */
export function requireSinkRecord(record: AnyRecord, purpose: string): SinkRecord {
  if (record.kind !== 'sink') throw new DataError(`Only sink records are supported for [${purpose}], found: a ${record.kind} record`);
  return record;
}
