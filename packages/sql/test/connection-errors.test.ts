import { describe, expect, it } from 'vitest';
import { isConnectionError } from '../src/index.ts';

/** An error as pg raises it for a server message: its SQLSTATE in `code`. */
function serverError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('isConnectionError', () => {
  it('counts the states in which the server has ended the session', () => {
    for (const code of ['57P01', '57P02', '57P03', '53300', '25P03', '25P04', '08006', '08001']) {
      expect(isConnectionError(serverError(code, 'session ended')), code).toBe(true);
    }
  });

  it('does not count errors that leave the session open (a constraint, a serialization failure, a cancelled statement)', () => {
    for (const code of ['23505', '40001', '40P01', '57014', '25P02', '42601']) {
      expect(isConnectionError(serverError(code, 'statement failed')), code).toBe(false);
    }
  });

  it('counts a refused or reset socket, and a closed connection by its message', () => {
    expect(isConnectionError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isConnectionError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionError(new AggregateError([new Error('x'), Object.assign(new Error('y'), { code: 'ECONNRESET' })]))).toBe(true);
    expect(isConnectionError('a string')).toBe(false);
    expect(isConnectionError(undefined)).toBe(false);
  });
});
