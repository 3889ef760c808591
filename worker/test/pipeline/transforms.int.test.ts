import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startWorkerProcess, tempDir, waitFor, type WorkerProcess } from '../support/worker-process.js';

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0) : []);

describe('single message transforms and predicates through a worker', () => {
  let worker: WorkerProcess;
  let dir: string;
  beforeAll(async () => {
    dir = tempDir('smt');
    worker = await startWorkerProcess({ dataDir: path.join(dir, 'data') });
  });
  afterAll(async () => {
    await worker?.kill('SIGKILL');
  });

  it('applies the chain in order on the source side: hoist, insert, route, and a negated filter', async () => {
    const input = path.join(dir, 'in.txt');
    const output = path.join(dir, 'out.txt');
    writeFileSync(input, '');
    const src = await http(worker.url + '/connectors', 'POST', {
      name: 'smt-source',
      config: {
        'connector.class': 'FileStreamSource',
        file: input,
        topic: 'raw-events',
        'value.converter.schemas.enable': 'false',
        transforms: 'hoist,insert,route,dropOthers',
        'transforms.hoist.type': 'org.apache.kafka.connect.transforms.HoistField$Value',
        'transforms.hoist.field': 'line',
        'transforms.insert.type': 'InsertField$Value',
        'transforms.insert.static.field': 'origin',
        'transforms.insert.static.value': 'sluice',
        'transforms.route.type': 'RegexRouter',
        'transforms.route.regex': 'raw-(.*)',
        'transforms.route.replacement': 'clean-$1',
        // Drops every record whose topic is not clean-* after routing: none here, so all pass.
        'transforms.dropOthers.type': 'Filter',
        'transforms.dropOthers.predicate': 'isClean',
        'transforms.dropOthers.negate': 'true',
        predicates: 'isClean',
        'predicates.isClean.type': 'TopicNameMatches',
        'predicates.isClean.pattern': 'clean-.*',
      },
    });
    expect(src.status).toBe(201);
    const snk = await http(worker.url + '/connectors', 'POST', {
      name: 'smt-sink',
      config: {
        'connector.class': 'FileStreamSink',
        file: output,
        topics: 'clean-events',
        'value.converter.schemas.enable': 'false',
        // Sink side: drop the records whose value is a tombstone (none) and mask nothing else.
        transforms: 'dropTombstones',
        'transforms.dropTombstones.type': 'Filter',
        'transforms.dropTombstones.predicate': 'tomb',
        predicates: 'tomb',
        'predicates.tomb.type': 'RecordIsTombstone',
      },
    });
    expect(snk.status).toBe(201);
    appendFileSync(input, 'alpha\nbeta\ngamma\n');
    await waitFor(() => lines(output).length >= 3, 30_000, 'transformed records at the sink');
    expect(lines(output).map((l) => JSON.parse(l))).toEqual([
      { line: 'alpha', origin: 'sluice' },
      { line: 'beta', origin: 'sluice' },
      { line: 'gamma', origin: 'sluice' },
    ]);
  });

  it('rejects unknown transform types and undeclared predicates with 400 naming the key', async () => {
    const r = await http(worker.url + '/connectors', 'POST', {
      name: 'bad-smt',
      config: {
        'connector.class': 'FileStreamSource',
        file: path.join(dir, 'x.txt'),
        topic: 't',
        transforms: 'a,b',
        'transforms.a.type': 'com.example.NoSuchTransform',
        'transforms.b.type': 'Filter',
        'transforms.b.predicate': 'missing',
      },
    });
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('transforms.a.type');
    expect(r.body.message).toContain('transforms.b.type');
    expect((await http(worker.url + '/connectors', 'GET')).body).not.toContain('bad-smt');
  });
});
