// Starts a throwaway server, prints its folder and postmaster PID, and waits to be killed.
import { dirname } from 'node:path';
import { startPostgresServer } from '../../src/testing/index.ts';

const server = await startPostgresServer({ maxConnections: 10 });
console.log(JSON.stringify({ root: dirname(server.dataDirectory), pid: server.pid }));
console.log('ready');
setInterval(() => undefined, 1_000);
