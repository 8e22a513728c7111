import { isAbsolute, resolve } from 'node:path';
import { InvalidDatabaseUrl } from './errors.ts';

/** Where a database URL points: a PostgreSQL server, or an embedded PGlite (in memory or in a directory). */
export type DatabaseTarget =
  | {
      readonly kind: 'server';
      /** The URL as given, passed to `pg`. */
      readonly connectionString: string;
      readonly user: string;
      readonly database: string;
      /** host:port, for messages (no user, no password). */
      readonly display: string;
    }
  | { readonly kind: 'pglite'; readonly directory: string; readonly display: string }
  | { readonly kind: 'pglite-memory'; readonly display: string };

/**
 * Reads a database URL. `postgres://` and `postgresql://` name a server; `pglite://memory` an
 * in-memory PGlite; `pglite://<directory>` (relative to `cwd`, or absolute as in
 * `pglite:///var/lib/app/db`) a PGlite kept in that directory. Throws `InvalidDatabaseUrl`,
 * whose message never repeats a password.
 */
export function parseDatabaseUrl(url: string, cwd: string = process.cwd()): DatabaseTarget {
  if (typeof url !== 'string') throw new InvalidDatabaseUrl(String(url), `expected a string, got ${url === null ? 'null' : typeof url}`);
  const shown = redactPassword(url);
  if (url.trim() === '') throw new InvalidDatabaseUrl(shown, 'it is empty');
  if (url !== url.trim()) throw new InvalidDatabaseUrl(shown, 'it has leading or trailing white space');
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'pglite') return pglite(url, shown, cwd);
  if (scheme === 'postgres' || scheme === 'postgresql') return server(url, shown);
  throw new InvalidDatabaseUrl(shown, scheme === undefined ? 'it has no scheme (such as postgres://)' : `the scheme "${scheme}" is not supported`);
}

/**
 * `url` with the password of its user part replaced by `***`, also when the URL does not parse:
 * everything between the first `:` after `scheme://` and the last `@` is hidden, so a password
 * holding `/`, `?`, `#` or `@` is hidden whole. A `password=` parameter is hidden too.
 */
export function redactPassword(url: string): string {
  const hideParameter = (text: string): string => text.replace(/([?&]password=)[^&#]*/gi, '$1***');
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)([\s\S]*)$/.exec(url);
  if (match === null) return hideParameter(url);
  const [, scheme = '', rest = ''] = match;
  const at = rest.lastIndexOf('@');
  if (at === -1) return hideParameter(url);
  const userInfo = rest.slice(0, at);
  const colon = userInfo.indexOf(':');
  const user = colon === -1 ? userInfo : `${userInfo.slice(0, colon)}:***`;
  return hideParameter(`${scheme}${user}${rest.slice(at)}`);
}

function pglite(url: string, shown: string, cwd: string): DatabaseTarget {
  const rest = url.slice('pglite://'.length);
  if (rest === 'memory') return { kind: 'pglite-memory', display: 'pglite://memory' };
  if (rest === '') throw new InvalidDatabaseUrl(shown, 'it names no directory (write pglite://<directory> or pglite://memory)');
  if (/[?#]/.test(rest)) throw new InvalidDatabaseUrl(shown, 'a PGlite URL takes no query string or fragment');
  if (rest.includes('\0')) throw new InvalidDatabaseUrl(shown, 'the directory contains a NUL byte');
  const directory = isAbsolute(rest) ? resolve(rest) : resolve(cwd, rest);
  if (directory === resolve('/')) throw new InvalidDatabaseUrl(shown, 'the directory is the file system root');
  return { kind: 'pglite', directory, display: `pglite://${directory}` };
}

function server(url: string, shown: string): DatabaseTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidDatabaseUrl(shown, 'it does not parse as a URL (a password with @, /, ? or # must be percent-encoded)');
  }
  if (parsed.hostname === '') throw new InvalidDatabaseUrl(shown, 'it names no host');
  const database = decode(parsed.pathname.slice(1), shown, 'database name');
  if (database === '') throw new InvalidDatabaseUrl(shown, 'it names no database (add /<database> after the host)');
  if (database.includes('/')) throw new InvalidDatabaseUrl(shown, `the database name "${database}" contains a slash`);
  // No user in the URL: pg falls back to PGUSER, then to the operating-system user, as libpq does.
  const user = decode(parsed.username, shown, 'user name') || (process.env.PGUSER ?? 'the default user');
  decode(parsed.password, shown, 'password');
  return { kind: 'server', connectionString: url, user, database, display: `${parsed.hostname}:${parsed.port || '5432'}/${database}` };
}

function decode(text: string, shown: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new InvalidDatabaseUrl(shown, `the ${what} has a malformed percent-encoding`);
  }
}
