import { describe, expect, it } from 'vitest';
import { ConnectError, RetriableError } from '@sluice/core';
import { SourceTaskHarness, type PartitionOffset } from '@sluice/testkit';
import type { Document } from 'mongodb';
import type { ChangeStreamCursor, ChangeStreamStart, CopyCursor, MongoSourcePort, Namespace } from './mongo-source-port.js';
import { MongoSourceTask } from './mongo-source-task.js';
import { copyOffset, streamOffset, type ResumeToken } from './source-offset.js';

// A scripted change stream: each tryNext takes the next step (an event, null, an error, or a
// promise the test resolves later). The MongoDB errors that matter here (286, network) cannot be
// produced on demand by a test server, which is why these paths are tested with fakes.
type Step = Document | null | Error | Promise<Document | null>;

class FakeStream implements ChangeStreamCursor {
  resumeToken: ResumeToken | null = null;
  closed = false;
  calls = 0;
  constructor(private readonly steps: Step[]) {}
  async tryNext(): Promise<Document | null> {
    this.calls++;
    const step = this.steps.shift() ?? null;
    if (step instanceof Error) throw step;
    const event = await step;
    if (event !== null) this.resumeToken = event['_id'] as ResumeToken;
    return event;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

class FakePort implements MongoSourcePort {
  readonly starts: ChangeStreamStart[] = [];
  readonly streams: FakeStream[] = [];
  closed = false;
  constructor(
    private readonly scripts: Step[][],
    private readonly copies: Record<string, Document[]> = {},
  ) {}
  watch(_scope: unknown, start: ChangeStreamStart): FakeStream {
    this.starts.push(start);
    const stream = new FakeStream(this.scripts.shift() ?? []);
    this.streams.push(stream);
    return stream;
  }
  async listNamespaces(): Promise<Namespace[]> {
    return Object.keys(this.copies).map((k) => ({ db: k.split('.')[0]!, coll: k.split('.')[1]! }));
  }
  copy(ns: Namespace): CopyCursor {
    const docs = [...(this.copies[`${ns.db}.${ns.coll}`] ?? [])];
    return { next: async () => docs.shift() ?? null, close: async () => {} };
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

const CONFIG = { 'connection.uri': 'mongodb://u:pw@db1:27017', database: 'shop', collection: 'orders', 'poll.await.time.ms': '200', 'offset.partition.name': 'p' };
const PARTITION = { ns: 'p' };

function event(n: number, extra: Document = {}): Document {
  return { _id: { _data: `T${n}` }, operationType: 'insert', ns: { db: 'shop', coll: 'orders' }, documentKey: { _id: n }, fullDocument: { _id: n }, ...extra };
}

function mongoError(code: number, codeName: string, message: string): Error {
  return Object.assign(new Error(message), { code, codeName, name: 'MongoServerError' });
}

async function start(port: FakePort, options: { config?: Record<string, string>; committed?: PartitionOffset[]; now?: () => number } = {}) {
  return SourceTaskHarness.start(() => new MongoSourceTask({ portFactory: async () => port, idleBackoffMs: 5, now: options.now }), {
    config: { ...CONFIG, ...options.config },
    committedOffsets: options.committed,
    connectorName: 'orders-cdc',
  });
}

describe('MongoSourceTask (fake change stream)', () => {
  it('fails with error 286 and the recovery steps instead of restarting from now', async () => {
    const port = new FakePort([[mongoError(286, 'ChangeStreamHistoryLost', 'Resume of change stream was not possible, as the resume point may no longer be in the oplog.')]]);
    const err = await start(port, { committed: [{ partition: PARTITION, offset: streamOffset({ _data: 'OLD' }) }] }).catch((e: unknown) => e);
    expect(ConnectError.is(err)).toBe(true);
    const e = err as ConnectError;
    expect(e.retriable).toBe(false);
    expect(e.context['mongoErrorCode']).toBe(286);
    expect(e.message).toContain('error 286 ChangeStreamHistoryLost');
    expect(e.message).toContain('no longer in the server\'s oplog');
    expect(e.message).toContain('DELETE /connectors/orders-cdc/offsets');
    expect(e.message).toContain('"startup.mode": "copy_existing"');
    expect(e.message).toContain('heartbeat.interval.ms');
    // the only stream ever opened resumed after the stored token: no silent restart from "now"
    expect(port.starts).toEqual([{ startAfter: { _data: 'OLD' } }]);
    expect(port.closed).toBe(true);
  });

  it('hands out the events read before a lost resume point, then fails', async () => {
    const port = new FakePort([[null, event(1), event(2), mongoError(286, 'ChangeStreamHistoryLost', 'history lost')]]);
    const harness = await start(port);
    expect((await harness.poll()).map((r) => r.sourceOffset)).toEqual([streamOffset({ _data: 'T1' }), streamOffset({ _data: 'T2' })]);
    const err = await harness.poll().catch((e: unknown) => e);
    expect(ConnectError.is(err) && !err.retriable && err.message.includes('286')).toBe(true);
    await harness.stop();
  });

  it('treats 260, 280 and 10334 as lost resume points too', async () => {
    for (const [code, name] of [
      [260, 'InvalidResumeToken'],
      [280, 'ChangeStreamFatalError'],
      [10334, 'BSONObjectTooLarge'],
    ] as const) {
      const port = new FakePort([[null, mongoError(code, name, 'boom')]]);
      const harness = await start(port);
      const err = await harness.poll().catch((e: unknown) => e);
      expect((err as ConnectError).message).toContain(`error ${code} ${name}`);
      expect((err as ConnectError).retriable).toBe(false);
      await harness.stop();
    }
  });

  it('reopens the stream after the last event read when a transient error interrupts it', async () => {
    const network = Object.assign(new Error('connection reset'), { name: 'MongoNetworkError' });
    const port = new FakePort([[null, event(1), network], [event(2)]]);
    const harness = await start(port);
    expect((await harness.poll()).map((r) => r.key)).toEqual(['{"_id":1}']);
    const err = await harness.poll().catch((e: unknown) => e);
    expect(RetriableError.is(err)).toBe(true);
    expect(port.streams[0]?.closed).toBe(true);
    expect((await harness.poll()).map((r) => r.key)).toEqual(['{"_id":2}']);
    expect(port.starts).toEqual([{}, { startAfter: { _data: 'T1' } }]);
    await harness.stop();
  });

  it('publishes the post-batch resume token of a quiet stream as a heartbeat, once per token', async () => {
    let now = 10_000;
    const port = new FakePort([[]]);
    const harness = await start(port, { config: { 'heartbeat.interval.ms': '1000', 'heartbeat.topic.name': 'beats' }, now: () => now });
    const stream = port.streams[0]!;
    stream.resumeToken = { _data: 'PBRT1' };
    const [beat] = await harness.poll();
    expect(beat?.topic).toBe('beats');
    expect(beat?.key).toBe('{"_data":"PBRT1"}');
    expect(beat?.sourceOffset).toEqual({ _id: '{"_data":"PBRT1"}', HEARTBEAT: 'true' });
    now += 5000;
    expect(await harness.poll()).toEqual([]); // same token: nothing new to store
    now -= 4500; // back to 500 ms after the heartbeat
    stream.resumeToken = { _data: 'PBRT2' };
    expect(await harness.poll()).toEqual([]); // a new token, but the interval has not passed
    now += 600;
    expect((await harness.poll()).map((r) => r.sourceOffset['_id'])).toEqual(['{"_data":"PBRT2"}']);
    await harness.commitOffsets();
    expect(harness.committedOffset(PARTITION)).toEqual({ _id: '{"_data":"PBRT2"}', HEARTBEAT: 'true' });
    await harness.restart();
    expect(port.starts.at(-1)).toEqual({ startAfter: { _data: 'PBRT2' } });
    await harness.stop();
  });

  it('returns promptly when the poll is aborted and delivers the abandoned read on the next poll', async () => {
    let release: (d: Document) => void = () => {};
    const slow = new Promise<Document | null>((r) => (release = r));
    const port = new FakePort([[null, slow]]);
    const harness = await start(port);
    const started = Date.now();
    const aborted = await harness.poll(AbortSignal.timeout(30));
    expect(aborted).toEqual([]);
    expect(Date.now() - started).toBeLessThan(150);
    release(event(9));
    expect((await harness.poll()).map((r) => r.key)).toEqual(['{"_id":9}']);
    expect(port.streams[0]?.calls).toBe(3);
    await harness.stop();
    expect(port.closed).toBe(true);
  });

  it('copies existing documents first and ends the copy with the stream start token', async () => {
    const port = new FakePort([[null, event(50)]], {
      'shop.orders': [1, 2, 3].map((n) => ({ _id: { _id: n, copyingData: true }, operationType: 'insert', ns: { db: 'shop', coll: 'orders' }, documentKey: { _id: n }, fullDocument: { _id: n } })),
    });
    const harness = await start(port, { config: { 'startup.mode': 'copy_existing', 'poll.max.batch.size': '2' } });
    port.streams[0]!.resumeToken = null;
    // the stream opened (and reported its start token) before the copy read anything
    expect(port.starts).toEqual([{}]);
    const first = await harness.poll();
    const second = await harness.poll();
    expect([...first, ...second].map((r) => r.key)).toEqual(['{"_id":1}', '{"_id":2}', '{"_id":3}']);
    expect(first.map((r) => r.sourceOffset)).toEqual([copyOffset(null), copyOffset(null)]);
    const streamed = await harness.poll();
    expect(streamed.map((r) => r.sourceOffset)).toEqual([streamOffset({ _data: 'T50' })]);
    await harness.stop();
  });

  it('ends a copy with the start token reported when the stream opened', async () => {
    const port = new FakePort([[]], { 'shop.orders': [{ _id: { _id: 1, copyingData: true }, operationType: 'insert', ns: { db: 'shop', coll: 'orders' }, documentKey: { _id: 1 }, fullDocument: { _id: 1 } }] });
    // a real server reports a post-batch resume token on the empty first batch
    const originalWatch = port.watch.bind(port);
    port.watch = (scope, s) => {
      const stream = originalWatch(scope, s);
      stream.resumeToken = { _data: 'START' };
      return stream;
    };
    const harness = await start(port, { config: { 'startup.mode': 'copy_existing' } });
    const [copied] = await harness.poll();
    expect(copied?.sourceOffset).toEqual(streamOffset({ _data: 'START' }));
    await harness.commitOffsets();
    await harness.restart();
    expect(port.starts.at(-1)).toEqual({ startAfter: { _data: 'START' } });
    await harness.stop();
  });

  it('refuses to guess a start point from an unreadable stored offset', async () => {
    const port = new FakePort([[]]);
    const err = await start(port, { committed: [{ partition: PARTITION, offset: { _id: 'garbage' } }] }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/stored offset for p cannot be read/);
    expect(port.starts).toEqual([]);
  });
});
