import type { Request } from 'express';
import { badRequest } from './request-error.js';

/** A parsed JSON object (not an array, not null). */
export type JsonObject = Record<string, unknown>;

/**
 * Returns `value` if it is a JSON object, else throws a BAD_REQUEST naming `what`. `undefined`
 * (no body at all) is reported the same way, so a missing body never reaches the herder.
 */
export function requireObject(value: unknown, what: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const got =
      value === undefined
        ? 'nothing'
        : value === null
          ? 'null'
          : Array.isArray(value)
            ? 'an array'
            : `a ${typeof value}`;
    throw badRequest(`${what} must be a JSON object, got ${got}`);
  }
  return value as JsonObject;
}

/**
 * Converts a JSON object into a connector config map. Kafka Connect configs are string maps; numbers
 * and booleans are accepted and turned into their JSON text (`5` → `"5"`, `true` → `"true"`) because
 * hand-written requests often contain them. Objects, arrays and `null` are rejected with a message
 * naming the key — never the value, which may be a secret. Does not mutate `value`.
 */
export function toConfigMap(value: unknown, what: string): Record<string, string> {
  const object = requireObject(value, what);
  // fromEntries (not assignment) so a key such as "__proto__" stays an ordinary key.
  return Object.fromEntries(
    Object.entries(object).map(([key, raw]) => {
      if (raw === null) {
        throw badRequest(`${what}: null value can not be supplied as the configuration value of '${key}'`);
      }
      return [key, configString(raw, key, what)];
    }),
  );
}

/**
 * Like {@link toConfigMap}, but `null` is kept: in a PATCH it means "remove this key".
 */
export function toConfigPatch(value: unknown, what: string): Record<string, string | null> {
  const object = requireObject(value, what);
  return Object.fromEntries(
    Object.entries(object).map(([key, raw]) => [key, raw === null ? null : configString(raw, key, what)]),
  );
}

function configString(raw: unknown, key: string, what: string): string {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  const kind = Array.isArray(raw) ? 'an array' : `a ${typeof raw}`;
  throw badRequest(`${what}: the value of '${key}' must be a string, number or boolean, got ${kind}`);
}

/**
 * Checks a connector name the way Kafka Connect's `name` validator does (non-empty, no ISO control
 * characters) and returns it unchanged. Throws BAD_REQUEST otherwise.
 */
export function requireConnectorName(name: string): string {
  if (name.length === 0) throw badRequest('Connector name must be a non-empty string');
  // ISO control characters, as Java's Character.isISOControl defines them.
   
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) {
    throw badRequest('Connector name must not contain control characters');
  }
  return name;
}

/**
 * Parses a task id path segment. Non-numeric ids are a client mistake (400); a well-formed id that
 * does not exist is left for the herder to report as not found.
 */
export function parseTaskId(raw: string): number {
  const id = /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(id)) {
    throw badRequest(`Task id must be a non-negative integer, got '${raw}'`);
  }
  return id;
}

/** Every value given for query parameter `name` (repeats included); empty when absent. */
export function queryValues(req: Request, name: string): string[] {
  const raw = (req.query as Record<string, unknown>)[name];
  if (raw === undefined) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  return list.filter((v): v is string => typeof v === 'string');
}

/**
 * Reads a boolean query parameter: `true`/`false` in any case; absent or empty → `defaultValue`.
 * Anything else, or the parameter given twice, is a BAD_REQUEST (Kafka Connect would silently read
 * it as false).
 */
export function booleanQuery(req: Request, name: string, defaultValue: boolean): boolean {
  const values = queryValues(req, name);
  if (values.length > 1) throw badRequest(`Query parameter '${name}' was given more than once`);
  const value = values[0];
  if (value === undefined || value === '') return defaultValue;
  switch (value.toLowerCase()) {
    case 'true':
      return true;
    case 'false':
      return false;
    default:
      throw badRequest(`Query parameter '${name}' must be true or false, got '${value}'`);
  }
}
