import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

type TaskLabels = 'connector' | 'task';
const TASK_STATES = ['UNASSIGNED', 'RUNNING', 'PAUSED', 'FAILED', 'RESTARTING', 'DESTROYED'] as const;

/**
 * The worker's Prometheus metrics (served at `/metrics`), labelled by connector and task. One
 * instance per worker process; runners get a `TaskMetrics` view bound to their labels.
 */
export class WorkerMetrics {
  readonly registry = new Registry();
  readonly sourceRecordsPolled: Counter<TaskLabels>;
  readonly sourceRecordsWritten: Counter<TaskLabels>;
  readonly sinkRecordsRead: Counter<TaskLabels>;
  readonly sinkRecordsPut: Counter<TaskLabels>;
  readonly batchSize: Histogram<TaskLabels | 'kind'>;
  readonly batchSeconds: Histogram<TaskLabels | 'kind'>;
  readonly offsetCommits: Counter<TaskLabels | 'result'>;
  readonly offsetCommitSeconds: Histogram<TaskLabels>;
  readonly recordErrors: Counter<TaskLabels | 'stage'>;
  readonly recordsSkipped: Counter<TaskLabels>;
  readonly deadLetterRecords: Counter<TaskLabels>;
  readonly sinkLag: Gauge<TaskLabels | 'topic' | 'partition'>;
  readonly taskState: Gauge<TaskLabels | 'state'>;
  readonly rebalances: Counter;
  readonly rebalanceSeconds: Histogram;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    const t = ['connector', 'task'] as const;
    this.sourceRecordsPolled = new Counter({ name: 'sluice_source_records_polled_total', help: 'Records returned by source task poll()', labelNames: t, registers });
    this.sourceRecordsWritten = new Counter({ name: 'sluice_source_records_written_total', help: 'Source records acknowledged by the log', labelNames: t, registers });
    this.sinkRecordsRead = new Counter({ name: 'sluice_sink_records_read_total', help: 'Records consumed for sink tasks', labelNames: t, registers });
    this.sinkRecordsPut = new Counter({ name: 'sluice_sink_records_put_total', help: 'Records delivered to sink task put()', labelNames: t, registers });
    this.batchSize = new Histogram({
      name: 'sluice_task_batch_size',
      help: 'Records per poll (source) or put (sink) batch',
      labelNames: [...t, 'kind'],
      buckets: [1, 10, 50, 100, 500, 1000, 2000, 5000],
      registers,
    });
    this.batchSeconds = new Histogram({
      name: 'sluice_task_batch_seconds',
      help: 'Time to produce a polled batch (source) or to put a batch (sink)',
      labelNames: [...t, 'kind'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
    this.offsetCommits = new Counter({ name: 'sluice_offset_commits_total', help: 'Offset commits by result', labelNames: [...t, 'result'], registers });
    this.offsetCommitSeconds = new Histogram({
      name: 'sluice_offset_commit_seconds',
      help: 'Offset commit latency',
      labelNames: t,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
    this.recordErrors = new Counter({ name: 'sluice_record_errors_total', help: 'Failed record operations by stage', labelNames: [...t, 'stage'], registers });
    this.recordsSkipped = new Counter({ name: 'sluice_records_skipped_total', help: 'Records skipped under errors.tolerance=all', labelNames: t, registers });
    this.deadLetterRecords = new Counter({ name: 'sluice_dead_letter_queue_records_total', help: 'Records written to the dead letter queue', labelNames: t, registers });
    this.sinkLag = new Gauge({ name: 'sluice_sink_lag_records', help: 'End offset minus consumed position, per partition', labelNames: [...t, 'topic', 'partition'], registers });
    this.taskState = new Gauge({ name: 'sluice_task_state', help: '1 for the current state of each task', labelNames: [...t, 'state'], registers });
    this.rebalances = new Counter({ name: 'sluice_worker_rebalances_total', help: 'Worker group rebalances completed', registers });
    this.rebalanceSeconds = new Histogram({
      name: 'sluice_worker_rebalance_seconds',
      help: 'Time from joining the group to applying the assignment',
      buckets: [0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60],
      registers,
    });
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'sluice_' });
  }

  task(connector: string, task: number): TaskMetrics {
    return new TaskMetrics(this, { connector, task: String(task) });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** Metrics of one task; every method is cheap and never throws. */
export class TaskMetrics {
  constructor(
    private readonly m: WorkerMetrics,
    private readonly labels: { connector: string; task: string },
  ) {}

  polled(n: number): void {
    this.m.sourceRecordsPolled.inc(this.labels, n);
    this.m.batchSize.observe({ ...this.labels, kind: 'poll' }, n);
  }
  written(n: number, seconds: number): void {
    this.m.sourceRecordsWritten.inc(this.labels, n);
    this.m.batchSeconds.observe({ ...this.labels, kind: 'produce' }, seconds);
  }
  read(n: number): void {
    this.m.sinkRecordsRead.inc(this.labels, n);
  }
  put(n: number, seconds: number): void {
    this.m.sinkRecordsPut.inc(this.labels, n);
    this.m.batchSize.observe({ ...this.labels, kind: 'put' }, n);
    this.m.batchSeconds.observe({ ...this.labels, kind: 'put' }, seconds);
  }
  commit(ok: boolean, seconds: number): void {
    this.m.offsetCommits.inc({ ...this.labels, result: ok ? 'success' : 'failure' });
    if (ok) this.m.offsetCommitSeconds.observe(this.labels, seconds);
  }
  error(stage: string, skipped: boolean): void {
    this.m.recordErrors.inc({ ...this.labels, stage });
    if (skipped) this.m.recordsSkipped.inc(this.labels);
  }
  deadLettered(): void {
    this.m.deadLetterRecords.inc(this.labels);
  }
  lag(topic: string, partition: number, records: number): void {
    this.m.sinkLag.set({ ...this.labels, topic, partition: String(partition) }, records);
  }
  state(state: (typeof TASK_STATES)[number]): void {
    for (const s of TASK_STATES) this.m.taskState.set({ ...this.labels, state: s }, s === state ? 1 : 0);
  }
  /** Drops this task's series (task removed). */
  remove(): void {
    for (const s of TASK_STATES) this.m.taskState.remove({ ...this.labels, state: s });
  }
}
