import { ConnectError, DataError, IllegalStateError, NotFoundError, RetriableError } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { toConnectError } from './kafka-errors.js';
import { protocolError } from './kafkajs-internals.js';

const retriesExceeded = (cause: Error) => Object.assign(new Error(cause.message), { name: 'KafkaJSNumberOfRetriesExceeded', cause });

describe('toConnectError', () => {
  it('maps Kafka error types onto the core error classes, keeping the cause', () => {
    const unknown = protocolError(3);
    const mapped = toConnectError(unknown, 'Producing', { topic: 't' });
    expect(NotFoundError.is(mapped)).toBe(true);
    expect(mapped.cause).toBe(unknown);
    expect(mapped.context).toEqual({ topic: 't' });
    expect(DataError.is(toConnectError(protocolError(10), 'Producing'))).toBe(true); // MESSAGE_TOO_LARGE
    expect(IllegalStateError.is(toConnectError(protocolError(68), 'Deleting'))).toBe(true); // NON_EMPTY_GROUP
    expect(ConnectError.hasCode(toConnectError(protocolError(27), 'Committing'), 'REBALANCE_IN_PROGRESS')).toBe(true);
    expect(ConnectError.hasCode(toConnectError(protocolError(29), 'Producing'), 'FORBIDDEN')).toBe(true);
  });

  it('judges exhausted retries by their cause, and treats transport failures as retriable', () => {
    expect(NotFoundError.is(toConnectError(retriesExceeded(protocolError(3)), 'Producing'))).toBe(true);
    const lost = Object.assign(new Error('Connection closed'), { name: 'KafkaJSConnectionClosedError' });
    expect(RetriableError.is(toConnectError(lost, 'Fetching'))).toBe(true);
    expect(RetriableError.is(toConnectError(retriesExceeded(lost), 'Fetching'))).toBe(true);
  });

  it('passes ConnectErrors through and wraps anything else as a non-retriable ConnectError', () => {
    const original = new IllegalStateError('closed');
    expect(toConnectError(original, 'x')).toBe(original);
    const wrapped = toConnectError(new TypeError('bug'), 'Fetching');
    expect(ConnectError.is(wrapped) && !wrapped.retriable).toBe(true);
    expect(wrapped.message).toBe('Fetching failed: bug');
  });
});
