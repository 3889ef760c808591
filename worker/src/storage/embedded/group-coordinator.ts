import type { Subscription } from '../../log/log.js';
import { ChangeNotifier } from './change-notifier.js';

/** A topic-partition. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** Stable string form of a topic-partition, for maps and sets. */
export function tpKey(tp: TopicPartition): string {
  return `${tp.topic}\u0000${tp.partition}`;
}

interface Member {
  readonly memberId: string;
  subscription: Subscription | null;
  /** anchored copy of `subscription.topicsRegex`: Kafka matches the whole topic name */
  matcher: RegExp | null;
}

interface Group {
  readonly members: Map<string, Member>;
  /** the assignment the group should converge to, by member id */
  target: Map<string, TopicPartition[]>;
  /** who has been handed each partition (through its listener) and not yet given it back */
  readonly owners: Map<string, string>;
  /** bumped on every change of membership, target or ownership */
  version: number;
}

let memberSequence = 0;

/**
 * In-process consumer groups for the embedded log. It decides the target assignment (round-robin over
 * the sorted partitions of the subscribed topics, members sorted by id, each partition going to the
 * next member subscribed to its topic, as Kafka's RoundRobinAssignor) and tracks which member owns each
 * partition. Handover is two-phase, like Kafka's cooperative protocol: a partition moving from A to B
 * is released by A (after A's revocation callback ran in its `poll`) before B may acquire it, so two
 * members never process the same partition at once. Every change bumps the group's version and
 * wakes the group's pollers through the notifier. Synchronous; owned by one EmbeddedLog.
 */
export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();

  constructor(
    private readonly listTopics: () => readonly { name: string; partitions: number }[],
    private readonly notifier: ChangeNotifier,
  ) {}

  /** Adds a member without a subscription and returns its id (`<clientId>-<sequence>`, so join order sorts). */
  join(groupId: string, clientId: string): string {
    const memberId = `${clientId}-${String(++memberSequence).padStart(6, '0')}`;
    this.group(groupId).members.set(memberId, { memberId, subscription: null, matcher: null });
    return memberId;
  }

  /** Replaces a member's subscription and rebalances the group. */
  subscribe(groupId: string, memberId: string, subscription: Subscription): void {
    const member = this.groups.get(groupId)?.members.get(memberId);
    if (!member) return;
    member.subscription = subscription;
    const re = subscription.topicsRegex;
    member.matcher = re ? new RegExp(`^(?:${re.source})$`, re.flags.replace(/[gy]/g, '')) : null;
    this.rebalance(groupId);
  }

  /** Removes a member, releasing whatever it still owns, and rebalances. Idempotent. */
  leave(groupId: string, memberId: string): void {
    const group = this.groups.get(groupId);
    if (!group?.members.delete(memberId)) return;
    for (const [key, owner] of [...group.owners]) if (owner === memberId) group.owners.delete(key);
    if (group.members.size === 0) {
      this.groups.delete(groupId);
      return;
    }
    this.rebalance(groupId);
  }

  /** Recomputes every group's target after topics were created or deleted. */
  topicsChanged(): void {
    for (const groupId of this.groups.keys()) this.rebalance(groupId);
  }

  /** Changes whenever the member may have something to reconcile. */
  version(groupId: string): number {
    return this.groups.get(groupId)?.version ?? -1;
  }

  /** The partitions the member should own once the group has converged. */
  target(groupId: string, memberId: string): readonly TopicPartition[] {
    return this.groups.get(groupId)?.target.get(memberId) ?? [];
  }

  /** The member currently owning a partition, if any. */
  owner(groupId: string, tp: TopicPartition): string | undefined {
    return this.groups.get(groupId)?.owners.get(tpKey(tp));
  }

  /** Records that the member took the given (unowned) partitions. */
  acquire(groupId: string, memberId: string, tps: readonly TopicPartition[]): void {
    const group = this.groups.get(groupId);
    if (!group?.members.has(memberId) || tps.length === 0) return;
    for (const tp of tps) group.owners.set(tpKey(tp), memberId);
    this.changed(groupId, group);
  }

  /** Records that the member gave partitions back, so the members they move to may take them. */
  release(groupId: string, memberId: string, tps: readonly TopicPartition[]): void {
    const group = this.groups.get(groupId);
    if (!group || tps.length === 0) return;
    for (const tp of tps) {
      const key = tpKey(tp);
      if (group.owners.get(key) === memberId) group.owners.delete(key);
    }
    this.changed(groupId, group);
  }

  /** Ids of the group's current members, sorted. */
  members(groupId: string): string[] {
    return [...(this.groups.get(groupId)?.members.keys() ?? [])].sort();
  }

  private group(groupId: string): Group {
    let group = this.groups.get(groupId);
    if (!group) {
      group = { members: new Map(), target: new Map(), owners: new Map(), version: 0 };
      this.groups.set(groupId, group);
    }
    return group;
  }

  private rebalance(groupId: string): void {
    const group = this.groups.get(groupId);
    if (!group) return;
    const members = [...group.members.values()]
      .filter((m) => m.subscription !== null)
      .sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
    const target = new Map<string, TopicPartition[]>(members.map((m) => [m.memberId, []]));
    const topics = [...this.listTopics()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    let cursor = 0;
    for (const topic of topics) {
      const eligible = members.filter((m) => subscribes(m, topic.name));
      if (eligible.length === 0) continue;
      for (let partition = 0; partition < topic.partitions; partition++) {
        // Walk the full member ring from the cursor and skip members not subscribed to this topic.
        let chosen: Member | undefined;
        for (let step = 0; step < members.length && !chosen; step++) {
          const candidate = members[(cursor + step) % members.length]!;
          if (subscribes(candidate, topic.name)) {
            chosen = candidate;
            cursor = (cursor + step + 1) % members.length;
          }
        }
        target.get(chosen!.memberId)!.push({ topic: topic.name, partition });
      }
    }
    group.target = target;
    // Owners of a deleted topic's partitions keep them until their next poll revokes and releases them.
    this.changed(groupId, group);
  }

  private changed(groupId: string, group: Group): void {
    group.version++;
    this.notifier.notify(ChangeNotifier.groupKey(groupId));
  }
}

function subscribes(member: Member, topic: string): boolean {
  const sub = member.subscription;
  if (!sub) return false;
  if (sub.topics?.includes(topic)) return true;
  return member.matcher?.test(topic) ?? false;
}
