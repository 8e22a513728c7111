import { randomUUID } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  DurableAppender,
  FileLock,
  InvalidOptionError,
  durationMs,
  errorCode,
  openAppendTarget,
  readFrom,
  removeReplaceDrafts,
  repairTornTail,
  replaceFileAtomically,
  splitLines,
  wholeNumber,
} from '@12-factor-agentops/core';
import type { LockRepair, TornTailPolicy } from '@12-factor-agentops/core';
import { DEFAULT_COMPACT_EVERY, DEFAULT_LOCK_TIMEOUT_MS } from './defaults.ts';
import { JournalCorrupt, JournalTornTail, StoreClosed } from './errors.ts';
import { decodeLine, encodeLine } from './journal.ts';
import { QuotaLedger } from './ledger.ts';
import type { LedgerEvent } from './ledger.ts';
import type { CommitReceipt, Denial, ReleaseReceipt, Reservation, UsageSnapshot } from './outcomes.ts';
import type { QuotaSpec } from './quota-spec.ts';
import type { QuotaStore } from './store.ts';
import { checkUsage } from './usage.ts';
import type { Usage } from './usage.ts';

/** Options of `FileQuotaStore.open`. */
export interface FileQuotaStoreOptions {
  readonly quotas: readonly QuotaSpec[];
  /**
   * An incomplete last line (a writer crashed mid-append): `'fail'` (default) throws
   * `JournalTornTail` from `open` and from every operation; `'repair'` cuts it off, since its
   * record was never acknowledged, and reports the repair. The same policy as core's files.
   */
  readonly tornTail?: TornTailPolicy;
  /** How long an operation waits for another process's lock: 0 ms (try once) to 100 years, default 500 ms. */
  readonly lockTimeoutMs?: number;
  /**
   * Compact the journal once this many lines follow its snapshot: a whole number from 1 up,
   * default 10,000. The operation that reaches the count compacts, under the lock.
   */
  readonly compactEvery?: number;
  /** Called with each repair as it happens; `repairs` keeps the list. */
  readonly onRepair?: (repair: JournalRepair) => void;
}

/** Something the store fixed on its own, so it is reported rather than silently absorbed. */
export type JournalRepair =
  | { readonly kind: 'torn-tail-repaired'; readonly path: string; readonly line: number; readonly offset: number; readonly bytes: number }
  | { readonly kind: 'stale-lock-broken'; readonly path: string; readonly pid: number; readonly since: number }
  | { readonly kind: 'lock-leftover-removed'; readonly path: string }
  | { readonly kind: 'compaction-draft-removed'; readonly path: string };

/** How a store has used its journal since it was opened. */
export interface JournalStats {
  /** Complete lines read from journal files (a journal another process compacted is read anew). */
  readonly linesRead: number;
  /** Lines after the snapshot in the journal now: the history the next compaction folds in. */
  readonly tailLines: number;
  /** Compactions this store made. */
  readonly compactions: number;
  /** Times this store found the journal replaced by another process's compaction, and read it anew. */
  readonly reloads: number;
  /** Compactions that failed; the operation that triggered one still succeeded, and the next one tries again. */
  readonly compactionFailures: number;
}

/** What `compact()` did. */
export interface Compaction {
  readonly linesBefore: number;
  readonly linesAfter: number;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
}

// The journal file as this process has it open: read from one handle, appended through
// another, both opened under the lock, so both are the file the path named then. A
// compaction by any process replaces the file; the inode tells the two apart.
interface OpenJournal {
  readonly reader: FileHandle;
  readonly appender: DurableAppender;
  readonly dev: number;
  readonly ino: number;
}

/**
 * Quota state in an append-only journal file that several processes on one host may share.
 * Each operation takes the journal's lock file, reads the events other processes appended,
 * decides, appends one JSON line and fdatasyncs it before answering. Reopening replays the
 * journal, so a restart loses no reservation and counts none twice; expiry is not written
 * down but derived from each lease's `expiresAt`.
 */
export class FileQuotaStore implements QuotaStore {
  /** Repairs made since this store was opened. */
  readonly repairs: JournalRepair[] = [];
  private readonly lock: FileLock;
  private readonly tornTail: TornTailPolicy;
  private readonly compactEvery: number;
  private journal: OpenJournal | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  // Where reading the current file has got to, in bytes and lines.
  private offset = 0;
  private lines = 0;
  // The last line of the snapshot block (0 for a journal never compacted).
  private snapshotEnd = 0;
  // Lines of scopes this process does not configure, kept as read so a compaction carries
  // them over unchanged: another process may enforce those scopes.
  private foreign: Buffer[] = [];
  private counts = { linesRead: 0, compactions: 0, reloads: 0, compactionFailures: 0 };

  private constructor(
    readonly path: string,
    private ledger: QuotaLedger,
    private readonly options: FileQuotaStoreOptions,
  ) {
    const lockTimeoutMs = durationMs('lockTimeoutMs', options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS, { min: 0 });
    this.tornTail = checkTornTailPolicy(options.tornTail ?? 'fail');
    this.compactEvery = wholeNumber('compactEvery', options.compactEvery ?? DEFAULT_COMPACT_EVERY, 1);
    this.lock = new FileLock(`${path}.lock`, { timeoutMs: lockTimeoutMs, onRepair: (repair) => this.lockRepaired(repair) });
  }

  /**
   * Opens (or creates) the journal at `path` and replays it; throws `JournalCorrupt` or
   * `JournalTornTail` for a damaged journal, `InvalidOptionError` for a bad option.
   */
  static async open(path: string, options: FileQuotaStoreOptions): Promise<FileQuotaStore> {
    const store = new FileQuotaStore(path, new QuotaLedger(options.quotas), options);
    try {
      // Under the lock no compaction runs, so a draft found now belongs to a killed process.
      await store.exclusive(async () => {
        for (const name of await removeReplaceDrafts(path)) store.report({ kind: 'compaction-draft-removed', path: join(dirname(path), name) });
      });
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  quota(scope: string): QuotaSpec | undefined {
    return this.ledger.quota(scope);
  }

  // #region journal-reserve
  reserve(scope: string, estimate: Usage, now: number): Promise<Reservation | Denial> {
    // Under the lock, after reading every other process's appends: check, append, fsync, hold.
    return this.exclusive(async () => {
      const ledger = this.ledger.scope(scope);
      checkUsage(estimate, 'estimate');
      const at = ledger.advance(now);
      const denial = ledger.check(estimate);
      if (denial !== undefined) return denial;
      const expiresAt = at + ledger.spec.leaseMs;
      const id = randomUUID();
      await this.append({ type: 'reserved', at, scope, id, amount: estimate, expiresAt });
      return ledger.hold(id, estimate, expiresAt);
    });
  }
  // #endregion journal-reserve

  commit(scope: string, reservationId: string, actual: Usage, now: number): Promise<CommitReceipt> {
    return this.exclusive(async () => {
      const ledger = this.ledger.scope(scope);
      checkUsage(actual, 'actual');
      const at = ledger.advance(now);
      // A repeat of the commit that settled the reservation answers its receipt and writes nothing.
      const repeated = ledger.settledAnswer(reservationId, 'commit', actual);
      if (repeated !== undefined) return repeated;
      await this.append({ type: 'committed', at, scope, id: reservationId, amount: actual });
      return ledger.commit(at, reservationId, actual);
    });
  }

  release(scope: string, reservationId: string, now: number): Promise<ReleaseReceipt> {
    return this.exclusive(async () => {
      const ledger = this.ledger.scope(scope);
      const at = ledger.advance(now);
      const repeated = ledger.settledAnswer(reservationId, 'release');
      if (repeated !== undefined) return repeated;
      await this.append({ type: 'released', at, scope, id: reservationId });
      return ledger.release(at, reservationId);
    });
  }

  /**
   * Enforces `spec` in this process from its next operation on (see `QuotaStore.updateQuota`).
   * A scope new to this process is counted from the whole journal, including what other
   * processes wrote for it. Other processes keep their own configuration: update each.
   */
  updateQuota(spec: QuotaSpec): Promise<void> {
    return this.exclusive(async () => {
      if (!this.ledger.update(spec)) return;
      // Lines of a scope this process did not configure were skipped: read the file again.
      this.startOver();
      await this.catchUp();
    });
  }

  usage(scope: string, now: number): Promise<UsageSnapshot> {
    return this.exclusive(() => {
      const ledger = this.ledger.scope(scope);
      ledger.advance(now);
      return Promise.resolve(ledger.snapshot());
    });
  }

  /**
   * Rewrites the journal as a snapshot of the state now, under the lock, through an atomic
   * replace (a crash leaves the old file or the new one, never a mix). Other processes notice
   * the new file on their next operation and read it instead. Opening a compacted journal reads
   * the snapshot and the lines after it, not the history before it.
   */
  compact(): Promise<Compaction> {
    return this.exclusive(() => this.compactNow());
  }

  /** How this store has used its journal since it was opened. */
  get stats(): JournalStats {
    return { ...this.counts, tailLines: this.lines - this.snapshotEnd };
  }

  /** Waits for the operations already started, then closes the journal; later calls fail with `StoreClosed`. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.closeJournal();
  }

  // One operation at a time in this process, and across processes through the lock file.
  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StoreClosed(this.path));
    const run = this.queue.then(() =>
      this.lock.withLock(async () => {
        await this.catchUp();
        const result = await operation();
        if (this.lines - this.snapshotEnd >= this.compactEvery) {
          // The operation is done and durable; a failed compaction must not undo its answer.
          await this.compactNow().catch(() => this.counts.compactionFailures++);
        }
        return result;
      }),
    );
    this.queue = run.catch(ignore);
    return run;
  }

  // Applies what other processes appended since this one last looked. Under the lock no one
  // is writing, so bytes after the last newline can only be a crashed writer's torn record.
  private async catchUp(): Promise<void> {
    if (this.journal !== undefined && (await this.replaced(this.journal))) {
      this.counts.reloads++;
      await this.closeJournal();
      this.startOver();
    }
    const journal = this.journal ?? (await this.openJournal());
    let bytes: Buffer;
    try {
      bytes = await readFrom(journal.reader, this.offset);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw new JournalCorrupt(this.path, this.lines + 1, error.message);
    }
    const content = splitLines(bytes, this.offset);
    for (const [index, line] of content.lines.entries()) {
      const lineOffset = content.offsets[index] ?? this.offset;
      this.read(line, lineOffset);
      this.lines++;
      this.counts.linesRead++;
      this.offset = lineOffset + line.length + 1;
    }
    if (this.lines < this.snapshotEnd && content.tornBytes === 0) {
      throw new JournalCorrupt(this.path, this.lines + 1, `the snapshot promises ${this.snapshotEnd - 1} records, the file ends after ${this.lines - 1}`);
    }
    if (content.tornBytes === 0) return;
    if (this.tornTail === 'fail') throw new JournalTornTail(this.path, this.lines + 1, this.offset, content.tornBytes);
    await this.repairTail();
  }

  // Applies one line: a snapshot header (line 1 only), a state record (inside the snapshot
  // only), or an event. Lines of scopes this process does not configure are kept as they are.
  private read(line: Buffer, offset: number): void {
    const number = this.lines + 1;
    const record = decodeLine(line, this.path, number, offset);
    if (typeof record === 'string') throw new JournalCorrupt(this.path, number, record);
    if (record.type === 'snapshot') {
      if (number !== 1) throw new JournalCorrupt(this.path, number, 'a snapshot header can only be the first line');
      this.snapshotEnd = 1 + record.records;
      return;
    }
    if (number > this.snapshotEnd && record.type !== 'reserved' && record.type !== 'committed' && record.type !== 'released') {
      throw new JournalCorrupt(this.path, number, `a "${record.type}" record outside the snapshot`);
    }
    if (!this.ledger.apply(record)) this.foreign.push(Buffer.from(line));
  }

  // Forgets what was read, to read the journal again from its first line.
  private startOver(): void {
    this.ledger = new QuotaLedger(this.ledger.quotas());
    this.foreign = [];
    this.offset = 0;
    this.lines = 0;
    this.snapshotEnd = 0;
  }

  private async replaced(journal: OpenJournal): Promise<boolean> {
    let onDisk: { dev: number; ino: number };
    try {
      onDisk = await stat(this.path);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
      throw new JournalCorrupt(this.path, this.lines + 1, 'the journal file was removed or renamed while open; put it back (or restore it from a backup)');
    }
    return onDisk.dev !== journal.dev || onDisk.ino !== journal.ino;
  }

  // Writes the snapshot (the ledger's state records, then the lines of scopes this process
  // does not configure) in place of the journal, then reads the new file as any process would.
  private async compactNow(): Promise<Compaction> {
    const linesBefore = this.lines;
    const bytesBefore = this.offset;
    const records = [...this.ledger.stateRecords().map((record) => Buffer.from(encodeLine(record), 'utf8')), ...this.foreign];
    const header = Buffer.from(encodeLine({ type: 'snapshot', records: records.length }), 'utf8');
    const content = Buffer.concat([header, ...records].flatMap((line) => [line, NEWLINE]));
    await replaceFileAtomically(this.path, content);
    this.counts.compactions++;
    await this.closeJournal();
    this.startOver();
    await this.catchUp();
    return { linesBefore, linesAfter: this.lines, bytesBefore, bytesAfter: this.offset };
  }

  // Cuts a partial last line off: one a crashed writer left (policy 'repair'), or one this
  // process's own failed append left (never acknowledged, and the lock is still held).
  private async repairTail(): Promise<void> {
    const repair = await repairTornTail(this.path);
    if (repair.removedBytes > 0) this.report({ kind: 'torn-tail-repaired', path: this.path, line: this.lines + 1, offset: repair.offset, bytes: repair.removedBytes });
  }

  private async append(event: LedgerEvent): Promise<void> {
    const journal = this.journal ?? (await this.openJournal());
    const line = Buffer.from(encodeLine(event), 'utf8');
    try {
      await journal.appender.appendLines([line]);
    } catch (error) {
      // The caller never hears "granted" for this record. A partial line is cut off now; a
      // whole one that was written but not synced is read back by the next catch-up, and
      // counts (conservative: an unacknowledged hold ties budget up until its lease ends).
      await this.closeJournal();
      await this.repairTail().catch(ignore);
      throw error;
    }
    // Our own line: the next catch-up starts after it.
    this.offset += line.length + 1;
    this.lines++;
  }

  private async openJournal(): Promise<OpenJournal> {
    const appender = new DurableAppender(await openAppendTarget(this.path));
    let reader: FileHandle | undefined;
    try {
      reader = await open(this.path, 'r');
      const { dev, ino } = await reader.stat();
      this.journal = { reader, appender, dev, ino };
    } catch (error) {
      await Promise.allSettled([appender.close(), reader?.close()]);
      throw error;
    }
    return this.journal;
  }

  private async closeJournal(): Promise<void> {
    const journal = this.journal;
    this.journal = undefined;
    if (journal === undefined) return;
    await Promise.allSettled([journal.reader.close(), journal.appender.close()]);
  }

  private lockRepaired(repair: LockRepair): void {
    if (repair.kind === 'stale-lock-broken') this.report({ kind: 'stale-lock-broken', path: repair.path, pid: repair.pid, since: repair.since });
    else this.report({ kind: 'lock-leftover-removed', path: repair.path });
  }

  private report(repair: JournalRepair): void {
    this.repairs.push(repair);
    try {
      this.options.onRepair?.(repair);
    } catch {
      // a listener must never change what the store does
    }
  }
}

function checkTornTailPolicy(policy: unknown): TornTailPolicy {
  if (policy === 'fail' || policy === 'repair') return policy;
  throw new InvalidOptionError('tornTail', '"fail" or "repair"', policy);
}

const NEWLINE = Buffer.from('\n');

function ignore(): void {
  // reported through the operation's own promise
}
