import { describe, expect, it } from 'vitest';
import { ChangeNotifier } from './change-notifier.js';

const settled = async (p: Promise<unknown>, ms: number): Promise<boolean> =>
  Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

describe('ChangeNotifier', () => {
  it('wakes a waiter when one of its keys is notified, and not for other keys', async () => {
    const n = new ChangeNotifier();
    const waiting = n.wait([ChangeNotifier.partitionKey('t', 0), ChangeNotifier.groupKey('g')], 10_000);
    n.notify(ChangeNotifier.partitionKey('t', 1));
    expect(await settled(waiting, 30)).toBe(false);
    n.notify(ChangeNotifier.groupKey('g'));
    expect(await settled(waiting, 1000)).toBe(true);
    n.close();
  });

  it('resolves after the timeout and on abort', async () => {
    const n = new ChangeNotifier();
    const started = Date.now();
    await n.wait(['k'], 50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    const abort = new AbortController();
    const waiting = n.wait(['k'], 10_000, abort.signal);
    abort.abort();
    expect(await settled(waiting, 1000)).toBe(true);
    n.close();
  });

  it('wakes everyone on close and resolves later waits at once', async () => {
    const n = new ChangeNotifier();
    const waiting = n.wait(['k'], 10_000);
    n.close();
    expect(await settled(waiting, 1000)).toBe(true);
    expect(await settled(n.wait(['k'], 10_000), 100)).toBe(true);
  });
});
