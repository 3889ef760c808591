import { isStruct } from '@sluice/core';

/**
 * Names the runtime type of a value for error messages. Never renders the value itself: record
 * payloads must not leak into errors or logs.
 */
export function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Uint8Array) return 'bytes';
  if (value instanceof Map) return 'Map';
  if (value instanceof Date) return 'Date';
  if (isStruct(value)) return 'Struct';
  if (typeof value === 'object') {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === null || proto === Object.prototype) return 'object';
    return (value as object).constructor?.name ?? 'object';
  }
  return typeof value;
}
