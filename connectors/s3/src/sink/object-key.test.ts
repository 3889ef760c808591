import { describe, expect, it } from 'vitest';
import { objectKey, parseObjectKey, type KeyLayout } from './object-key.js';

const layout: KeyLayout = {
  topicsDir: 'topics',
  directoryDelim: '/',
  fileDelim: '+',
  zeroPadWidth: 10,
  extension: '.json',
};

describe('object keys', () => {
  it('names objects <topics.dir>/<topic>/<partition dir>/<topic>+<partition>+<start offset, 10 digits>.<ext>', () => {
    expect(objectKey(layout, 'orders', 'partition=3', 3, 42)).toBe(
      'topics/orders/partition=3/orders+3+0000000042.json',
    );
    expect(objectKey({ ...layout, extension: '.snappy.parquet' }, 'orders', 'year=2024/month=01', 0, 0)).toBe(
      'topics/orders/year=2024/month=01/orders+0+0000000000.snappy.parquet',
    );
  });

  it('puts topics at the bucket root when topics.dir is empty and honours other delimiters and widths', () => {
    expect(objectKey({ ...layout, topicsDir: '' }, 'orders', 'partition=0', 0, 7)).toBe(
      'orders/partition=0/orders+0+0000000007.json',
    );
    expect(
      objectKey(
        { ...layout, topicsDir: 'a_b', directoryDelim: '_', fileDelim: '-', zeroPadWidth: 3 },
        'x',
        'partition=1',
        1,
        12345,
      ),
    ).toBe('a_b_x_partition=1_x-1-12345.json');
  });

  it('reads topic, partition and start offset back from any directory and extension', () => {
    expect(parseObjectKey('topics/my.topic/partition=2/my.topic+2+0000000100.json.gz')).toEqual({
      topic: 'my.topic',
      partition: 2,
      startOffset: 100,
    });
    expect(parseObjectKey('x/y/orders+11+5.csv')).toEqual({ topic: 'orders', partition: 11, startOffset: 5 });
    expect(parseObjectKey('x_orders-1-7', '-', '_')).toEqual({ topic: 'orders', partition: 1, startOffset: 7 });
  });

  it('does not read other names as sink objects', () => {
    expect(parseObjectKey('topics/orders/partition=0/readme.txt')).toBeNull();
    expect(parseObjectKey('topics/orders/partition=0/orders+x+1.json')).toBeNull();
    expect(parseObjectKey('topics/orders/partition=0/')).toBeNull();
  });
});
