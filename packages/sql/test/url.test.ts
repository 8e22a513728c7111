import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidDatabaseUrl, parseDatabaseUrl, redactPassword } from '../src/index.ts';

describe('parseDatabaseUrl', () => {
  it('reads a server URL, keeping the string for pg and showing only host, port and database', () => {
    expect(parseDatabaseUrl('postgres://agent:s3cret@db.internal:6543/agentops')).toEqual({
      kind: 'server',
      connectionString: 'postgres://agent:s3cret@db.internal:6543/agentops',
      user: 'agent',
      database: 'agentops',
      display: 'db.internal:6543/agentops',
    });
    expect(parseDatabaseUrl('postgresql://agent@localhost/app')).toMatchObject({ kind: 'server', display: 'localhost:5432/app' });
  });

  it('reads pglite://memory and pglite://<directory>, relative to the working directory or absolute', () => {
    expect(parseDatabaseUrl('pglite://memory')).toEqual({ kind: 'pglite-memory', display: 'pglite://memory' });
    expect(parseDatabaseUrl('pglite://data/db', '/srv/app')).toEqual({ kind: 'pglite', directory: '/srv/app/data/db', display: 'pglite:///srv/app/data/db' });
    expect(parseDatabaseUrl('pglite:///var/lib/agentops/db', '/srv/app')).toMatchObject({ directory: '/var/lib/agentops/db' });
  });

  it.each([
    ['', 'it is empty'],
    [' postgres://a:b@h/d', 'leading or trailing white space'],
    ['localhost:5432/db', 'it has no scheme'],
    ['mysql://a:b@h/d', 'the scheme "mysql" is not supported'],
    ['postgres://a:b@/d', 'it does not parse as a URL'],
    ['postgres://a:b@[::1/d', 'it does not parse as a URL'],
    ['postgres://a:b@host', 'it names no database'],
    ['postgres://a:b@host/x/y', 'contains a slash'],
    ['postgres://a:%ZZ@host/d', 'malformed percent-encoding'],
    ['pglite://', 'it names no directory'],
    ['pglite://data?x=1', 'no query string'],
    ['pglite:///', 'the file system root'],
  ])('refuses %j with InvalidDatabaseUrl naming the cause (%s)', (url, cause) => {
    expect(() => parseDatabaseUrl(url)).toThrow(InvalidDatabaseUrl);
    expect(() => parseDatabaseUrl(url)).toThrow(cause);
  });

  it('never repeats the password of a URL it refuses, whatever characters the password holds', () => {
    const password = fc.stringMatching(/^[A-Za-z0-9/?#@:%]{6,20}$/).filter((text) => /[A-Za-z0-9]{4}/.test(text));
    fc.assert(
      fc.property(password, fc.constantFrom('mysql', 'postgres'), fc.constantFrom('', '/x/y', '/d?x#', ':99999/d'), (secret, scheme, tail) => {
        const url = `${scheme}://agent:${secret}@[bad${tail}`;
        let message: string | undefined;
        try {
          parseDatabaseUrl(url);
        } catch (error) {
          message = (error as Error).message;
        }
        // Unencoded, / ? # can make a different, valid URL of it; every refusal hides the secret.
        if (message !== undefined) {
          expect(message).toContain('agent:***@');
          expect(message).not.toContain(secret);
        }
      }),
    );
  });
});

describe('redactPassword', () => {
  it('hides the password of the user part and of a password= parameter', () => {
    expect(redactPassword('postgres://agent:p%40ss@h:1/d')).toBe('postgres://agent:***@h:1/d');
    expect(redactPassword('postgres://h/d?user=a&password=secret&sslmode=require')).toBe('postgres://h/d?user=a&password=***&sslmode=require');
    expect(redactPassword('pglite://memory')).toBe('pglite://memory');
    expect(redactPassword('postgres://agent:pa/ss@word@db:5432/app')).toBe('postgres://agent:***@db:5432/app');
    expect(redactPassword('postgres://agent@db/app')).toBe('postgres://agent@db/app');
  });
});
