/**
 * Binary formats of the worker group's metadata and assignments, Kafka Connect's incremental
 * cooperative protocol (protocol type `connect`, protocol name `sessioned`, version 2), in Kafka's
 * wire types: int16/int32/int64 big-endian, strings as int16 length + UTF-8, arrays as int32 count,
 * nullable bytes as int32 length (-1 = null). Workers of a group exchange these through the broker's
 * group coordinator; tools that describe `connect` groups see the same shapes as for Kafka Connect.
 */

export const CONNECT_PROTOCOL_VERSION = 2;
export const PROTOCOL_NAME = 'sessioned';
/** Task id used in assignments for the connector instance itself. */
export const CONNECTOR_TASK = -1;

/** connector → task ids (CONNECTOR_TASK for the connector instance) */
export type Allocation = Map<string, number[]>;

export interface WorkerMetadata {
  version: number;
  url: string;
  configOffset: number;
  /** what this worker runs now (null on a fresh worker) */
  allocation: Allocation | null;
}

export interface WorkerAssignment {
  version: number;
  /** 0 = none, 1 = config mismatch (the worker must catch up on the config topic) */
  error: number;
  leader: string;
  leaderUrl: string;
  configOffset: number;
  assigned: Allocation;
  revoked: Allocation;
  /** ms until the leader expects a follow-up rebalance (scheduled.rebalance.max.delay.ms) */
  delayMs: number;
}

class Writer {
  private readonly parts: Buffer[] = [];
  int16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    this.parts.push(b);
    return this;
  }
  int32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    this.parts.push(b);
    return this;
  }
  int64(v: number): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(v));
    this.parts.push(b);
    return this;
  }
  string(s: string): this {
    const bytes = Buffer.from(s, 'utf8');
    this.int16(bytes.length);
    this.parts.push(bytes);
    return this;
  }
  bytes(b: Buffer | null): this {
    if (b === null) return this.int32(-1);
    this.int32(b.length);
    this.parts.push(b);
    return this;
  }
  allocation(a: Allocation): this {
    const entries = [...a.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    this.int32(entries.length);
    for (const [connector, tasks] of entries) {
      this.string(connector);
      this.int32(tasks.length);
      for (const t of [...tasks].sort((x, y) => x - y)) this.int32(t);
    }
    return this;
  }
  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}

class Reader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}
  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new Error('Truncated connect protocol message');
  }
  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  int64(): number {
    this.need(8);
    const v = Number(this.buf.readBigInt64BE(this.pos));
    this.pos += 8;
    return v;
  }
  string(): string {
    const n = this.int16();
    if (n < 0) return '';
    this.need(n);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  bytes(): Buffer | null {
    const n = this.int32();
    if (n < 0) return null;
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  allocation(): Allocation {
    const out: Allocation = new Map();
    const count = this.int32();
    for (let i = 0; i < count; i++) {
      const connector = this.string();
      const n = this.int32();
      const tasks: number[] = [];
      for (let j = 0; j < n; j++) tasks.push(this.int32());
      out.set(connector, tasks);
    }
    return out;
  }
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
}

export function encodeMetadata(m: WorkerMetadata): Buffer {
  const w = new Writer().int16(m.version).string(m.url).int64(m.configOffset);
  w.bytes(m.allocation === null ? null : new Writer().int16(m.version).allocation(m.allocation).build());
  return w.build();
}

export function decodeMetadata(buf: Buffer): WorkerMetadata {
  const r = new Reader(buf);
  const version = r.int16();
  const url = r.string();
  const configOffset = r.int64();
  let allocation: Allocation | null = null;
  if (version >= 1 && !r.done) {
    const raw = r.bytes();
    if (raw) {
      const ar = new Reader(raw);
      ar.int16();
      allocation = ar.allocation();
    }
  }
  return { version, url, configOffset, allocation };
}

export function encodeAssignment(a: WorkerAssignment): Buffer {
  return new Writer()
    .int16(a.version)
    .int16(a.error)
    .string(a.leader)
    .string(a.leaderUrl)
    .int64(a.configOffset)
    .allocation(a.assigned)
    .allocation(a.revoked)
    .int32(a.delayMs)
    .build();
}

export function decodeAssignment(buf: Buffer): WorkerAssignment {
  const r = new Reader(buf);
  const version = r.int16();
  const error = r.int16();
  const leader = r.string();
  const leaderUrl = r.string();
  const configOffset = r.int64();
  const assigned = r.allocation();
  const revoked = version >= 1 && !r.done ? r.allocation() : new Map();
  const delayMs = version >= 1 && !r.done ? r.int32() : 0;
  return { version, error, leader, leaderUrl, configOffset, assigned, revoked, delayMs };
}

/** Flattens an allocation into `connector` / `connector-task` keys. */
export function workKeys(a: Allocation): Set<string> {
  const out = new Set<string>();
  for (const [c, tasks] of a) for (const t of tasks) out.add(workKey(c, t));
  return out;
}

export const workKey = (connector: string, task: number): string => `${task}\u0000${connector}`;

export function parseWorkKey(key: string): { connector: string; task: number } {
  const i = key.indexOf('\u0000');
  return { task: Number(key.slice(0, i)), connector: key.slice(i + 1) };
}

export function toAllocation(keys: Iterable<string>): Allocation {
  const out: Allocation = new Map();
  for (const k of keys) {
    const { connector, task } = parseWorkKey(k);
    const list = out.get(connector) ?? [];
    list.push(task);
    out.set(connector, list);
  }
  return out;
}
