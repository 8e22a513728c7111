import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { AppenderUnavailable, DurableAppender, openAppendTarget, readLinesFile } from '../src/index.ts';
import type { AppendTarget } from '../src/index.ts';
import { kill9, startChild } from './support/child.ts';
import { useTempDir } from './support/temp.ts';

const tempDir = useTempDir();

/** A target that writes into memory, at most `chunk` bytes per write, and can be told to fail. */
class FlakyTarget implements AppendTarget {
  data = Buffer.alloc(0);
  syncs = 0;
  failWritesAfter = Number.POSITIVE_INFINITY;
  constructor(private readonly chunk: number) {}
  write(data: Buffer): Promise<number> {
    if (this.failWritesAfter-- <= 0) return Promise.reject(new Error('EIO: disk gone'));
    const part = data.subarray(0, this.chunk);
    this.data = Buffer.concat([this.data, part]);
    return Promise.resolve(part.length);
  }
  datasync(): Promise<void> {
    this.syncs++;
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

describe('DurableAppender', () => {
  it('finishes short writes and syncs once per call, or once per line', async () => {
    const perCall = new FlakyTarget(3);
    await new DurableAppender(perCall, 'per-call').appendLines(['{"a":1}', '{"b":2}']);
    expect(perCall.data.toString()).toBe('{"a":1}\n{"b":2}\n');
    expect(perCall.syncs).toBe(1);
    const perLine = new FlakyTarget(100);
    await new DurableAppender(perLine, 'per-line').appendLines(['x', 'y', 'z']);
    expect(perLine.syncs).toBe(3);
  });

  it('writes nothing when any line holds a newline', async () => {
    const target = new FlakyTarget(100);
    const appender = new DurableAppender(target);
    await expect(appender.appendLines(['ok', 'two\nlines'])).rejects.toThrow('line 1 of the append contains a newline');
    expect(target.data.length).toBe(0);
    await appender.appendLines(['ok']);
    expect(target.data.toString()).toBe('ok\n');
  });

  it('refuses every append after a write failed part-way, so damage stays at the tail', async () => {
    const target = new FlakyTarget(4);
    target.failWritesAfter = 1;
    const appender = new DurableAppender(target);
    await expect(appender.appendLines(['0123456789'])).rejects.toThrow('EIO');
    expect(target.data.toString()).toBe('0123');
    await expect(appender.appendLines(['next'])).rejects.toThrow(AppenderUnavailable);
    expect(target.data.toString()).toBe('0123');
  });

  it('refuses appends after close', async () => {
    const appender = new DurableAppender(new FlakyTarget(10));
    await appender.close();
    await expect(appender.appendLines(['late'])).rejects.toThrow('the file is closed');
  });

  it('leaves only whole lines and at most one torn tail when its process is killed mid-append', async () => {
    for (const mode of ['per-line', 'per-call']) {
      const path = join(await tempDir(), 'log.jsonl');
      const child = await startChild('appender-process.ts', [path, mode]);
      await delay(150 + Math.floor(Math.random() * 150));
      await kill9(child);
      const content = await readLinesFile(path, { tornTail: 'repair' });
      expect(content.lines.length).toBeGreaterThan(0);
      // Every complete line is a whole record, numbered without a gap.
      content.lines.forEach((line, index) => {
        expect((JSON.parse(line.toString()) as { n: number }).n).toBe(index);
      });
      expect((await readFile(path)).length).toBe(content.consumed);
      // And the file takes appends again after the repair.
      const appender = new DurableAppender(await openAppendTarget(path));
      await appender.appendLines([JSON.stringify({ n: content.lines.length })]);
      await appender.close();
      expect((await readLinesFile(path)).lines.length).toBe(content.lines.length + 1);
    }
  });
});
