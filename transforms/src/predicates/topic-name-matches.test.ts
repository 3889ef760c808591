import { ConfigValidationError, sourceRecord } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { TopicNameMatches, topicNameMatchesPlugin } from './topic-name-matches.js';

const record = (topic: string) => sourceRecord({ sourcePartition: {}, sourceOffset: {}, topic });

describe('TopicNameMatches', () => {
  it('requires a non-empty, valid pattern', () => {
    expect(() => new TopicNameMatches().configure({})).toThrow(ConfigValidationError);
    expect(() => new TopicNameMatches().configure({ pattern: '' })).toThrow(/pattern/);
    expect(() => new TopicNameMatches().configure({ pattern: '[' })).toThrow(/Invalid regex/);
  });

  it('matches the whole topic name', () => {
    const p = new TopicNameMatches();
    p.configure({ pattern: 'my-prefix-.*' });
    expect(p.test(record('my-prefix-'))).toBe(true);
    expect(p.test(record('my-prefix-foo'))).toBe(true);
    expect(p.test(record('x-my-prefix-'))).toBe(false);
    expect(p.test(record('x-my-prefix-foo'))).toBe(false);
    expect(p.test(record('your-prefix-'))).toBe(false);
    expect(p.test(record(''))).toBe(false);
    expect(String(p)).toBe('TopicNameMatches{pattern=my-prefix-.*}');
  });

  it('accepts Java regex syntax', () => {
    const p = new TopicNameMatches();
    p.configure({ pattern: '\\Qdb.public.\\E\\p{Alpha}+' });
    expect(p.test(record('db.public.users'))).toBe(true);
    expect(p.test(record('dbXpublic.users'))).toBe(false);
  });

  it('is published under Kafka Connect\'s predicate class name', () => {
    expect(topicNameMatchesPlugin).toMatchObject({ type: 'predicate', className: 'org.apache.kafka.connect.transforms.predicates.TopicNameMatches', aliases: ['TopicNameMatches'] });
  });
});
