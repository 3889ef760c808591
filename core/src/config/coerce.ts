import type { ConfigProperty } from './config-schema.js';

/** What a secret value renders as everywhere (Kafka Connect's `Password.toString()`). */
export const HIDDEN_VALUE = '[hidden]';

/** The property's JSON Schema type (the first non-`null` one when `type` is a list). */
export function jsonTypeOf(prop: ConfigProperty): string | undefined {
  const t = prop['type'];
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return t.find((x): x is string => typeof x === 'string' && x !== 'null');
  return undefined;
}

function jsonTypesOf(prop: ConfigProperty): string[] {
  const t = prop['type'];
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === 'string' && x !== 'null');
  return [];
}

/** True when the property holds a secret (masked in every response, never logged). */
export function isSecret(prop: ConfigProperty): boolean {
  return prop['x-secret'] === true || prop['x-type'] === 'PASSWORD';
}

/** Renders a parsed value back to its wire string: lists comma-joined, secrets `[hidden]`. */
export function renderConfigValue(prop: ConfigProperty, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (isSecret(prop)) return HIDDEN_VALUE;
  return renderPlain(value);
}

/** Renders without masking (for defaults of non-secret keys and internal use). */
export function renderPlain(value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v))).join(',');
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

export type CoerceResult = { ok: true; value: unknown } | { ok: false; problem: string };

const INTEGER_RE = /^[+-]?\d+$/;

function coerceAs(type: string, raw: string, prop: ConfigProperty): CoerceResult {
  const trimmed = raw.trim();
  switch (type) {
    case 'integer': {
      const n = Number(trimmed);
      if (!INTEGER_RE.test(trimmed)) return { ok: false, problem: 'must be an integer' };
      if (!Number.isSafeInteger(n)) return { ok: false, problem: 'must be an integer between -9007199254740991 and 9007199254740991' };
      return { ok: true, value: n };
    }
    case 'number': {
      const n = Number(trimmed);
      if (trimmed === '' || !Number.isFinite(n)) return { ok: false, problem: 'must be a number' };
      return { ok: true, value: n };
    }
    case 'boolean': {
      const lower = trimmed.toLowerCase();
      if (lower !== 'true' && lower !== 'false') return { ok: false, problem: 'must be true or false' };
      return { ok: true, value: lower === 'true' };
    }
    case 'array': {
      // Kafka Connect LIST semantics: comma-separated, items trimmed, empty string = empty list.
      const parts = trimmed === '' ? [] : trimmed.split(',').map((s) => s.trim());
      const items = prop['items'];
      const itemType = typeof items === 'object' && items !== null ? jsonTypeOf(items as ConfigProperty) : undefined;
      if (itemType === undefined || itemType === 'string') return { ok: true, value: parts };
      const out: unknown[] = [];
      for (const p of parts) {
        const r = coerceAs(itemType, p, items as ConfigProperty);
        if (!r.ok) return { ok: false, problem: `must be a comma-separated list whose items each ${r.problem.replace(/^must /, '')}` };
        out.push(r.value);
      }
      return { ok: true, value: out };
    }
    case 'object': {
      try {
        const v: unknown = JSON.parse(trimmed);
        if (typeof v === 'object' && v !== null && !Array.isArray(v)) return { ok: true, value: v };
      } catch {
        // reported below
      }
      return { ok: false, problem: 'must be a JSON object' };
    }
    case 'null':
      return trimmed === '' || trimmed === 'null' ? { ok: true, value: null } : { ok: false, problem: 'must be empty' };
    case 'string':
      // Kafka Connect trims STRING values too.
      return { ok: true, value: trimmed };
    default:
      return { ok: true, value: raw };
  }
}

/**
 * Turns a wire string into the property's JSON type (integer, number, boolean, list from a
 * comma-separated string, JSON object, trimmed string; untyped properties keep the raw string).
 * With a list of types the first that parses wins. Returns a plain-words problem on failure.
 */
export function coerceConfigValue(prop: ConfigProperty, raw: string): CoerceResult {
  const types = jsonTypesOf(prop);
  if (types.length === 0) return { ok: true, value: raw };
  let first: CoerceResult | undefined;
  for (const t of types) {
    const r = coerceAs(t, raw, prop);
    if (r.ok) return r;
    first ??= r;
  }
  return first as CoerceResult;
}

/** `Invalid value abc for configuration tasks.max: must be an integer` (secrets shown as `[hidden]`). */
export function invalidValueMessage(name: string, prop: ConfigProperty | undefined, shown: string | null, problem: string): string {
  const value = prop !== undefined && isSecret(prop) ? HIDDEN_VALUE : (shown ?? 'null');
  return `Invalid value ${value} for configuration ${name}: ${problem}`;
}
