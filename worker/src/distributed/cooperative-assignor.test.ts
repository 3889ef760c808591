import { describe, expect, it } from 'vitest';
import { workKey } from './connect-protocol.js';
import { assign, emptyMemory, type MemberState } from './cooperative-assignor.js';

const work = (connectors: Record<string, number>): Set<string> => {
  const out = new Set<string>();
  for (const [c, n] of Object.entries(connectors)) {
    out.add(workKey(c, -1));
    for (let t = 0; t < n; t++) out.add(workKey(c, t));
  }
  return out;
};

/** Applies a plan to the members, as each worker would: allocation - revoked + assigned. */
function apply(members: MemberState[], plan: ReturnType<typeof assign>): MemberState[] {
  return members.map((m) => {
    const next = new Set(m.allocation);
    for (const k of plan.revoked.get(m.memberId) ?? []) next.delete(k);
    for (const k of plan.assigned.get(m.memberId) ?? []) next.add(k);
    return { memberId: m.memberId, allocation: next };
  });
}

function settle(members: MemberState[], all: Set<string>, memory = emptyMemory(), now = 0, rounds = 4) {
  let state = members;
  for (let i = 0; i < rounds; i++) state = apply(state, assign(state, all, memory, now, 300_000));
  return state;
}

describe('cooperative assignor', () => {
  it('spreads connectors and tasks evenly over fresh workers', () => {
    const all = work({ a: 3, b: 3, c: 3 });
    const members = ['w1', 'w2', 'w3'].map((memberId) => ({ memberId, allocation: new Set<string>() }));
    const result = settle(members, all);
    const union = new Set(result.flatMap((m) => [...m.allocation]));
    expect(union).toEqual(all);
    for (const m of result) expect(m.allocation.size).toBe(4);
    expect(result.reduce((n, m) => n + m.allocation.size, 0)).toBe(all.size);
  });

  it('revokes only what moves when a worker joins', () => {
    const all = work({ a: 2, b: 2 });
    const memory = emptyMemory();
    let members: MemberState[] = [{ memberId: 'w1', allocation: new Set() }];
    members = settle(members, all, memory);
    expect(members[0]!.allocation.size).toBe(6);
    members.push({ memberId: 'w2', allocation: new Set() });
    const plan = assign(members, all, memory, 0, 300_000);
    // Nothing is assigned to w2 in the revocation round; w1 gives back exactly its excess.
    expect(plan.revoked.get('w1')!.size).toBe(3);
    const after = settle(apply(members, plan), all, memory);
    expect(after.map((m) => m.allocation.size)).toEqual([3, 3]);
    const kept = [...members[0]!.allocation].filter((k) => after[0]!.allocation.has(k));
    expect(kept.length).toBe(3);
  });

  it('holds the work of a departed worker for the scheduled delay, then reassigns it', () => {
    const all = work({ a: 3 });
    const memory = emptyMemory();
    let members = settle(['w1', 'w2'].map((memberId) => ({ memberId, allocation: new Set<string>() })), all, memory);
    const lost = members[1]!.allocation;
    members = [members[0]!];
    const held = assign(members, all, memory, 1_000, 10_000);
    expect(held.delayMs).toBe(10_000);
    expect(held.assigned.get('w1')!.size).toBe(0);
    const later = assign(members, all, memory, 11_001, 10_000);
    expect(later.delayMs).toBe(0);
    expect(later.assigned.get('w1')).toEqual(lost);
  });

  it('gives held work to a worker that joins during the delay', () => {
    const all = work({ a: 3 });
    const memory = emptyMemory();
    let members = settle(['w1', 'w2'].map((memberId) => ({ memberId, allocation: new Set<string>() })), all, memory);
    const lost = members[1]!.allocation;
    members = [members[0]!];
    assign(members, all, memory, 1_000, 60_000);
    members.push({ memberId: 'w3', allocation: new Set() });
    const plan = assign(members, all, memory, 2_000, 60_000);
    expect(plan.assigned.get('w3')).toEqual(lost);
  });

  it('revokes deleted work and duplicates', () => {
    const all = work({ a: 1 });
    const members = [
      { memberId: 'w1', allocation: new Set([workKey('a', -1), workKey('gone', -1)]) },
      { memberId: 'w2', allocation: new Set([workKey('a', -1), workKey('a', 0)]) },
    ];
    const plan = assign(members, all, emptyMemory(), 0, 1000);
    expect(plan.revoked.get('w1')).toEqual(new Set([workKey('gone', -1)]));
    expect(plan.revoked.get('w2')).toEqual(new Set([workKey('a', -1)]));
  });
});
