import { Decimal, Struct, type Schema } from '@sluice/core';
import { SemanticTypes } from './column-mapping.js';

/** Debezium's `unavailable.value.placeholder` default, used for unchanged TOASTed values. */
export const UNAVAILABLE_VALUE_PLACEHOLDER = '__debezium_unavailable_value';

/**
 * The value standing in for an unchanged TOASTed column (pgoutput tuple kind `u`), as Debezium
 * renders it: the placeholder text for strings, its UTF-8 bytes for bytes, a one-element array for
 * arrays of strings or bytes. Types that cannot hold the placeholder get null when optional, else
 * their zero value (`zeroValue`).
 */
export function unavailableValue(schema: Schema, placeholder = UNAVAILABLE_VALUE_PLACEHOLDER): unknown {
  if (
    schema.name === undefined ||
    schema.name === SemanticTypes.JSON ||
    schema.name === SemanticTypes.XML ||
    schema.name === SemanticTypes.ENUM
  ) {
    if (schema.type === 'string') return placeholder;
    if (schema.type === 'bytes') return Buffer.from(placeholder, 'utf8');
    if (schema.type === 'array' && schema.valueSchema !== undefined) {
      const element = unavailableValue(schema.valueSchema, placeholder);
      if (typeof element === 'string' || element instanceof Uint8Array) return [element];
    }
  }
  return schema.optional ? null : zeroValue(schema);
}

/**
 * The neutral value of a required field that PostgreSQL did not send (the non-key columns of a
 * REPLICA IDENTITY DEFAULT old tuple): 0, false, '', empty bytes or array, the epoch. Debezium emits
 * the same so that `before` still fits the row schema.
 */
export function zeroValue(schema: Schema): unknown {
  switch (schema.name) {
    case Decimal.LOGICAL_NAME:
      return { unscaled: 0n, scale: Decimal.scaleOf(schema) };
    case 'org.apache.kafka.connect.data.Date':
    case 'org.apache.kafka.connect.data.Time':
    case 'org.apache.kafka.connect.data.Timestamp':
      return new Date(0);
    case SemanticTypes.VARIABLE_SCALE_DECIMAL:
      return new Struct(schema).put('scale', 0).put('value', Buffer.from([0]));
  }
  switch (schema.type) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64':
    case 'float32':
    case 'float64':
      return 0;
    case 'boolean':
      return false;
    case 'string':
      return '';
    case 'bytes':
      return Buffer.alloc(0);
    case 'array':
      return [];
    case 'map':
      return new Map();
    case 'struct': {
      const s = new Struct(schema);
      for (const f of schema.fields) if (!f.schema.optional) s.put(f.name, zeroValue(f.schema));
      return s;
    }
  }
}
