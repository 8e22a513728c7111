import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FileAuditStore,
  ChainVerificationFailed,
  CheckpointRejected,
  FileCheckpointStore,
  TornTail,
  recordToolCall,
  repairTornTail,
  verifyChain,
  type AuditTrail,
} from '../src/index.ts';
import { openFixture, trusted } from './support.ts';

let directory: string;
let logPath: string;
let checkpointPath: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'audit-trail-test-'));
  logPath = join(directory, 'audit.jsonl');
  checkpointPath = join(directory, 'checkpoints.jsonl');
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

let opened = 0;
// Each opening is a new process in effect: it draws call ids from its own sequence.
async function openOnDisk(options: { checkpointEvery?: number } = {}): Promise<Awaited<ReturnType<typeof openFixture>>> {
  const session = opened++;
  let next = 0;
  return openFixture({
    store: await FileAuditStore.open(logPath),
    checkpoints: await FileCheckpointStore.open(checkpointPath),
    newCallId: () => `session-${session}-call-${next++}`,
    ...options,
  });
}

async function recordCalls(trail: AuditTrail, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await recordToolCall(trail, { tool: 'read_file', args: { page: i }, actor: 'agent-1' }, () => Promise.resolve(i));
}


/** Opens a store only to read it back, and closes it again so no file handle is left behind. */
async function readBack<T extends { close(): Promise<void> }, R>(opening: Promise<T>, read: (store: T) => Promise<R>): Promise<R> {
  const store = await opening;
  try {
    return await read(store);
  } finally {
    await store.close();
  }
}

describe('FileAuditStore', () => {
  it('stores one entry per line and continues the chain after a reopen', async () => {
    const first = await openOnDisk({ checkpointEvery: 3 });
    await recordCalls(first.trail, 2);
    await first.trail.close();
    const second = await openOnDisk({ checkpointEvery: 3 });
    expect(second.trail.size).toBe(4);
    await recordCalls(second.trail, 1);
    await second.trail.close();
    const text = await readFile(logPath, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    expect(lines).toHaveLength(6);
    const checkpoints = await readBack(FileCheckpointStore.open(checkpointPath), (store) => store.readAll());
    expect(checkpoints.map((c) => c.size)).toEqual([3, 4, 6]);
    expect(verifyChain(lines, trusted(checkpoints))).toMatchObject({ ok: true, size: 6 });
  });

  it('reports a torn tail left by a crash mid-write, with its size and the last complete line, and never appends after it', async () => {
    const { trail } = await openOnDisk();
    await recordCalls(trail, 2);
    await trail.close();
    const whole = await readFile(logPath, 'utf8');
    const nextLine = whole.split('\n')[0] as string;
    await appendFile(logPath, nextLine.slice(0, 57));
    const opening = FileAuditStore.open(logPath);
    await expect(opening).rejects.toThrow(TornTail);
    await expect(opening).rejects.toMatchObject({ completeLines: 4, offset: Buffer.byteLength(whole), tornBytes: 57 });
    await expect(opening).rejects.toThrow(`${logPath} ends with 57 bytes after its last complete line (line 4, offset ${Buffer.byteLength(whole)}): a write was cut short`);
    expect((await stat(logPath)).size).toBe(Buffer.byteLength(whole) + 57);
  });

  it('reports a tear that appears under an open store when it reads, and in the checkpoint file too', async () => {
    const store = await FileAuditStore.open(logPath);
    await store.append(['{"first":1}']);
    await appendFile(logPath, '{"sec');
    await expect(store.readLines()).rejects.toMatchObject({ name: 'TornTail', completeLines: 1, tornBytes: 5 });
    await store.close();
    await writeFile(checkpointPath, '{"size":');
    await expect(FileCheckpointStore.open(checkpointPath)).rejects.toThrow(TornTail);
  });

  it('repairs a torn tail only when asked, cutting exactly the partial line, after which the trail opens and verifies', async () => {
    const { trail } = await openOnDisk();
    await recordCalls(trail, 2);
    await trail.close();
    const whole = await readFile(logPath);
    await appendFile(logPath, '{"entry":{"actor":"agent-1","ar');
    expect(await repairTornTail(logPath)).toEqual({ path: logPath, offset: whole.length, removedBytes: 31, keptLines: 4 });
    expect(await readFile(logPath)).toEqual(whole);
    const reopened = await openOnDisk();
    expect(reopened.trail.size).toBe(4);
    await reopened.trail.close();
  });

  it('leaves a whole file untouched when asked to repair it', async () => {
    await writeFile(logPath, 'line one\nline two\n');
    expect(await repairTornTail(logPath)).toEqual({ path: logPath, offset: 18, removedBytes: 0, keptLines: 2 });
    expect(await readFile(logPath, 'utf8')).toBe('line one\nline two\n');
  });

  it('after a crash between intent and outcome, verification reports the call as unfinished', async () => {
    const store = await FileAuditStore.open(logPath);
    const checkpointStore = await FileCheckpointStore.open(checkpointPath);
    const { trail } = await openFixture({ store, checkpoints: checkpointStore });
    await recordCalls(trail, 1);
    let toolStarted!: () => void;
    const started = new Promise<void>((resolve) => (toolStarted = resolve));
    // The tool starts and the process dies before it returns: nothing after the intent reaches the disk.
    void recordToolCall(trail, { tool: 'deploy', args: { service: 'search' }, actor: 'agent-2' }, () => {
      toolStarted();
      return new Promise<never>(() => undefined);
    });
    await started;
    await Promise.all([store.close(), checkpointStore.close()]);
    const lines = await readBack(FileAuditStore.open(logPath), (reopened) => reopened.readLines());
    expect(verifyChain(lines)).toMatchObject({ ok: true, size: 3, unfinishedCalls: [{ index: 2, tool: 'deploy', actor: 'agent-2' }] });
  });

  it('reports a byte edited on disk at the entry that holds it', async () => {
    const { trail } = await openOnDisk();
    await recordCalls(trail, 3);
    await trail.close();
    const bytes = await readFile(logPath);
    const lines = bytes.toString('utf8').split('\n');
    const offset = Buffer.byteLength(`${lines.slice(0, 3).join('\n')}\n`) + 40;
    bytes[offset] = (bytes[offset] as number) ^ 0x01;
    await writeFile(logPath, bytes);
    const report = verifyChain(await readBack(FileAuditStore.open(logPath), (store) => store.readLines()));
    expect(report).toMatchObject({ ok: false, firstBadIndex: 3, problem: { kind: 'hash-mismatch' } });
  });
  it('rejects a checkpoint file with a byte that is not UTF-8, naming the line and offset, and the trail will not open over it', async () => {
    const { trail } = await openOnDisk({ checkpointEvery: 2 });
    await recordCalls(trail, 2);
    await trail.close();
    const bytes = await readFile(checkpointPath);
    const secondLine = bytes.indexOf(0x0a) + 1;
    bytes[secondLine + 5] = 0xff;
    await writeFile(checkpointPath, bytes);
    const reading = readBack(FileCheckpointStore.open(checkpointPath), (store) => store.readAll());
    await expect(reading).rejects.toThrow(CheckpointRejected);
    await expect(reading).rejects.toThrow(`checkpoint rejected: line 2 of ${checkpointPath}: the bytes from offset ${secondLine + 5} are not valid UTF-8`);
    await expect(openOnDisk()).rejects.toThrow(CheckpointRejected);
  });

  it('reports a character replaced on disk by a byte that is not UTF-8 at its entry, and the trail will not open over it', async () => {
    const { trail } = await openOnDisk();
    await recordToolCall(trail, { tool: 'read_file', args: { path: 'a.md' }, actor: 'agent-1' }, () => Promise.resolve(0));
    await recordToolCall(trail, { tool: 'write_file', args: { path: 'b.md', text: 'a\ufffdb' }, actor: 'agent-1' }, () => Promise.resolve(0));
    await trail.close();
    const bytes = await readFile(logPath);
    // U+FFFD is EF BF BD on disk; a lossy decoder reads a lone 0xFF as U+FFFD again.
    const at = bytes.indexOf(Buffer.from('a\ufffdb'));
    await writeFile(logPath, Buffer.concat([bytes.subarray(0, at + 1), Buffer.from([0xff]), bytes.subarray(at + 4)]));
    const lineStart = bytes.lastIndexOf(0x0a, at) + 1;
    const report = verifyChain(await readBack(FileAuditStore.open(logPath), (store) => store.readLines()));
    expect(report).toMatchObject({ ok: false, firstBadIndex: 2, problem: { kind: 'invalid-utf8', index: 2, offset: at + 1 - lineStart } });
    await expect(openOnDisk()).rejects.toThrow(ChainVerificationFailed);
  });
});
