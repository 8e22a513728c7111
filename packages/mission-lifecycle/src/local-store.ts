// The mission store for one machine with no server. Per mission, a folder:
//
//   <root>/<missionId>/journal.jsonl   every record, appended and fdatasync'd (core's DurableAppender)
//   <root>/<missionId>/owner/          the lock directory; exists only while someone owns the mission
//   <root>/<missionId>/owner/owner.json  who: worker, host, PID, token, lease expiry
//   <root>/<missionId>/claim.lock      core's FileLock: serialises claim, renew and release
//
// A claim builds `claim-<uuid>/owner.json` in full, then renames that directory to `owner`.
// Creating a directory entry (mkdir, or rename onto a name that does not exist) is atomic on
// POSIX: of two claimers, one gets the name. Building it under a draft name first means `owner/`
// is never seen without its record, even when the claimer is killed half-way.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DurableAppender, FileLock, firstInvalidUtf8, openAppendTarget, readLinesFile, replaceFileAtomically, splitLines, syncDirectory, errorCode } from '@12-factor-agentops/core';
import type { LockRepair, TornTailRepair } from '@12-factor-agentops/core';
import { JournalCorrupt, MissionExists, MissionNotFound, MissionOwned, OwnerRecordUnreadable } from './errors.ts';
import { parseRecord, replay } from './journal.ts';
import type { MissionRecord, OwnedRecord, StoredRecord } from './journal.ts';
import { checkIdentity, checkMissionId, checkNow, checkSteps, checkTtl, fencingRejection, staleness } from './store.ts';
import type { MissionStore, Ownership, Takeover, WorkerIdentity } from './store.ts';

export interface LocalMissionStoreOptions {
  /** Told when a claim replaces a stale owner. */
  readonly onTakeover?: (takeover: Takeover) => void;
  /** Told when a claim cuts a torn last line off a journal (a writer was killed mid-append). */
  readonly onTornTail?: (repair: TornTailRepair) => void;
  /** Told when the claim lock of a killed process is broken. */
  readonly onLockRepair?: (repair: LockRepair) => void;
  /** How long a claim waits for another claim in progress on the same mission; default 2000 ms. */
  readonly lockTimeoutMs?: number;
}

export class LocalMissionStore implements MissionStore {
  readonly where: string;
  readonly #options: LocalMissionStoreOptions;
  readonly #appenders = new Map<string, { token: number; appender: DurableAppender; lines: number }>();

  private constructor(root: string, options: LocalMissionStoreOptions) {
    this.where = root;
    this.#options = options;
  }

  /** Opens (and creates) the store in directory `root`. */
  static async open(root: string, options: LocalMissionStoreOptions = {}): Promise<LocalMissionStore> {
    await mkdir(root, { recursive: true });
    return new LocalMissionStore(root, options);
  }

  async create(missionId: string, steps: readonly string[], now: number): Promise<void> {
    const id = checkMissionId(missionId);
    const record: MissionRecord = { kind: 'created', steps: checkSteps(steps), at: checkNow(now) };
    const folder = join(this.where, id);
    // The folder appears only with its first record inside, so a mission is never half-created.
    const draft = join(this.where, `.create-${randomUUID()}`);
    await mkdir(draft);
    try {
      const appender = new DurableAppender(await openAppendTarget(join(draft, 'journal.jsonl')));
      await appender.appendLines([JSON.stringify(record)]);
      await appender.close();
      await rename(draft, folder);
    } catch (error) {
      await rm(draft, { recursive: true, force: true });
      if (errorCode(error) === 'ENOTEMPTY' || errorCode(error) === 'EEXIST') throw new MissionExists(id, this.where);
      throw error;
    }
    await syncDirectory(this.where);
  }

  // #region local-claim
  async claim(missionId: string, worker: WorkerIdentity, now: number, ttlMs: number): Promise<Ownership> {
    const id = checkMissionId(missionId);
    const me = checkIdentity(worker);
    checkNow(now);
    checkTtl(ttlMs);
    await this.#requireMission(id);
    return this.#claimLock(id).withLock(async () => {
      const ownerDir = join(this.where, id, 'owner');
      await this.#removeClaimDrafts(id);
      const previous = await this.#readOwner(id);
      if (previous !== undefined) {
        const why = staleness(previous, now);
        if (why === undefined) throw new MissionOwned(id, previous);
        // Rename first: the stale record leaves the name `owner` in one step, then is removed.
        const gone = join(this.where, id, `stale-${previous.token}-${randomUUID()}`);
        await rename(ownerDir, gone);
        await rm(gone, { recursive: true, force: true });
        this.#options.onTakeover?.({ missionId: id, previous, why });
      }
      // The previous owner is gone or stale: a torn last line is its unfinished append.
      const records = await this.#readJournal(id, 'repair');
      const newest = Math.max(replay(id, records, this.#journalPath(id)).token, previous?.token ?? 0);
      const ownership: Ownership = { missionId: id, ...me, token: newest + 1, expiresAt: now + ttlMs };
      const draft = join(this.where, id, `claim-${randomUUID()}`);
      await mkdir(draft);
      await writeFile(join(draft, 'owner.json'), JSON.stringify(ownership), { flush: true });
      await rename(draft, ownerDir); // atomic: fails if `owner` exists
      await syncDirectory(join(this.where, id));
      await this.#closeAppender(id);
      this.#appenders.set(id, { token: ownership.token, appender: new DurableAppender(await openAppendTarget(this.#journalPath(id))), lines: records.length });
      const claimed: OwnedRecord = { kind: 'claimed', token: ownership.token, worker: me.worker, host: me.host, pid: me.pid, at: now };
      await this.append(ownership, claimed, now);
      return ownership;
    });
  }
  // #endregion local-claim

  async renew(ownership: Ownership, now: number, ttlMs: number): Promise<Ownership> {
    checkNow(now);
    checkTtl(ttlMs);
    return this.#claimLock(ownership.missionId).withLock(async () => {
      await this.#checkHeld(ownership, now);
      const renewed: Ownership = { ...ownership, expiresAt: now + ttlMs };
      await replaceFileAtomically(join(this.where, ownership.missionId, 'owner', 'owner.json'), JSON.stringify(renewed));
      return renewed;
    });
  }

  // #region local-append
  async append(ownership: Ownership, record: OwnedRecord, now: number): Promise<StoredRecord> {
    checkNow(now);
    if (record.token !== ownership.token) throw new RangeError(`record token ${record.token} differs from the ownership's token ${ownership.token}`);
    await this.#checkHeld(ownership, now);
    const open = this.#appenders.get(ownership.missionId);
    if (open === undefined || open.token !== ownership.token) throw fencingRejection(ownership, 'superseded');
    // A paused owner can pass the check above, stop, and append after a takeover. Its record then
    // lands after the new owner's `claimed` record with a smaller token, and `replay` ignores it.
    await open.appender.appendLines([JSON.stringify(record)]);
    open.lines += 1;
    return { seq: open.lines, record };
  }
  // #endregion local-append

  async release(ownership: Ownership, now: number): Promise<void> {
    checkNow(now);
    await this.#claimLock(ownership.missionId).withLock(async () => {
      const current = await this.#readOwner(ownership.missionId);
      if (current?.token !== ownership.token) return;
      const gone = join(this.where, ownership.missionId, `released-${current.token}-${randomUUID()}`);
      await rename(join(this.where, ownership.missionId, 'owner'), gone);
      await rm(gone, { recursive: true, force: true });
    });
    await this.#closeAppender(ownership.missionId);
  }

  async read(missionId: string, afterSeq = 0): Promise<StoredRecord[]> {
    const id = checkMissionId(missionId);
    await this.#requireMission(id);
    return (await this.#readJournal(id, 'ignore')).filter((stored) => stored.seq > afterSeq);
  }

  /** The current owner record of a mission, if the lock directory exists. */
  async owner(missionId: string): Promise<Ownership | undefined> {
    return this.#readOwner(checkMissionId(missionId));
  }

  async close(): Promise<void> {
    for (const id of [...this.#appenders.keys()]) await this.#closeAppender(id);
  }

  locate(missionId: string): string {
    return this.#journalPath(checkMissionId(missionId));
  }

  #journalPath(id: string): string {
    return join(this.where, id, 'journal.jsonl');
  }

  #claimLock(id: string): FileLock {
    const options = this.#options.onLockRepair === undefined ? {} : { onRepair: this.#options.onLockRepair };
    return new FileLock(join(this.where, id, 'claim.lock'), { timeoutMs: this.#options.lockTimeoutMs ?? 2_000, ...options });
  }

  async #requireMission(id: string): Promise<void> {
    try {
      await stat(this.#journalPath(id));
    } catch (error) {
      if (errorCode(error) === 'ENOENT') throw new MissionNotFound(id, this.where);
      throw error;
    }
  }

  async #checkHeld(ownership: Ownership, now: number): Promise<void> {
    const current = await this.#readOwner(ownership.missionId);
    if (current === undefined) throw fencingRejection(ownership, 'released');
    if (current.token !== ownership.token) throw fencingRejection(ownership, 'superseded', current);
    if (current.expiresAt <= now) throw fencingRejection(ownership, 'expired', undefined, current.expiresAt);
  }

  /**
   * The journal's records; each record's `seq` is its 1-based line number (lines are only ever
   * appended, and a torn-tail repair removes only a partial line). With 'ignore', a torn last line (a writer may be
   * appending it right now) is left out and left alone; with 'repair' it is cut off and reported.
   */
  async #readJournal(id: string, tornTail: 'ignore' | 'repair'): Promise<StoredRecord[]> {
    const path = this.#journalPath(id);
    const lines =
      tornTail === 'repair'
        ? await readLinesFile(path, { tornTail: 'repair', ...(this.#options.onTornTail === undefined ? {} : { onRepair: this.#options.onTornTail }) })
        : splitLines(await readFile(path));
    const records: StoredRecord[] = [];
    for (const [index, bytes] of lines.lines.entries()) {
      // A non-strict decode would turn bytes this software never writes into U+FFFD and accept
      // the record (a step name or a reason quietly changed): a damaged line is corrupt.
      const invalidAt = firstInvalidUtf8(bytes);
      if (invalidAt !== -1) throw new JournalCorrupt(path, index + 1, `not valid UTF-8 (byte ${invalidAt + 1} of the line)`);
      let value: unknown;
      try {
        value = JSON.parse(bytes.toString('utf8'));
      } catch {
        throw new JournalCorrupt(path, index + 1, 'not valid JSON');
      }
      records.push({ seq: index + 1, record: parseRecord(value, path, index + 1) });
    }
    return records;
  }

  async #readOwner(id: string): Promise<Ownership | undefined> {
    const ownerDir = join(this.where, id, 'owner');
    let bytes: Buffer;
    try {
      bytes = await readFile(join(ownerDir, 'owner.json'));
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw new OwnerRecordUnreadable(ownerDir, String(errorCode(error) ?? error));
      const exists = await stat(ownerDir).then(() => true, () => false);
      if (!exists) return undefined;
      throw new OwnerRecordUnreadable(ownerDir, 'owner.json is missing');
    }
    if (firstInvalidUtf8(bytes) !== -1) throw new OwnerRecordUnreadable(ownerDir, 'owner.json is not valid UTF-8');
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new OwnerRecordUnreadable(ownerDir, 'owner.json is not valid JSON');
    }
    const v = value as Partial<Ownership> | null;
    const whole = (n: unknown, min: number): boolean => typeof n === 'number' && Number.isSafeInteger(n) && n >= min;
    if (
      typeof v !== 'object' || v === null || v.missionId !== id || typeof v.worker !== 'string' || typeof v.host !== 'string' ||
      !whole(v.pid, 1) || !whole(v.token, 1) || !whole(v.expiresAt, 0)
    ) {
      throw new OwnerRecordUnreadable(ownerDir, 'owner.json lacks missionId, worker, host, pid, token or expiresAt');
    }
    return v as Ownership;
  }

  async #removeClaimDrafts(id: string): Promise<void> {
    // Claims run under the claim lock, so a draft seen here belongs to a claimer that was killed.
    for (const name of await readdir(join(this.where, id))) {
      if (/^(claim|stale|released)-/.test(name)) await rm(join(this.where, id, name), { recursive: true, force: true });
    }
  }

  async #closeAppender(id: string): Promise<void> {
    const open = this.#appenders.get(id);
    this.#appenders.delete(id);
    await open?.appender.close().catch(() => undefined);
  }
}
