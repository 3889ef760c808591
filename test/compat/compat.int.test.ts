/**
 * Side-by-side REST compatibility: the same scripted scenario (support/rest-scenario.ts) runs
 * against Apache Kafka Connect 4.x (real jars from Maven Central, distributed mode, on a test
 * broker) and against a Sluice standalone worker; status codes, content types and JSON shapes are
 * compared field by field. Every difference must be listed in documented-differences.ts, and every
 * listed difference in docs/compatibility.md, with its reason; a listed difference that no longer
 * occurs fails too, so the list stays true.
 *
 * Needs java + mvn (jars are cached in .cache/compat); set SLUICE_COMPAT_DUMP=<file> to write both
 * runs' exchanges as JSON for inspection.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOpenApiValidator } from '@sluice/api/openapi';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaTestGate, startKafkaCluster, type KafkaCluster } from '../../worker/test/support/kafka-cluster.js';
import { startWorkerProcess, tempDir, type WorkerProcess } from '../../worker/test/support/worker-process.js';
import { DOCUMENTED_DIFFERENCES, type Difference, matches } from './documented-differences.js';
import { fetchJars, javaTestGate } from './support/java-jars.js';
import { diffJson } from './support/json-shape.js';
import { startKafkaConnect, type KafkaConnectProcess } from './support/kafka-connect-process.js';
import { runScenario, scenario, type Exchange } from './support/rest-scenario.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const DOC = path.resolve(here, '../../docs/compatibility.md');
const javaGate = javaTestGate(['connect']);
const kafkaGate = javaGate.skip ? javaGate : kafkaTestGate();

describe.skipIf(javaGate.skip || kafkaGate.skip)('REST compatibility with Apache Kafka Connect', () => {
  let kafka: KafkaCluster | undefined;
  let connect: KafkaConnectProcess | undefined;
  let sluice: WorkerProcess | undefined;
  const steps = scenario({ sinkFile: '', sourceFile: '' });
  let kc: Exchange[] = [];
  let sl: Exchange[] = [];
  let differences: Difference[] = [];

  beforeAll(async () => {
    const libs = await fetchJars('connect', (line) => process.stderr.write(`${line}\n`));
    kafka = await startKafkaCluster({ brokers: 1 });
    // The test broker does not auto-create topics; the scenario's connectors use this one.
    const admin = new Kafka({ brokers: kafka.bootstrapServers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'compat-lines', numPartitions: 1, replicationFactor: 1 }] });
    await admin.disconnect();
    const kcDir = tempDir('compat-kc');
    const slDir = tempDir('compat-sluice');
    for (const dir of [kcDir, slDir]) writeFileSync(path.join(dir, 'in.txt'), 'one\ntwo\nthree\n');
    // One system at a time: the machine has two cores, and a JVM starting up wants both.
    connect = await startKafkaConnect({ libs, bootstrapServers: kafka.bootstrapServers });
    try {
      kc = await runScenario(connect.url, scenario({ sinkFile: path.join(kcDir, 'out.txt'), sourceFile: path.join(kcDir, 'in.txt') }));
    } catch (err) {
      throw new Error(`${String(err)}\n--- Kafka Connect log ---\n${connect.tail()}`);
    }
    await connect.stop();
    sluice = await startWorkerProcess({ dataDir: tempDir('compat-data'), env: { SLUICE_OFFSET_FLUSH_INTERVAL_MS: '1000' } });
    try {
      sl = await runScenario(sluice.url, scenario({ sinkFile: path.join(slDir, 'out.txt'), sourceFile: path.join(slDir, 'in.txt') }));
    } catch (err) {
      throw new Error(`${String(err)}\n--- Sluice output ---\n${sluice.output().slice(-4000)}`);
    }
    differences = compare(kc, sl);
    const dump = process.env['SLUICE_COMPAT_DUMP'];
    if (dump !== undefined) writeFileSync(dump, JSON.stringify({ kafkaConnect: kc, sluice: sl, differences }, null, 2));
  });

  afterAll(async () => {
    await connect?.stop();
    await sluice?.kill('SIGTERM');
    await kafka?.stop();
  });

  it('runs every step of the scenario on both systems', () => {
    expect(kc.map((e) => e.step)).toEqual(steps.map((s) => s.name));
    expect(sl.map((e) => e.step)).toEqual(steps.map((s) => s.name));
  });

  it('answers with Kafka Connect\'s status codes, content types and JSON shapes, except documented differences', () => {
    const undocumented = differences.filter((d) => !DOCUMENTED_DIFFERENCES.some((allowed) => matches(allowed, d)));
    expect(undocumented.map(format)).toEqual([]);
  });

  it('lists only differences that still occur', () => {
    const stale = DOCUMENTED_DIFFERENCES.filter((allowed) => !differences.some((d) => matches(allowed, d)));
    expect(stale.map((s) => `${s.id}: ${s.step}`)).toEqual([]);
  });

  it('explains every allowed difference in docs/compatibility.md', () => {
    const doc = readFileSync(DOC, 'utf8');
    for (const allowed of DOCUMENTED_DIFFERENCES) {
      expect(doc, `docs/compatibility.md must have a row for ${allowed.id}`).toMatch(new RegExp(`^\\|\\s*${allowed.id}\\s*\\|`, 'm'));
    }
  });

  it('answers every scenario request as api/openapi.json describes', () => {
    const validator = createOpenApiValidator();
    const problems = sl.flatMap((exchange, i) => {
      const step = steps[i]!;
      return validator.check({ method: step.method, path: step.path, status: exchange.status, contentType: exchange.contentType ?? undefined, body: exchange.text });
    });
    expect(problems).toEqual([]);
  });
});

/** Every difference between the two runs, step by step. */
function compare(kc: readonly Exchange[], sl: readonly Exchange[]): Difference[] {
  const out: Difference[] = [];
  const steps = scenario({ sinkFile: '', sourceFile: '' });
  for (const [i, step] of steps.entries()) {
    const a = kc[i];
    const b = sl[i];
    if (a === undefined || b === undefined) continue;
    if (a.status !== b.status) {
      out.push({ step: step.name, kind: 'status', path: '$', kafkaConnect: String(a.status), sluice: String(b.status) });
      continue;
    }
    const typeA = a.contentType?.split(';')[0] ?? '';
    const typeB = b.contentType?.split(';')[0] ?? '';
    if (a.text !== '' && typeA !== typeB) {
      out.push({ step: step.name, kind: 'content-type', path: '$', kafkaConnect: typeA, sluice: typeB });
    }
    if (a.text === '' && b.text === '') continue;
    for (const d of diffJson(a.body, b.body, step.compare ?? 'strict')) {
      out.push({ step: step.name, kind: d.kind, path: d.path, kafkaConnect: d.kafkaConnect, sluice: d.sluice });
    }
  }
  return out;
}

function format(d: Difference): string {
  return `${d.step} | ${d.kind} ${d.path} | Kafka Connect ${d.kafkaConnect} | Sluice ${d.sluice}`;
}
