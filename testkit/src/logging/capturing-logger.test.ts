import { describe, expect, it } from 'vitest';
import { CapturingLogger } from './capturing-logger.js';

describe('CapturingLogger', () => {
  it('captures entries from children with merged bindings in one shared list', () => {
    const root = new CapturingLogger({ connector: 'c' });
    const child = root.child({ task: 1 });
    root.info('starting', { file: 'a' });
    child.warn('file was rotated');
    expect(root.entries.map((e) => [e.level, e.msg, e.bindings])).toEqual([
      ['info', 'starting', { connector: 'c' }],
      ['warn', 'file was rotated', { connector: 'c', task: 1 }],
    ]);
    expect(child.has('warn', /rotated/)).toBe(true);
    expect(root.has('error', /rotated/)).toBe(false);
    expect(root.at('info')).toHaveLength(1);
    child.clear();
    expect(root.entries).toEqual([]);
  });
});
