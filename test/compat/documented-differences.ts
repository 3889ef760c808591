/**
 * The differences between Kafka Connect's and Sluice's answers to the compatibility scenario that
 * are intended (or known and not yet fixed). Each `id` has a row in docs/compatibility.md giving
 * the reason; compat.int.test.ts fails on any difference not matched here and on any entry here
 * that no longer matches a difference.
 */

/** One observed difference between the two runs of a scenario step. */
export interface Difference {
  step: string;
  kind: 'status' | 'content-type' | 'type' | 'missing-in-sluice' | 'extra-in-sluice' | 'value' | 'length';
  /** JSON path (`$` for the whole answer) */
  path: string;
  kafkaConnect: string;
  sluice: string;
}

/** An allowed difference: matches differences of `step` (and `kind` / `path` when given). */
export interface DocumentedDifference {
  /** The row in docs/compatibility.md (several entries may share one row). */
  id: string;
  /** scenario step name, or `*` for every step */
  step: string;
  kind?: Difference['kind'];
  /** exact JSON path, a prefix ending in `*`, or a suffix starting with `*` */
  path?: string;
  /** One line; the full reason is in docs/compatibility.md. */
  summary: string;
}

export const DOCUMENTED_DIFFERENCES: readonly DocumentedDifference[] = [
  { id: 'C1', step: 'create sink', kind: 'length', path: '$.tasks', summary: 'standalone herder reports the generated tasks in the create answer' },
  { id: 'C1', step: 'create source', kind: 'length', path: '$.tasks', summary: 'standalone herder reports the generated tasks in the create answer' },
  { id: 'C2', step: 'create with malformed JSON', kind: 'status', summary: 'malformed JSON is a 400, not a 500' },
  { id: 'C3', step: 'put config as text/plain', kind: 'content-type', summary: 'error bodies always carry Content-Type: application/json' },
  { id: 'C3', step: 'unknown path', kind: 'content-type', summary: 'error bodies always carry Content-Type: application/json' },
  { id: 'C3', step: 'wrong method', kind: 'content-type', summary: 'error bodies always carry Content-Type: application/json' },
  { id: 'C5', step: 'task configs', kind: 'missing-in-sluice', path: '$[].config.task.class', summary: 'task configs carry no `task.class`' },
  { id: 'C8', step: 'loggers', kind: 'missing-in-sluice', path: '$.*', summary: "Sluice's loggers are root, components and connector.<name>, not Java class names" },
  { id: 'C6', step: 'offsets of running source', kind: 'extra-in-sluice', path: '$.offsets[].offset.*', summary: "Sluice's file source records file identity in its offsets" },
];

/** True when `allowed` covers `difference`. */
export function matches(allowed: DocumentedDifference, difference: Difference): boolean {
  if (allowed.step !== '*' && allowed.step !== difference.step) return false;
  if (allowed.kind !== undefined && allowed.kind !== difference.kind) return false;
  const path = allowed.path;
  if (path === undefined) return true;
  if (path.startsWith('*')) return difference.path.endsWith(path.slice(1));
  if (path.endsWith('*')) return difference.path.startsWith(path.slice(0, -1));
  return path === difference.path;
}
