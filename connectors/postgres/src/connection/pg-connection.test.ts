import { describe, expect, it } from 'vitest';
import { RetriableError } from '@sluice/core';
import { isTransientPgError, sqlState, wrapPgError } from './pg-connection.js';

const socketError = (code: string) => Object.assign(new Error(`write ${code}`), { code, errno: -32, syscall: 'write' });

describe('PostgreSQL error classification', () => {
  it('does not mistake a socket error code for a SQLSTATE (EPIPE is five capitals)', () => {
    expect(sqlState(socketError('EPIPE'))).toBeUndefined();
    expect(isTransientPgError(socketError('EPIPE'))).toBe(true);
    expect(RetriableError.is(wrapPgError(socketError('EPIPE'), 'The replication connection failed'))).toBe(true);
  });

  it('reads real SQLSTATEs and retries shutdowns and connection failures only', () => {
    const pgError = (code: string) => Object.assign(new Error('server said no'), { code, severity: 'FATAL' });
    expect(sqlState(pgError('57P01'))).toBe('57P01');
    expect(isTransientPgError(pgError('57P01'))).toBe(true); // admin_shutdown: the server restarts
    expect(isTransientPgError(pgError('08006'))).toBe(true);
    expect(isTransientPgError(pgError('42P01'))).toBe(false); // undefined_table
    expect(wrapPgError(pgError('42501'), 'reading').message).toBe('reading: server said no (SQLSTATE 42501)');
  });
});
