import { readFileSync } from 'node:fs';
import path from 'node:path';

export type WorkerConfig = Record<string, string>;

/** Defaults for standalone mode; every key can be set in the worker file or as SLUICE_<KEY> env var. */
export const STANDALONE_DEFAULTS: Readonly<WorkerConfig> = {
  listeners: 'http://127.0.0.1:8083',
  'data.dir': './data',
  'offset.flush.interval.ms': '10000',
  'offset.flush.timeout.ms': '5000',
  'task.shutdown.graceful.timeout.ms': '5000',
  'shutdown.force.timeout.ms': '30000',
  'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'header.converter': 'org.apache.kafka.connect.storage.SimpleHeaderConverter',
  'embedded.log.sync': 'full',
  'log.level': 'info',
  'config.storage.topic': 'connect-configs',
  'offset.storage.topic': 'connect-offsets',
  'status.storage.topic': 'connect-status',
  'offset.storage.partitions': '25',
  'status.storage.partitions': '5',
};

/**
 * Parses Java .properties text as `java.util.Properties.load` does: `key=value`, `key: value` or
 * `key value`; `#`/`!` comments; a line ending in an odd number of backslashes continues on the next
 * (whose leading blanks are dropped); escapes `\t \n \r \f \uXXXX`, and `\` before any other
 * character stands for that character (so `public\\.orders` reads as `public\.orders`).
 */
export function parseProperties(text: string): WorkerConfig {
  const out: WorkerConfig = {};
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    while (endsWithOddBackslashes(line) && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i]!.replace(/^[ \t\f]+/, '');
    if (endsWithOddBackslashes(line)) line = line.slice(0, -1);
    // unlike Java, trailing blanks are dropped (an escaped one, `\ `, stays): they are never meant
    line = line.replace(/(?<!\\)[ \t\f]+$/, '');
    // the key ends at the first unescaped '=', ':' or blank; then blanks, one optional separator, blanks
    let k = 0;
    while (k < line.length && !'=: \t\f'.includes(line[k]!)) k += line[k] === '\\' ? 2 : 1;
    const key = line.slice(0, k);
    let v = k;
    while (v < line.length && ' \t\f'.includes(line[v]!)) v++;
    if (v < line.length && (line[v] === '=' || line[v] === ':')) v++;
    while (v < line.length && ' \t\f'.includes(line[v]!)) v++;
    out[unescapeProperty(key)] = unescapeProperty(line.slice(v));
  }
  return out;
}

function endsWithOddBackslashes(line: string): boolean {
  let n = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

function unescapeProperty(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_m, c: string) => {
    if (c.length === 5) return String.fromCharCode(parseInt(c.slice(1), 16));
    return c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c === 'f' ? '\f' : c;
  });
}

/** Reads a config file: `.json` (flat object) or `.properties`. */
export function readConfigFile(file: string): WorkerConfig {
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.json')) {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
  }
  return parseProperties(text);
}

/**
 * Env overrides: `SLUICE_OFFSET_FLUSH_INTERVAL_MS=5000` sets `offset.flush.interval.ms`
 * (lower-cased, `_` → `.`; `__` → `_` for keys that contain underscores). `SLUICE_DATA_DIR` sets `data.dir`.
 */
export function envConfig(env: NodeJS.ProcessEnv): WorkerConfig {
  const out: WorkerConfig = {};
  for (const [k, v] of Object.entries(env)) {
    if (!k.startsWith('SLUICE_') || v === undefined) continue;
    const key = k
      .slice('SLUICE_'.length)
      .toLowerCase()
      .replace(/__/g, '\u0000')
      .replace(/_/g, '.')
      .replace(/\u0000/g, '_');
    out[key] = v;
  }
  return out;
}

/** Layers: defaults < file < environment. */
export function loadWorkerConfig(file: string | undefined, env: NodeJS.ProcessEnv, defaults = STANDALONE_DEFAULTS): WorkerConfig {
  const fromFile = file ? readConfigFile(path.resolve(file)) : {};
  return Object.freeze({ ...defaults, ...fromFile, ...envConfig(env) }) as WorkerConfig;
}

/** Host and port from the first `listeners` entry (`http://host:port`, empty host = all interfaces). */
export function listenerAddress(config: WorkerConfig): { host: string; port: number; protocol: string } {
  const first = (config['listeners'] ?? 'http://127.0.0.1:8083').split(',')[0]!.trim();
  const m = /^(https?):\/\/(\[[^\]]*\]|[^:/]*)(?::(\d+))?/.exec(first);
  if (!m) throw new Error(`Invalid listeners value: ${first}`);
  const host = m[2] === '' ? '0.0.0.0' : m[2]!.replace(/^\[|\]$/g, '');
  return { protocol: m[1]!, host, port: m[3] ? Number(m[3]) : 8083 };
}
