import { parseWorkKey } from './connect-protocol.js';

export interface MemberState {
  memberId: string;
  /** work keys (see `workKey`) this member runs now, as it reported in its metadata */
  allocation: Set<string>;
}

/** What the leader remembers between rounds (lost when leadership moves, as in Kafka Connect). */
export interface AssignorMemory {
  /** the allocation each member had after the previous round */
  previous: Map<string, Set<string>>;
  /** work of departed members, with the time it was first seen lost */
  lostSince: Map<string, number>;
}

export interface AssignmentPlan {
  assigned: Map<string, Set<string>>;
  revoked: Map<string, Set<string>>;
  /** >0 when lost work is being held back: members rejoin after this many ms */
  delayMs: number;
}

export function emptyMemory(): AssignorMemory {
  return { previous: new Map(), lostSince: new Map() };
}

const isConnector = (key: string) => parseWorkKey(key).task === -1;

/**
 * Incremental cooperative assignment (KIP-415 style). Only work that must move is revoked; revoked
 * work is assigned in the follow-up round, once its old owner has stopped it. Work of a member that
 * left is held back for `maxDelayMs` (it may come back after a restart) unless a new member joins,
 * then it goes to the least loaded members. Connectors and tasks are balanced separately.
 */
export function assign(
  members: readonly MemberState[],
  work: ReadonlySet<string>,
  memory: AssignorMemory,
  now: number,
  maxDelayMs: number,
): AssignmentPlan {
  const ids = members.map((m) => m.memberId).sort();
  const assigned = new Map(ids.map((id) => [id, new Set<string>()]));
  const revoked = new Map(ids.map((id) => [id, new Set<string>()]));
  const current = new Map<string, Set<string>>();
  const owner = new Map<string, string>();
  for (const m of [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : 1))) {
    const keep = new Set<string>();
    for (const key of m.allocation) {
      if (!work.has(key) || owner.has(key)) {
        // Deleted work, or a duplicate owner: stop it here.
        revoked.get(m.memberId)!.add(key);
        continue;
      }
      owner.set(key, m.memberId);
      keep.add(key);
    }
    current.set(m.memberId, keep);
  }

  // Work that departed members ran and nobody runs now.
  const newMembers = ids.filter((id) => !memory.previous.has(id));
  for (const [id, previous] of memory.previous) {
    if (ids.includes(id)) continue;
    for (const key of previous) if (work.has(key) && !owner.has(key) && !memory.lostSince.has(key)) memory.lostSince.set(key, now);
  }
  let delayMs = 0;
  const held = new Set<string>();
  for (const [key, since] of [...memory.lostSince]) {
    if (!work.has(key) || owner.has(key)) {
      memory.lostSince.delete(key);
      continue;
    }
    const remaining = since + maxDelayMs - now;
    if (remaining > 0 && newMembers.length === 0) {
      held.add(key);
      delayMs = delayMs === 0 ? remaining : Math.min(delayMs, remaining);
    } else {
      memory.lostSince.delete(key);
    }
  }

  const load = (id: string, kind: 'connector' | 'task') =>
    [...current.get(id)!, ...assigned.get(id)!].filter((k) => isConnector(k) === (kind === 'connector')).length;
  const revokedFromBalance = new Set<string>();
  for (const kind of ['connector', 'task'] as const) {
    const pending = [...work]
      .filter((k) => isConnector(k) === (kind === 'connector') && !owner.has(k) && !held.has(k))
      .sort();
    for (const key of pending) {
      const target = [...ids].sort((a, b) => load(a, kind) - load(b, kind) || (a < b ? -1 : 1))[0];
      if (target === undefined) break;
      assigned.get(target)!.add(key);
    }
    // Balance: members above the fair share give work back (assigned elsewhere next round).
    const total = [...work].filter((k) => isConnector(k) === (kind === 'connector') && !held.has(k)).length;
    if (ids.length === 0) continue;
    const ceil = Math.ceil(total / ids.length);
    const floor = Math.floor(total / ids.length);
    const under = ids.filter((id) => load(id, kind) < floor).length;
    if (under === 0) continue;
    let deficit = ids.reduce((n, id) => n + Math.max(0, floor - load(id, kind)), 0);
    for (const id of ids) {
      const mine = [...current.get(id)!].filter((k) => isConnector(k) === (kind === 'connector')).sort();
      let excess = load(id, kind) - ceil;
      if (excess <= 0 && deficit > 0 && load(id, kind) > floor) excess = load(id, kind) - floor;
      while (excess > 0 && deficit > 0 && mine.length > 0) {
        const key = mine.pop()!;
        current.get(id)!.delete(key);
        revoked.get(id)!.add(key);
        revokedFromBalance.add(key);
        excess--;
        deficit--;
      }
    }
  }

  memory.previous = new Map(ids.map((id) => [id, new Set([...current.get(id)!, ...assigned.get(id)!])]));
  return { assigned, revoked, delayMs };
}
