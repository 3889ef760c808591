/**
 * Field-by-field comparison of two JSON answers to the same request (Kafka Connect's and Sluice's).
 * Structure is always compared (value types, object keys, array element shapes); values are
 * compared only for the fields whose values are part of the contract (states, types, codes, names).
 */

/** One way the Sluice answer departs from Kafka Connect's. */
export interface ShapeDifference {
  /** JSON path; `[]` stands for "any element". */
  path: string;
  kind: 'type' | 'missing-in-sluice' | 'extra-in-sluice' | 'value' | 'length';
  kafkaConnect: string;
  sluice: string;
}

/** How strictly a step's bodies are compared. */
export type CompareMode =
  /** structure, array lengths, and the values of {@link VALUE_KEYS} */
  | 'strict'
  /** structure only: for lists whose content legitimately differs (plugins, config definitions) */
  | 'shape';

/** Fields whose values must match, wherever they appear. */
export const VALUE_KEYS: ReadonlySet<string> = new Set([
  'state',
  'type',
  'error_code',
  'name',
  'connector',
  'task',
  'id',
  'error_count',
  'required',
  'importance',
  'width',
]);

interface Shape {
  types: Set<string>;
  keys?: Map<string, Shape>;
  items?: Shape;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function shapeOf(value: unknown): Shape {
  const type = typeOf(value);
  const shape: Shape = { types: new Set([type]) };
  if (type === 'object') {
    shape.keys = new Map(Object.entries(value as object).map(([k, v]) => [k, shapeOf(v)]));
  } else if (type === 'array') {
    const items = (value as unknown[]).map(shapeOf);
    if (items.length > 0) shape.items = items.reduce(merge);
  }
  return shape;
}

function merge(a: Shape, b: Shape): Shape {
  const out: Shape = { types: new Set([...a.types, ...b.types]) };
  if (a.keys !== undefined || b.keys !== undefined) {
    out.keys = new Map(a.keys ?? []);
    for (const [k, v] of b.keys ?? []) out.keys.set(k, out.keys.has(k) ? merge(out.keys.get(k)!, v) : v);
  }
  if (a.items !== undefined && b.items !== undefined) out.items = merge(a.items, b.items);
  else out.items = a.items ?? b.items;
  return out;
}

function describe(shape: Shape): string {
  return [...shape.types].sort().join('|');
}

/** Structural differences: value types, object keys, and (merged) array element shapes. */
function diffShapes(kc: Shape, sluice: Shape, path: string, out: ShapeDifference[]): void {
  const kcTypes = describe(kc);
  const slTypes = describe(sluice);
  // A nullable field that happened to be null on one side only is not a difference in shape.
  const kcNonNull = [...kc.types].filter((t) => t !== 'null').sort().join('|');
  const slNonNull = [...sluice.types].filter((t) => t !== 'null').sort().join('|');
  if (kcNonNull !== '' && slNonNull !== '' && kcNonNull !== slNonNull) {
    out.push({ path, kind: 'type', kafkaConnect: kcTypes, sluice: slTypes });
    return;
  }
  if (kc.keys !== undefined && sluice.keys !== undefined) {
    for (const [key, kcChild] of kc.keys) {
      const slChild = sluice.keys.get(key);
      if (slChild === undefined) out.push({ path: `${path}.${key}`, kind: 'missing-in-sluice', kafkaConnect: describe(kcChild), sluice: '-' });
      else diffShapes(kcChild, slChild, `${path}.${key}`, out);
    }
    for (const [key, slChild] of sluice.keys) {
      if (!kc.keys.has(key)) out.push({ path: `${path}.${key}`, kind: 'extra-in-sluice', kafkaConnect: '-', sluice: describe(slChild) });
    }
  }
  if (kc.items !== undefined && sluice.items !== undefined) diffShapes(kc.items, sluice.items, `${path}[]`, out);
}

function diffValues(kc: unknown, sluice: unknown, path: string, out: ShapeDifference[]): void {
  if (Array.isArray(kc) && Array.isArray(sluice)) {
    if (kc.length !== sluice.length) {
      out.push({ path, kind: 'length', kafkaConnect: String(kc.length), sluice: String(sluice.length) });
    }
    for (let i = 0; i < Math.min(kc.length, sluice.length); i++) diffValues(kc[i], sluice[i], `${path}[]`, out);
    return;
  }
  if (typeOf(kc) !== 'object' || typeOf(sluice) !== 'object') return;
  for (const [key, kcValue] of Object.entries(kc as Record<string, unknown>)) {
    if (!Object.hasOwn(sluice as object, key)) continue;
    const slValue = (sluice as Record<string, unknown>)[key];
    const childPath = `${path}.${key}`;
    const scalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
    if (VALUE_KEYS.has(key) && scalar(kcValue) && scalar(slValue)) {
      if (kcValue !== slValue) out.push({ path: childPath, kind: 'value', kafkaConnect: JSON.stringify(kcValue), sluice: JSON.stringify(slValue) });
    } else {
      diffValues(kcValue, slValue, childPath, out);
    }
  }
}

/** Compares two parsed JSON bodies; returns every difference, de-duplicated, in a stable order. */
export function diffJson(kafkaConnect: unknown, sluice: unknown, mode: CompareMode): ShapeDifference[] {
  const out: ShapeDifference[] = [];
  diffShapes(shapeOf(kafkaConnect), shapeOf(sluice), '$', out);
  if (mode === 'strict') diffValues(kafkaConnect, sluice, '$', out);
  const seen = new Set<string>();
  return out.filter((d) => {
    const key = `${d.path} ${d.kind}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
