import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaTestGate, startKafkaCluster, type KafkaCluster } from '../support/kafka-cluster.js';
import { http, waitFor } from '../support/worker-process.js';
import { SequencePipeline, WorkerCluster, allRunning } from './cluster-support.js';

const gate = kafkaTestGate();

describe.skipIf(gate.skip)('distributed mode on a real Kafka broker', () => {
  let kafka: KafkaCluster;
  beforeAll(async () => {
    kafka = await startKafkaCluster({ brokers: 1 });
  });
  afterAll(async () => {
    await kafka?.stop();
  });

  it('spreads tasks over 3 workers, forwards follower writes to the leader and answers reads anywhere', async () => {
    const cluster = new WorkerCluster(kafka.bootstrapServers.join(','), 'spread');
    try {
      await Promise.all([0, 1, 2].map((i) => cluster.start(i)));
      await cluster.healthy();
      const pipelines = ['a', 'b', 'c'].map((n) => new SequencePipeline(cluster.dir, `spread-${n}`));
      for (const [i, p] of pipelines.entries()) {
        p.append(50);
        // Writes go to every worker in turn: two of three are followers and must forward.
        await p.create(cluster.url(i));
      }
      const names = pipelines.flatMap((p) => [`${p.name}-source`, `${p.name}-sink`]);
      const statuses = await allRunning(cluster.url(0), names);
      const owners = new Set<string>();
      for (const n of names) {
        const st = statuses[n].status;
        expect(st.connector.worker_id).toMatch(/^127\.0\.0\.1:\d+$/);
        for (const t of st.tasks) owners.add(t.worker_id);
      }
      expect(owners.size).toBe(3);
      for (const p of pipelines) await p.complete();
      for (const p of pipelines) expect(p.verify()).toEqual({ missing: [], duplicates: 0 });
      // Every worker answers reads from its own view of the config topic.
      for (const i of [0, 1, 2]) {
        const list = (await http(cluster.url(i) + '/connectors', 'GET')).body as string[];
        expect(list.sort()).toEqual([...names].sort());
      }
      // Task configs of connectors owned by followers went through the leader's signed internal
      // endpoint; unsigned and wrongly signed calls to it are refused.
      const unsigned = await http(cluster.url(0) + '/connectors/spread-a-source/tasks', 'POST', [{}]);
      expect(unsigned.status).toBe(400);
      const forged = await http(cluster.url(0) + '/connectors/spread-a-source/tasks', 'POST', [{}], {
        'X-Connect-Authorization': Buffer.from('not the key').toString('base64'),
        'X-Connect-Request-Signature-Algorithm': 'HmacSHA256',
      });
      expect(forged.status).toBe(403);
      // A duplicate create sent to a follower comes back from the leader as 409.
      const dup = await http(cluster.url(2) + '/connectors', 'POST', {
        name: 'spread-a-source',
        config: { 'connector.class': 'FileStreamSource', file: '/dev/null', topic: 'x' },
      });
      expect(dup.status).toBe(409);
    } finally {
      await cluster.stopAll();
    }
  });

  it('moves the tasks of a kill -9 worker to the others and loses no record', async () => {
    const cluster = new WorkerCluster(kafka.bootstrapServers.join(','), 'kill9');
    try {
      await Promise.all([0, 1, 2].map((i) => cluster.start(i)));
      await cluster.healthy();
      const pipelines = ['a', 'b', 'c'].map((n) => new SequencePipeline(cluster.dir, `kill9-${n}`));
      for (const p of pipelines) {
        p.append(100);
        await p.create(cluster.url(0));
      }
      const names = pipelines.flatMap((p) => [`${p.name}-source`, `${p.name}-sink`]);
      const before = await allRunning(cluster.url(0), names);
      // Kill the worker that runs the first source task, while data keeps arriving.
      const victimId = before[`${pipelines[0]!.name}-source`].status.tasks[0].worker_id as string;
      const victim = cluster.running().find((w) => w.process!.url.endsWith(victimId))!;
      for (const p of pipelines) p.append(200);
      await cluster.kill(victim.index, 'SIGKILL');
      for (const p of pipelines) p.append(200);
      const survivor = cluster.running()[0]!.index;
      const after = await waitFor(async () => {
        const st = await allRunning(cluster.url(survivor), names, 5_000).catch(() => null);
        if (!st) return null;
        const owners = names.flatMap((n) => st[n].status.tasks.map((t: any) => t.worker_id));
        return owners.includes(victimId) ? null : st;
      }, 90_000, 'tasks reassigned away from the killed worker');
      expect(Object.keys(after).length).toBe(names.length);
      for (const p of pipelines) p.append(100);
      for (const p of pipelines) await p.complete();
      let duplicates = 0;
      for (const p of pipelines) {
        const v = p.verify();
        expect(v.missing).toEqual([]);
        duplicates += v.duplicates;
      }
      console.log(`kill -9 of one of 3 workers: 0 missing, ${duplicates} duplicates over ${pipelines.length * 600} records`);
    } finally {
      await cluster.stopAll();
    }
  });

  it('loses nothing and duplicates nothing through a rolling SIGTERM restart of every worker', async () => {
    const cluster = new WorkerCluster(kafka.bootstrapServers.join(','), 'rolling');
    try {
      await Promise.all([0, 1, 2].map((i) => cluster.start(i)));
      await cluster.healthy();
      const pipelines = ['a', 'b'].map((n) => new SequencePipeline(cluster.dir, `rolling-${n}`));
      for (const p of pipelines) {
        p.append(100);
        await p.create(cluster.url(0));
      }
      const names = pipelines.flatMap((p) => [`${p.name}-source`, `${p.name}-sink`]);
      await allRunning(cluster.url(0), names);
      for (const i of [0, 1, 2]) {
        for (const p of pipelines) p.append(150);
        expect(await cluster.kill(i, 'SIGTERM')).toBe(0);
        for (const p of pipelines) p.append(150);
        await cluster.start(i);
        await cluster.healthy();
      }
      const other = cluster.running()[0]!.index;
      await allRunning(cluster.url(other), names);
      for (const p of pipelines) await p.complete();
      for (const p of pipelines) expect(p.verify()).toEqual({ missing: [], duplicates: 0 });
    } finally {
      await cluster.stopAll();
    }
  });

  it('keeps configs, target states and source offsets through a full cluster restart', async () => {
    const cluster = new WorkerCluster(kafka.bootstrapServers.join(','), 'fullrestart');
    try {
      await Promise.all([0, 1].map((i) => cluster.start(i)));
      await cluster.healthy();
      const p = new SequencePipeline(cluster.dir, 'full-a');
      const q = new SequencePipeline(cluster.dir, 'full-b');
      for (const x of [p, q]) {
        x.append(100);
        await x.create(cluster.url(1));
      }
      await allRunning(cluster.url(0), [`${p.name}-source`, `${p.name}-sink`, `${q.name}-source`, `${q.name}-sink`]);
      await p.complete();
      await q.complete();
      expect((await http(cluster.url(0) + `/connectors/${q.name}-sink/pause`, 'PUT')).status).toBe(202);
      expect((await http(cluster.url(1) + `/connectors/${q.name}-source/stop`, 'PUT')).status).toBe(204);
      await waitFor(async () => (await http(cluster.url(0) + `/connectors/${q.name}-source/status`, 'GET')).body?.connector?.state === 'STOPPED');
      // Source offsets are flushed every second: let a flush after the last record happen first.
      await new Promise((r) => setTimeout(r, 2500));
      const offsetsBefore = await waitFor(async () => {
        const body = (await http(cluster.url(0) + `/connectors/${p.name}-source/offsets`, 'GET')).body;
        return body?.offsets?.length === 1 ? body : null;
      }, 20_000, 'committed source offsets');
      for (const w of cluster.running()) expect(await cluster.kill(w.index, 'SIGTERM')).toBe(0);

      await Promise.all([0, 1].map((i) => cluster.start(i)));
      await cluster.healthy();
      const list = (await http(cluster.url(0) + '/connectors', 'GET')).body as string[];
      expect(list.length).toBe(4);
      await waitFor(async () => (await http(cluster.url(0) + `/connectors/${q.name}-sink/status`, 'GET')).body?.tasks?.[0]?.state === 'PAUSED', 60_000, 'paused sink');
      // Statuses read UNASSIGNED between the shutdown and the new owner starting the connector.
      const stopped = await waitFor(async () => {
        const body = (await http(cluster.url(1) + `/connectors/${q.name}-source/status`, 'GET')).body;
        return body?.connector?.state === 'STOPPED' ? body : null;
      }, 60_000, 'stopped connector');
      expect(stopped.connector.state).toBe('STOPPED');
      expect(stopped.tasks).toEqual([]);
      expect((await http(cluster.url(1) + `/connectors/${p.name}-source/offsets`, 'GET')).body).toEqual(offsetsBefore);
      // The running pipeline resumes from its offsets: new records only, no replay.
      p.append(50);
      await p.complete();
      expect(p.verify()).toEqual({ missing: [], duplicates: 0 });
    } finally {
      await cluster.stopAll();
    }
  });

  it('rides out a broker restart: tasks retry, nothing is lost, no task is left FAILED', async () => {
    const cluster = new WorkerCluster(kafka.bootstrapServers.join(','), 'brokerbounce');
    try {
      await Promise.all([0, 1].map((i) => cluster.start(i)));
      await cluster.healthy();
      const p = new SequencePipeline(cluster.dir, 'bounce');
      p.append(100);
      await p.create(cluster.url(0));
      const names = [`${p.name}-source`, `${p.name}-sink`];
      await allRunning(cluster.url(0), names);
      await p.complete();
      await kafka.stopBroker(0);
      p.append(200);
      await new Promise((r) => setTimeout(r, 3000));
      await kafka.startBroker(0);
      p.append(100);
      await p.complete(120_000);
      expect(p.verify().missing).toEqual([]);
      const st = await allRunning(cluster.url(0), names, 60_000);
      for (const n of names) expect(st[n].status.tasks.every((t: any) => t.state === 'RUNNING')).toBe(true);
    } finally {
      await cluster.stopAll();
    }
  });
});
