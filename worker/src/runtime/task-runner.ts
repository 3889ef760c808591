import type { Logger } from '@sluice/core';

export type RunnerState = 'CREATED' | 'RUNNING' | 'PAUSED' | 'FAILED' | 'STOPPED';

/** Status callbacks a runner reports to its herder (which writes them to the status store). */
export interface TaskStatusListener {
  onStartup(): void;
  onPause(): void;
  onResume(): void;
  onFailure(error: Error): void;
  onShutdown(): void;
}

export interface TaskRunner {
  readonly connector: string;
  readonly taskId: number;
  readonly state: RunnerState;
  /** Starts the task in the background; failures are reported through the listener. */
  start(paused: boolean): void;
  pause(): void;
  resume(): void;
  /**
   * Stops the task: aborts the in-flight poll, drains what was already polled, commits offsets and
   * calls the task's stop. Shares the in-flight promise when called twice. `graceMs` bounds the drain;
   * past it the task is abandoned (offsets stay at the last successful commit).
   */
  stop(graceMs: number): Promise<void>;
}

/** Resolves when `signal` aborts (never rejects). */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** A gate that blocks while paused. */
export class PauseGate {
  private paused = false;
  private waiters: (() => void)[] = [];

  get isPaused(): boolean {
    return this.paused;
  }

  set(paused: boolean): void {
    this.paused = paused;
    if (!paused) {
      for (const w of this.waiters) w();
      this.waiters = [];
    }
  }

  /** Waits while paused, until resumed or `signal` aborts. */
  async wait(signal: AbortSignal): Promise<void> {
    if (!this.paused) return;
    await Promise.race([new Promise<void>((r) => this.waiters.push(r)), aborted(signal)]);
  }
}

export function logError(logger: Logger, msg: string, err: unknown): void {
  logger.error(msg, { error: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined });
}
