import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { http, startWorkerProcess, tempDir, waitFor, type WorkerProcess } from '../support/worker-process.js';

export interface ClusterWorker {
  index: number;
  process: WorkerProcess | undefined;
  file: string;
}

/** Starts Sluice workers of one distributed cluster as child processes against `bootstrap`. */
export class WorkerCluster {
  readonly dir = tempDir('cluster');
  readonly workers: ClusterWorker[] = [];
  /** fixed per cluster so a restarted worker keeps its worker id (host:port) */
  private readonly basePort = 20_000 + Math.floor(Math.random() * 20_000);

  constructor(
    private readonly bootstrap: string,
    private readonly groupId: string,
    private readonly extra: Record<string, string> = {},
  ) {}

  propertiesFile(index: number, port: number): string {
    const file = path.join(this.dir, `worker-${index}.properties`);
    const props = {
      'bootstrap.servers': this.bootstrap,
      'group.id': this.groupId,
      'config.storage.topic': `${this.groupId}-configs`,
      'offset.storage.topic': `${this.groupId}-offsets`,
      'status.storage.topic': `${this.groupId}-status`,
      'config.storage.replication.factor': '1',
      'offset.storage.replication.factor': '1',
      'status.storage.replication.factor': '1',
      'offset.storage.partitions': '5',
      'status.storage.partitions': '3',
      listeners: `http://127.0.0.1:${port}`,
      'offset.flush.interval.ms': '1000',
      'session.timeout.ms': '6000',
      'heartbeat.interval.ms': '1000',
      'scheduled.rebalance.max.delay.ms': '3000',
      'log.level': 'warn',
      ...this.extra,
    };
    writeFileSync(file, Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
    return file;
  }

  /** Starts worker `index` (fixed port per index, so its worker id survives restarts). */
  async start(index: number): Promise<ClusterWorker> {
    const file = this.propertiesFile(index, this.basePort + index);
    const proc = await startWorkerProcess({ command: 'distributed', args: [file], timeoutMs: 60_000 });
    const worker = { index, process: proc, file };
    this.workers[index] = worker;
    return worker;
  }

  url(index: number): string {
    const w = this.workers[index];
    if (!w?.process) throw new Error(`worker ${index} is not running`);
    return w.process.url;
  }

  running(): ClusterWorker[] {
    return this.workers.filter((w) => w?.process);
  }

  async kill(index: number, signal: NodeJS.Signals): Promise<number | string> {
    const w = this.workers[index]!;
    const code = await w.process!.kill(signal);
    w.process = undefined;
    return code;
  }

  async stopAll(): Promise<void> {
    for (const w of this.workers) if (w?.process) await this.kill(w.index, 'SIGKILL');
  }

  /** Waits until every running worker reports healthy. */
  async healthy(timeoutMs = 60_000): Promise<void> {
    for (const w of this.running()) {
      await waitFor(async () => (await http(w.process!.url + '/health', 'GET')).body?.status === 'healthy', timeoutMs, `worker ${w.index} healthy`);
    }
  }
}

/** A file source → topic → file sink pipeline carrying sequence numbers, for loss/duplicate checks. */
export class SequencePipeline {
  readonly input: string;
  readonly output: string;
  private next = 0;

  constructor(
    dir: string,
    readonly name: string,
  ) {
    this.input = path.join(dir, `${name}.in`);
    this.output = path.join(dir, `${name}.out`);
    writeFileSync(this.input, '');
  }

  get produced(): number {
    return this.next;
  }

  append(count: number): void {
    const lines: string[] = [];
    for (let i = 0; i < count; i++) lines.push(`${this.name} ${this.next++}`);
    appendFileSync(this.input, lines.join('\n') + '\n');
  }

  async create(url: string): Promise<void> {
    const topic = `${this.name}-data`;
    const s = await http(url + '/connectors', 'POST', {
      name: `${this.name}-source`,
      config: {
        'connector.class': 'FileStreamSource',
        file: this.input,
        topic,
        'topic.creation.default.partitions': '1',
        'topic.creation.default.replication.factor': '1',
      },
    });
    if (s.status !== 201) throw new Error(`create source: ${s.status} ${s.text}`);
    // The sink subscribes once the topic exists (created by the source on its first record).
    const k = await http(url + '/connectors', 'POST', {
      name: `${this.name}-sink`,
      config: { 'connector.class': 'FileStreamSink', file: this.output, topics: topic },
    });
    if (k.status !== 201) throw new Error(`create sink: ${k.status} ${k.text}`);
  }

  values(): number[] {
    if (!existsSync(this.output)) return [];
    return readFileSync(this.output, 'utf8')
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => Number(l.split(' ')[1]));
  }

  /** Every produced sequence number arrived; returns the number of duplicates. */
  verify(): { missing: number[]; duplicates: number } {
    const values = this.values();
    const seen = new Set(values);
    const missing: number[] = [];
    for (let i = 0; i < this.next; i++) if (!seen.has(i)) missing.push(i);
    return { missing, duplicates: values.length - seen.size };
  }

  async complete(timeoutMs = 90_000): Promise<void> {
    await waitFor(() => new Set(this.values()).size >= this.next, timeoutMs, `${this.name}: all ${this.next} records at the sink`);
  }
}

export async function allRunning(url: string, names: string[], timeoutMs = 90_000): Promise<Record<string, any>> {
  return waitFor(
    async () => {
      const r = await http(url + '/connectors?expand=status', 'GET');
      if (r.status !== 200) return null;
      for (const n of names) {
        const st = r.body[n]?.status;
        if (!st || st.connector.state !== 'RUNNING' || st.tasks.length === 0) return null;
        if (st.tasks.some((t: any) => t.state !== 'RUNNING')) return null;
      }
      return r.body;
    },
    timeoutMs,
    `connectors ${names.join(', ')} RUNNING`,
  );
}
