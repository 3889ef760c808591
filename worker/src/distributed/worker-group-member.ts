import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@sluice/core';
import {
  CONNECT_PROTOCOL_VERSION,
  PROTOCOL_NAME,
  decodeAssignment,
  decodeMetadata,
  encodeAssignment,
  encodeMetadata,
  type WorkerAssignment,
  type WorkerMetadata,
} from './connect-protocol.js';

/** The group coordinator requests this client needs (kafkajs's broker objects provide them). */
export interface GroupCoordinatorBroker {
  joinGroup(args: {
    groupId: string;
    sessionTimeout: number;
    rebalanceTimeout: number;
    memberId: string;
    protocolType: string;
    groupProtocols: { name: string; metadata: Buffer }[];
  }): Promise<{ generationId: number; leaderId: string; memberId: string; groupProtocol: string; members: { memberId: string; memberMetadata: Buffer }[] }>;
  syncGroup(args: {
    groupId: string;
    generationId: number;
    memberId: string;
    groupAssignment: { memberId: string; memberAssignment: Buffer }[];
  }): Promise<{ memberAssignment: Buffer }>;
  heartbeat(args: { groupId: string; groupGenerationId: number; memberId: string }): Promise<unknown>;
  leaveGroup(args: { groupId: string; memberId: string }): Promise<unknown>;
}

export interface GroupClusterAccess {
  findGroupCoordinator(args: { groupId: string }): Promise<GroupCoordinatorBroker>;
}

export interface JoinedMember {
  memberId: string;
  metadata: WorkerMetadata;
}

export interface WorkerGroupMemberOptions {
  cluster: GroupClusterAccess;
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  logger: Logger;
  /** this worker's current metadata (URL, config offset, what it runs) */
  metadata(): WorkerMetadata;
  /** leader only: the assignment of every member for this generation */
  assign(members: JoinedMember[], generation: number, leaderId: string): Promise<Map<string, WorkerAssignment>>;
  /** applies an assignment; must stop revoked work before resolving */
  onAssignment(assignment: WorkerAssignment, generation: number, memberId: string): Promise<void>;
  /** called after each completed rebalance with its duration */
  onRebalanced?(seconds: number): void;
}

const errorType = (err: unknown): string => (err as { type?: string })?.type ?? '';

/**
 * Membership of the worker group on the broker's group coordinator with protocol type `connect`.
 * kafkajs's consumer groups drop the assignment's user data and know only the `consumer` protocol,
 * so this is a small client over kafkajs's broker-level JoinGroup / SyncGroup / Heartbeat /
 * LeaveGroup requests. Work keeps running during a rebalance (cooperative): only the assignment's
 * revocations stop anything.
 */
export class WorkerGroupMember {
  private memberId = '';
  private generation = -1;
  private running = false;
  private loop: Promise<void> | null = null;
  private rejoinRequested = false;
  private coordinator: GroupCoordinatorBroker | null = null;
  private wake: AbortController = new AbortController();
  private readonly stopController = new AbortController();

  constructor(private readonly options: WorkerGroupMemberOptions) {}

  get currentGeneration(): number {
    return this.generation;
  }

  get currentMemberId(): string {
    return this.memberId;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Rejoins at once (config changed, revoked work to hand out, scheduled delay expired). */
  requestRejoin(): void {
    this.rejoinRequested = true;
    this.wake.abort();
  }

  /** Leaves the group so the others rebalance at once instead of after the session timeout. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.stopController.abort();
    this.wake.abort();
    await this.loop?.catch(() => undefined);
    if (this.coordinator && this.memberId) {
      await this.coordinator
        .leaveGroup({ groupId: this.options.groupId, memberId: this.memberId })
        .catch((err) => this.options.logger.warn('LeaveGroup failed', { error: String(err) }));
    }
  }

  private async run(): Promise<void> {
    const { logger } = this.options;
    let backoff = 200;
    while (this.running) {
      try {
        await this.joinAndSync();
        backoff = 200;
        await this.heartbeatUntilRejoin();
      } catch (err) {
        if (!this.running) break;
        const type = errorType(err);
        if (type === 'UNKNOWN_MEMBER_ID' || type === 'FENCED_INSTANCE_ID') this.memberId = '';
        if (type.includes('COORDINATOR') || type === '') this.coordinator = null;
        logger.warn('Worker group membership error; rejoining', { error: String(err), type });
        await sleep(backoff, undefined, { signal: this.stopController.signal }).catch(() => undefined);
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  private async joinAndSync(): Promise<void> {
    const { groupId, sessionTimeoutMs, rebalanceTimeoutMs } = this.options;
    this.coordinator ??= await this.options.cluster.findGroupCoordinator({ groupId });
    this.rejoinRequested = false;
    const started = performance.now();
    const join = await this.coordinator.joinGroup({
      groupId,
      sessionTimeout: sessionTimeoutMs,
      rebalanceTimeout: rebalanceTimeoutMs,
      memberId: this.memberId,
      protocolType: 'connect',
      groupProtocols: [{ name: PROTOCOL_NAME, metadata: encodeMetadata(this.options.metadata()) }],
    });
    this.memberId = join.memberId;
    const generation = join.generationId;
    let groupAssignment: { memberId: string; memberAssignment: Buffer }[] = [];
    if (join.leaderId === join.memberId) {
      const members = join.members.map((m) => ({ memberId: m.memberId, metadata: decodeMetadata(m.memberMetadata) }));
      const plan = await this.options.assign(members, generation, join.leaderId);
      groupAssignment = [...plan].map(([memberId, a]) => ({ memberId, memberAssignment: encodeAssignment(a) }));
    }
    const sync = await this.coordinator.syncGroup({ groupId, generationId: generation, memberId: this.memberId, groupAssignment });
    this.generation = generation;
    const assignment = decodeAssignment(sync.memberAssignment);
    if (assignment.version > CONNECT_PROTOCOL_VERSION) {
      this.options.logger.warn('Assignment uses a newer protocol version', { version: assignment.version });
    }
    await this.options.onAssignment(assignment, generation, this.memberId);
    this.options.onRebalanced?.((performance.now() - started) / 1000);
    // Revoked work is handed out in a follow-up round; held-back work when the delay expires.
    if (assignment.revoked.size > 0) this.rejoinRequested = true;
    if (assignment.delayMs > 0) {
      const timer = setTimeout(() => this.requestRejoin(), assignment.delayMs);
      timer.unref();
    }
  }

  private async heartbeatUntilRejoin(): Promise<void> {
    const { groupId, heartbeatIntervalMs } = this.options;
    while (this.running && !this.rejoinRequested) {
      if (this.wake.signal.aborted) this.wake = new AbortController();
      const signal = AbortSignal.any([this.wake.signal, this.stopController.signal]);
      await sleep(heartbeatIntervalMs, undefined, { signal }).catch(() => undefined);
      if (!this.running || this.rejoinRequested) return;
      try {
        await this.coordinator!.heartbeat({ groupId, groupGenerationId: this.generation, memberId: this.memberId });
      } catch (err) {
        const type = errorType(err);
        if (type === 'REBALANCE_IN_PROGRESS') return;
        if (type === 'ILLEGAL_GENERATION') return;
        throw err;
      }
    }
  }
}
