// Takes a lock and holds it until killed.
import { FileLock } from '../../src/index.ts';

const [path] = process.argv.slice(2) as [string];
await new FileLock(path, { timeoutMs: 5_000 }).acquire();
console.log('ready');
setInterval(() => undefined, 1_000);
