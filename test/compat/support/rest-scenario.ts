/**
 * The scripted REST scenario run against Kafka Connect and Sluice alike: the calls existing tools
 * and scripts make (create, duplicate create, bad config, validate, pause, resume, stop, offsets,
 * restart, delete, 404s, bad input). Each step records the status, content type and body, so the
 * two runs can be compared step by step.
 */
import type { CompareMode } from './json-shape.js';

export const SINK_CLASS = 'org.apache.kafka.connect.file.FileStreamSinkConnector';
export const SOURCE_CLASS = 'org.apache.kafka.connect.file.FileStreamSourceConnector';

/** Per-run values: each system gets its own files. */
export interface ScenarioFiles {
  sinkFile: string;
  sourceFile: string;
}

export interface ScenarioStep {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** JSON body (serialised), or a raw body with its content type. */
  body?: unknown;
  raw?: { text: string; contentType: string };
  /** Before the request: poll `path` until `until(body)` holds (state changes are asynchronous). */
  waitFor?: { path: string; until: (body: any) => boolean; what: string };
  compare?: CompareMode;
}

export interface Exchange {
  step: string;
  status: number;
  contentType: string | null;
  body: unknown;
  text: string;
}

const running = (tasks: number) => (s: any) =>
  s?.connector?.state === 'RUNNING' && s.tasks?.length === tasks && s.tasks.every((t: any) => t.state === 'RUNNING');

/** The scenario; paths and bodies are the same for both systems except the file names. */
export function scenario(files: ScenarioFiles): ScenarioStep[] {
  const sinkConfig = { 'connector.class': SINK_CLASS, 'tasks.max': '1', topics: 'compat-lines', file: files.sinkFile };
  const sourceConfig = { 'connector.class': SOURCE_CLASS, 'tasks.max': '1', topic: 'compat-lines', file: files.sourceFile };
  return [
    { name: 'server info', method: 'GET', path: '/' },
    { name: 'list empty', method: 'GET', path: '/connectors' },
    { name: 'create sink', method: 'POST', path: '/connectors', body: { name: 'compat-sink', config: sinkConfig } },
    // The source runs from the start so the topic exists (with data) on both systems before offsets are altered.
    { name: 'create source', method: 'POST', path: '/connectors', body: { name: 'compat-source', config: sourceConfig } },
    { name: 'create duplicate', method: 'POST', path: '/connectors', body: { name: 'compat-sink', config: sinkConfig } },
    {
      name: 'create with invalid tasks.max',
      method: 'POST',
      path: '/connectors',
      body: { name: 'compat-bad', config: { ...sinkConfig, 'tasks.max': 'many' } },
    },
    {
      name: 'create with unknown class',
      method: 'POST',
      path: '/connectors',
      body: { name: 'compat-unknown', config: { 'connector.class': 'com.example.NoSuchConnector', topics: 't' } },
    },
    { name: 'create with malformed JSON', method: 'POST', path: '/connectors', raw: { text: '{"name": "x", ', contentType: 'application/json' } },
    { name: 'put config as text/plain', method: 'PUT', path: '/connectors/compat-sink/config', raw: { text: 'topics=x', contentType: 'text/plain' } },
    { name: 'put config with mismatched name', method: 'PUT', path: '/connectors/compat-sink/config', body: { ...sinkConfig, name: 'other' } },
    {
      name: 'validate a bad config',
      method: 'PUT',
      path: '/connector-plugins/FileStreamSinkConnector/config/validate',
      body: { 'connector.class': SINK_CLASS, 'tasks.max': 'x' },
      compare: 'shape',
    },
    {
      name: 'validate with mismatched class',
      method: 'PUT',
      path: '/connector-plugins/FileStreamSourceConnector/config/validate',
      body: sinkConfig,
    },
    { name: 'connector info', method: 'GET', path: '/connectors/compat-sink', waitFor: { path: '/connectors/compat-sink/status', until: running(1), what: 'sink RUNNING' } },
    { name: 'connector config', method: 'GET', path: '/connectors/compat-sink/config' },
    { name: 'connector status', method: 'GET', path: '/connectors/compat-sink/status' },
    { name: 'task configs', method: 'GET', path: '/connectors/compat-sink/tasks', compare: 'shape' },
    { name: 'task status', method: 'GET', path: '/connectors/compat-sink/tasks/0/status' },
    { name: 'list expanded', method: 'GET', path: '/connectors?expand=status&expand=info' },
    { name: 'pause', method: 'PUT', path: '/connectors/compat-sink/pause' },
    {
      name: 'status paused',
      method: 'GET',
      path: '/connectors/compat-sink/status',
      waitFor: { path: '/connectors/compat-sink/status', until: (s) => s?.connector?.state === 'PAUSED' && s.tasks?.[0]?.state === 'PAUSED', what: 'PAUSED' },
    },
    { name: 'resume', method: 'PUT', path: '/connectors/compat-sink/resume' },
    { name: 'restart connector only', method: 'POST', path: '/connectors/compat-sink/restart', waitFor: { path: '/connectors/compat-sink/status', until: running(1), what: 'RUNNING after resume' } },
    { name: 'restart with tasks', method: 'POST', path: '/connectors/compat-sink/restart?includeTasks=true&onlyFailed=false', waitFor: { path: '/connectors/compat-sink/status', until: running(1), what: 'RUNNING after restart' } },
    { name: 'restart only failed', method: 'POST', path: '/connectors/compat-sink/restart?includeTasks=true&onlyFailed=true', waitFor: { path: '/connectors/compat-sink/status', until: running(1), what: 'RUNNING after restart' } },
    { name: 'restart task', method: 'POST', path: '/connectors/compat-sink/tasks/0/restart', waitFor: { path: '/connectors/compat-sink/status', until: running(1), what: 'RUNNING before task restart' } },
    { name: 'alter offsets while running', method: 'PATCH', path: '/connectors/compat-sink/offsets', body: { offsets: [{ partition: { kafka_topic: 'compat-lines', kafka_partition: 0 }, offset: { kafka_offset: 0 } }] } },
    { name: 'stop', method: 'PUT', path: '/connectors/compat-sink/stop', waitFor: { path: '/connectors/compat-sink/status', until: running(1), what: 'RUNNING before stop' } },
    {
      name: 'status stopped',
      method: 'GET',
      path: '/connectors/compat-sink/status',
      waitFor: { path: '/connectors/compat-sink/status', until: (s) => s?.connector?.state === 'STOPPED' && s.tasks?.length === 0, what: 'STOPPED' },
    },
    { name: 'offsets of stopped sink', method: 'GET', path: '/connectors/compat-sink/offsets' },
    { name: 'alter offsets with empty list', method: 'PATCH', path: '/connectors/compat-sink/offsets', body: { offsets: [] } },
    {
      name: 'alter sink offsets',
      method: 'PATCH',
      path: '/connectors/compat-sink/offsets',
      body: { offsets: [{ partition: { kafka_topic: 'compat-lines', kafka_partition: 0 }, offset: { kafka_offset: 0 } }] },
      waitFor: { path: '/connectors/compat-source/offsets', until: (o) => (o?.offsets?.length ?? 0) > 0, what: 'source offsets committed' },
    },
    { name: 'reset sink offsets', method: 'DELETE', path: '/connectors/compat-sink/offsets' },
    { name: 'resume stopped', method: 'PUT', path: '/connectors/compat-sink/resume' },
    {
      name: 'offsets of running source',
      method: 'GET',
      path: '/connectors/compat-source/offsets',
      waitFor: { path: '/connectors/compat-source/offsets', until: (o) => (o?.offsets?.length ?? 0) > 0, what: 'source offsets committed' },
    },
    { name: 'active topics', method: 'GET', path: '/connectors/compat-source/topics' },
    { name: 'reset active topics', method: 'PUT', path: '/connectors/compat-source/topics/reset' },
    { name: 'unknown connector info', method: 'GET', path: '/connectors/nope' },
    { name: 'unknown connector status', method: 'GET', path: '/connectors/nope/status' },
    { name: 'unknown connector config', method: 'GET', path: '/connectors/nope/config' },
    { name: 'unknown connector pause', method: 'PUT', path: '/connectors/nope/pause' },
    { name: 'unknown connector restart', method: 'POST', path: '/connectors/nope/restart' },
    { name: 'unknown connector delete', method: 'DELETE', path: '/connectors/nope' },
    { name: 'unknown task status', method: 'GET', path: '/connectors/compat-sink/tasks/9/status' },
    { name: 'patch unknown connector', method: 'PATCH', path: '/connectors/nope/config', body: { topics: 'x' } },
    { name: 'unknown path', method: 'GET', path: '/no-such-path' },
    { name: 'wrong method', method: 'DELETE', path: '/connectors/compat-sink/status' },
    { name: 'connector plugins', method: 'GET', path: '/connector-plugins', compare: 'shape' },
    { name: 'all plugins', method: 'GET', path: '/connector-plugins?connectorsOnly=false', compare: 'shape' },
    { name: 'plugin config', method: 'GET', path: '/connector-plugins/FileStreamSinkConnector/config', compare: 'shape' },
    { name: 'unknown plugin config', method: 'GET', path: '/connector-plugins/NoSuchPlugin/config' },
    { name: 'loggers', method: 'GET', path: '/admin/loggers', compare: 'shape' },
    { name: 'health', method: 'GET', path: '/health' },
    { name: 'delete source', method: 'DELETE', path: '/connectors/compat-source' },
    { name: 'delete sink', method: 'DELETE', path: '/connectors/compat-sink' },
    { name: 'list after delete', method: 'GET', path: '/connectors' },
  ];
}

/** Runs `steps` against `baseUrl` in order; a wait that times out fails the run with its name. */
export async function runScenario(baseUrl: string, steps: readonly ScenarioStep[], waitMs = 60_000): Promise<Exchange[]> {
  const exchanges: Exchange[] = [];
  for (const step of steps) {
    if (step.waitFor !== undefined) await waitUntil(baseUrl, step.waitFor, waitMs);
    const headers: Record<string, string> = {};
    let body: string | undefined;
    if (step.raw !== undefined) {
      headers['content-type'] = step.raw.contentType;
      body = step.raw.text;
    } else if (step.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(step.body);
    }
    const res = await fetch(baseUrl + step.path, { method: step.method, headers, body, signal: AbortSignal.timeout(95_000) });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    exchanges.push({ step: step.name, status: res.status, contentType: res.headers.get('content-type'), body: parsed, text });
  }
  return exchanges;
}

async function waitUntil(baseUrl: string, wait: NonNullable<ScenarioStep['waitFor']>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(baseUrl + wait.path, { signal: AbortSignal.timeout(10_000) });
      last = await res.text();
      if (res.ok && wait.until(JSON.parse(last))) return;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${baseUrl}: timed out waiting for ${wait.what}; last answer: ${last.slice(0, 500)}`);
}
