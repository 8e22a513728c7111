import { DEFAULT_LOCK_TIMEOUT_MS } from './defaults.ts';
import { randomUUID } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { JournalCorrupt, JournalTornTail, StoreClosed } from './errors.ts';
import { FileLock } from './file-lock.ts';
import type { LockOwner } from './file-lock.ts';
import { encodeEvent, scanJournal } from './journal.ts';
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
   * `JournalTornTail` from `open` and from every operation; `'truncate'` cuts it off, since
   * its record was never acknowledged, and reports a repair.
   */
  readonly tornTail?: 'fail' | 'truncate';
  /** How long an operation waits for another process's lock; default 500 ms. */
  readonly lockTimeoutMs?: number;
  /** Called with each repair as it happens; `repairs` keeps the list. */
  readonly onRepair?: (repair: JournalRepair) => void;
}

/** Something the store fixed on its own, so it is reported rather than silently absorbed. */
export type JournalRepair =
  | { readonly kind: 'torn-tail-truncated'; readonly path: string; readonly line: number; readonly offset: number; readonly bytes: number }
  | { readonly kind: 'stale-lock-broken'; readonly path: string; readonly pid: number; readonly since: number };

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
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private offset = 0;
  private lines = 0;

  private constructor(
    readonly path: string,
    private readonly file: FileHandle,
    private ledger: QuotaLedger,
    private readonly options: FileQuotaStoreOptions,
  ) {
    this.lock = new FileLock(`${path}.lock`, options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS, (owner) => this.brokeStaleLock(owner));
  }

  /** Opens (or creates) the journal at `path` and replays it; throws `JournalCorrupt` or `JournalTornTail` for a damaged journal. */
  static async open(path: string, options: FileQuotaStoreOptions): Promise<FileQuotaStore> {
    const ledger = new QuotaLedger(options.quotas);
    const file = await open(path, 'a+');
    try {
      await syncDirectory(dirname(path));
      const store = new FileQuotaStore(path, file, ledger, options);
      await store.exclusive(() => Promise.resolve());
      return store;
    } catch (error) {
      await file.close();
      throw error;
    }
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
      // Events of a scope this process did not configure were skipped: read them all again.
      this.ledger = new QuotaLedger(this.ledger.quotas());
      this.offset = 0;
      this.lines = 0;
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

  /** Waits for the operations already started, then closes the journal; later calls fail with `StoreClosed`. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.file.close();
  }

  // One operation at a time in this process, and across processes through the lock file.
  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StoreClosed(this.path));
    const run = this.queue.then(async () => {
      await this.lock.acquire();
      try {
        await this.catchUp();
        return await operation();
      } finally {
        await this.lock.release();
      }
    });
    this.queue = run.catch(ignore);
    return run;
  }

  // Applies what other processes appended since this one last looked. Under the lock no one
  // is writing, so bytes after the last newline can only be a crashed writer's torn record.
  private async catchUp(): Promise<void> {
    const { size } = await this.file.stat();
    if (size < this.offset) throw new JournalCorrupt(this.path, this.lines + 1, `the journal shrank from ${this.offset} to ${size} bytes`);
    if (size === this.offset) return;
    const bytes = Buffer.alloc(size - this.offset);
    for (let read = 0; read < bytes.length; ) {
      const { bytesRead } = await this.file.read(bytes, read, bytes.length - read, this.offset + read);
      if (bytesRead === 0) throw new JournalCorrupt(this.path, this.lines + 1, 'the journal ended while being read');
      read += bytesRead;
    }
    const scan = scanJournal(bytes, this.lines + 1);
    for (const event of scan.events) this.ledger.apply(event);
    this.offset += scan.consumed;
    this.lines += scan.events.length;
    if (scan.corrupt !== undefined) throw new JournalCorrupt(this.path, scan.corrupt.line, scan.corrupt.problem);
    if (scan.trailing === 0) return;
    if (this.options.tornTail !== 'truncate') throw new JournalTornTail(this.path, this.lines + 1, this.offset, scan.trailing);
    await this.file.truncate(this.offset);
    await this.file.datasync();
    this.report({ kind: 'torn-tail-truncated', path: this.path, line: this.lines + 1, offset: this.offset, bytes: scan.trailing });
  }

  private async append(event: LedgerEvent): Promise<void> {
    const bytes = Buffer.from(encodeEvent(event));
    try {
      const { bytesWritten } = await this.file.write(bytes, 0, bytes.length);
      if (bytesWritten !== bytes.length) throw new Error(`short write to ${this.path}: ${bytesWritten} of ${bytes.length} bytes`);
      await this.file.datasync();
    } catch (error) {
      // The caller never hears "granted" for this record, so none of it may stay behind.
      await this.file.truncate(this.offset).catch(ignore);
      throw error;
    }
    this.offset += bytes.length;
    this.lines++;
  }

  private brokeStaleLock(owner: LockOwner): void {
    this.report({ kind: 'stale-lock-broken', path: this.lock.path, pid: owner.pid, since: owner.since });
  }

  private report(repair: JournalRepair): void {
    this.repairs.push(repair);
    this.options.onRepair?.(repair);
  }
}

// A new journal's name must survive a power cut too, not only its contents.
async function syncDirectory(path: string): Promise<void> {
  const directory = await open(path, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

function ignore(): void {
  // reported through the operation's own promise
}
