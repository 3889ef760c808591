import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli/main.js');

export interface WorkerProcess {
  readonly url: string;
  readonly proc: ChildProcess;
  readonly output: () => string;
  /** Sends a signal and resolves with the exit code (or signal name). */
  kill(signal: NodeJS.Signals): Promise<number | string>;
  exited: Promise<number | string>;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `sluice-${prefix}-`));
}

/**
 * Starts `sluice standalone` (the built CLI) as a child process on a free loopback port and resolves
 * once it prints its URL. Settings go in as SLUICE_* environment variables.
 */
export async function startWorkerProcess(options: {
  dataDir?: string;
  /** `standalone` (default) or `distributed` (then `args` holds the worker properties file) */
  command?: 'standalone' | 'distributed';
  env?: Record<string, string>;
  args?: string[];
  timeoutMs?: number;
}): Promise<WorkerProcess> {
  const proc = spawn(process.execPath, [CLI, options.command ?? 'standalone', ...(options.args ?? [])], {
    env: {
      ...process.env,
      ...(options.dataDir ? { SLUICE_DATA_DIR: options.dataDir } : {}),
      SLUICE_LISTENERS: 'http://127.0.0.1:0',
      SLUICE_LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start in time:\n${out}`)), options.timeoutMs ?? 30_000);
    const onData = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        proc.stdout!.off('data', onData);
        resolve(m[1]!);
      }
    };
    proc.stdout!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited early (${code}):\n${out}`));
    });
  });
  return {
    url,
    proc,
    output: () => out,
    exited,
    kill: async (signal) => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

export async function http(
  url: string,
  method: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text };
}

/** Polls `fn` until it returns a truthy value or the timeout passes. */
export async function waitFor<T>(fn: () => Promise<T> | T, timeoutMs = 30_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
