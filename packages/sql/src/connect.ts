import { join } from 'node:path';
import { InvalidOptionError } from '@12-factor-agentops/core';
import type { LockRepair } from '@12-factor-agentops/core';
import type { SqlClient } from './client.ts';
import { DEFAULT_PGLITE_FOLDER } from './defaults.ts';
import { PGliteClient } from './pglite-client.ts';
import { ServerClient } from './server-client.ts';
import type { ServerClientOptions } from './server-client.ts';
import { parseDatabaseUrl } from './url.ts';

/** Options of `connect`. */
export interface ConnectOptions extends ServerClientOptions {
  /** The caller's data directory: without a URL, the embedded database is kept in `<dataDirectory>/pglite`. */
  readonly dataDirectory?: string;
  /** Told when the PGlite directory lock of a killed process was broken. */
  readonly onRepair?: (repair: LockRepair) => void;
}

/**
 * Opens the database `url` names: `postgres://…` a PostgreSQL server (a `pg` pool, checked
 * with one round trip), `pglite://<directory>` an embedded PGlite kept in that directory and
 * locked to this process, `pglite://memory` an embedded PGlite in memory. Without a URL
 * (typically `process.env.DATABASE_URL` was not set), an embedded PGlite in
 * `<dataDirectory>/pglite`.
 *
 * Throws `InvalidDatabaseUrl`, `DatabaseAuthFailed`, `DatabaseNotFound`,
 * `DatabaseUnavailable` or `DataDirectoryInUse`; nothing is created on the way to any of them.
 */
export async function connect(url: string | undefined, options: ConnectOptions = {}): Promise<SqlClient> {
  if (url === undefined) {
    if (typeof options.dataDirectory !== 'string' || options.dataDirectory === '') {
      throw new InvalidOptionError('dataDirectory', 'a directory for the embedded database, since no database URL was given', options.dataDirectory);
    }
    return PGliteClient.open({ directory: join(options.dataDirectory, DEFAULT_PGLITE_FOLDER), ...repairOption(options) });
  }
  const target = parseDatabaseUrl(url);
  switch (target.kind) {
    case 'server':
      return ServerClient.open(target, options);
    case 'pglite':
      return PGliteClient.open({ directory: target.directory, ...repairOption(options) });
    case 'pglite-memory':
      return PGliteClient.open();
  }
}

function repairOption(options: ConnectOptions): { onRepair?: (repair: LockRepair) => void } {
  return options.onRepair === undefined ? {} : { onRepair: options.onRepair };
}
