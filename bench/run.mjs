// Benchmarks the standalone pipeline file source → embedded log → file sink against a baseline that
// moves the same bytes on the same disk without Sluice (read the input, append it to a log file with
// fsync every batch, read that back, write the output). Prints records/s, MB/s and the ratio.
//
//   node bench/run.mjs [--records 1000000] [--sizes 100,1024]
import { createReadStream, createWriteStream, mkdtempSync, openSync, fsyncSync, closeSync, rmSync, statSync, writeSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { startStandalone } from '../worker/dist/index.js';
import { noopLogger } from '../core/dist/index.js';

const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const RECORDS = Number(arg('records', '1000000'));
const SIZES = arg('sizes', '100,1024').split(',').map(Number);

function line(i, size) {
  const head = `${i} `;
  return head + 'x'.repeat(Math.max(0, size - head.length - 1)) + '\n';
}

async function writeInput(file, size) {
  const out = createWriteStream(file);
  for (let i = 0; i < RECORDS; i++) {
    if (!out.write(line(i, size))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function baseline(input, dir) {
  const start = performance.now();
  const logFile = path.join(dir, 'baseline.log');
  const fd = openSync(logFile, 'w');
  let batch = [];
  const flush = () => {
    if (batch.length === 0) return;
    writeSync(fd, batch.join(''));
    fsyncSync(fd);
    batch = [];
  };
  for await (const l of createInterface({ input: createReadStream(input), crlfDelay: Infinity })) {
    batch.push(l + '\n');
    if (batch.length === 2000) flush();
  }
  flush();
  closeSync(fd);
  const out = openSync(path.join(dir, 'baseline.out'), 'w');
  let pending = [];
  for await (const l of createInterface({ input: createReadStream(logFile), crlfDelay: Infinity })) {
    pending.push(l + '\n');
    if (pending.length === 2000) {
      writeSync(out, pending.join(''));
      pending = [];
    }
  }
  writeSync(out, pending.join(''));
  fsyncSync(out);
  closeSync(out);
  return (performance.now() - start) / 1000;
}

async function sluice(input, dir, expectedBytes) {
  const output = path.join(dir, 'sluice.out');
  const worker = await startStandalone(
    {
      'data.dir': path.join(dir, 'data'),
      listeners: 'http://127.0.0.1:0',
      'offset.flush.interval.ms': '10000',
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
    },
    noopLogger,
  );
  const start = performance.now();
  await worker.herder.putConnectorConfig('bench-source', { 'connector.class': 'FileStreamSource', file: input, topic: 'bench', 'batch.size': '2000' }, { allowReplace: false });
  await worker.herder.putConnectorConfig('bench-sink', { 'connector.class': 'FileStreamSink', file: output, topics: 'bench' }, { allowReplace: false });
  for (;;) {
    let size = 0;
    try {
      size = statSync(output).size;
    } catch {}
    if (size >= expectedBytes) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (performance.now() - start) / 1000;
  await worker.stop();
  return seconds;
}

const fmt = (n) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });
console.log(`Sluice standalone pipeline benchmark: ${RECORDS.toLocaleString('en-US')} records per size, node ${process.version}`);
for (const size of SIZES) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-'));
  try {
    const input = path.join(dir, 'input.txt');
    await writeInput(input, size);
    const bytes = statSync(input).size;
    const base = await baseline(input, dir);
    const sl = await sluice(input, dir, bytes);
    const mb = bytes / 1e6;
    console.log(`\n${size} B records (${fmt(mb)} MB)`);
    console.log(`  baseline (append+fsync, read back, write)  ${fmt(RECORDS / base)} records/s  ${fmt(mb / base)} MB/s  (${fmt(base)} s)`);
    console.log(`  sluice (file source → embedded log → sink) ${fmt(RECORDS / sl)} records/s  ${fmt(mb / sl)} MB/s  (${fmt(sl)} s)`);
    console.log(`  ratio sluice/baseline                      ${(base / sl).toFixed(3)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
