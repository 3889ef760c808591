import { describe, expect, it } from 'vitest';
import { topicCreationFor } from './topic-creation.js';

const config = {
  'topic.creation.groups': 'compacted,big',
  'topic.creation.default.partitions': '3',
  'topic.creation.default.replication.factor': '1',
  'topic.creation.default.retention.ms': '1000',
  'topic.creation.compacted.include': 'state-.*,.*-changelog',
  'topic.creation.compacted.exclude': 'state-tmp-.*',
  'topic.creation.compacted.cleanup.policy': 'compact',
  'topic.creation.big.include': 'big-.*',
  'topic.creation.big.partitions': '12',
};

describe('topic creation groups', () => {
  it('uses the default group for topics no group includes', () => {
    expect(topicCreationFor('orders', config)).toEqual({ group: 'default', partitions: 3, replicationFactor: 1, configs: { 'retention.ms': '1000' } });
  });

  it('takes the first matching group and falls back to the default for unset settings', () => {
    expect(topicCreationFor('state-users', config)).toEqual({
      group: 'compacted',
      partitions: 3,
      replicationFactor: 1,
      configs: { 'retention.ms': '1000', 'cleanup.policy': 'compact' },
    });
    expect(topicCreationFor('big-events', config)?.partitions).toBe(12);
  });

  it('lets exclude win over include', () => {
    expect(topicCreationFor('state-tmp-1', config)?.group).toBe('default');
  });

  it('returns null when the connector configures no topic creation', () => {
    expect(topicCreationFor('orders', { topic: 'orders' })).toBeNull();
  });
});
