// Appends numbered JSON lines to a file as fast as it can until it is killed.
import { DurableAppender, openAppendTarget } from '../../src/index.ts';

const [path, mode] = process.argv.slice(2) as [string, 'per-line' | 'per-call'];
const appender = new DurableAppender(await openAppendTarget(path), mode);
console.log('ready');
for (let n = 0; ; n += 3) {
  // Lines of different lengths, some long, so a kill can land inside a write.
  const pad = 'x'.repeat((n * 37) % 5000);
  await appender.appendLines([0, 1, 2].map((k) => JSON.stringify({ n: n + k, pad })));
}
