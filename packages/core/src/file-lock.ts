import { randomUUID } from 'node:crypto';
import { link, readFile, readdir, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { durationMs } from './invalid-option.ts';
import { errorCode } from './lines.ts';

/** Who holds a lock file: written whole before the lock file appears, so a reader never sees half of it. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** Unique per acquisition. */
  readonly token: string;
  readonly since: number;
}

/** The lock could not be taken in time; the message names who holds it. */
export class LockTimeout extends Error {
  override readonly name = 'LockTimeout';
  constructor(
    readonly lockPath: string,
    readonly waitedMs: number,
    readonly holder: string,
  ) {
    super(
      `Could not lock ${lockPath} within ${waitedMs} ms: held by ${holder}. If no process using it is ` +
        'running (the lock survived a reused PID, or was taken from another host), delete the lock file.',
    );
  }
}

/** Something the lock cleaned up on its own, reported rather than silently absorbed. */
export type LockRepair =
  | { readonly kind: 'stale-lock-broken'; readonly path: string; readonly pid: number; readonly since: number }
  | { readonly kind: 'leftover-removed'; readonly path: string };

/** Options of `FileLock`. */
export interface FileLockOptions {
  /** How long `acquire` waits for a live holder; default 500 ms. 0 means try once. */
  readonly timeoutMs?: number;
  /** Told about each stale lock broken and each leftover file removed. */
  readonly onRepair?: (repair: LockRepair) => void;
}

// A draft younger than this may belong to a process that is writing it right now.
const LEFTOVER_AGE_MS = 10_000;
const DRAFT = /^\.[0-9a-f-]{36}\.tmp$/;
const CLAIM = /^\.break-[0-9a-f-]{36}$/;

/**
 * An exclusive lock file shared by the processes of one host. It is taken by hard-linking a
 * complete owner file to the lock path (`link` fails if the path exists, atomically). A lock
 * is stale only when its owner's PID is dead on this host: a slow owner is waited for, never
 * broken, because breaking a live owner's lock would let two writers in. The first acquire
 * removes drafts and claims left by processes that were killed (SIGKILL) mid-way.
 */
export class FileLock {
  readonly path: string;
  readonly timeoutMs: number;
  readonly #onRepair: (repair: LockRepair) => void;
  #held: LockOwner | undefined;
  #cleaned = false;

  constructor(path: string, options: FileLockOptions = {}) {
    this.path = path;
    this.timeoutMs = durationMs('FileLock timeoutMs', options.timeoutMs ?? 500, { min: 0 });
    this.#onRepair = options.onRepair ?? (() => undefined);
  }

  /** Whether this instance holds the lock now. */
  get held(): boolean {
    return this.#held !== undefined;
  }

  /** Takes the lock, waiting up to `timeoutMs` (polling from 1 ms up to every 16 ms); throws `LockTimeout` naming the holder. */
  async acquire(): Promise<void> {
    if (this.#held !== undefined) throw new Error(`${this.path} is already held by this FileLock; release it first`);
    if (!this.#cleaned) {
      this.#cleaned = true;
      await this.#removeLeftovers();
    }
    const started = performance.now();
    for (let pause = 1; ; pause = Math.min(pause * 2, 16)) {
      const me = newOwner();
      if (await createExclusive(this.path, me)) {
        this.#held = me;
        return;
      }
      const holder = await readOwner(this.path);
      if (holder === 'gone') continue;
      if (holder !== 'unreadable' && isDead(holder)) {
        await this.#breakStale(this.path, holder, 0);
        continue;
      }
      const waited = performance.now() - started;
      if (waited >= this.timeoutMs) throw new LockTimeout(this.path, Math.round(waited), describeHolder(holder));
      await sleep(Math.min(pause, this.timeoutMs - waited));
    }
  }

  /** Gives the lock back; a lock that is no longer ours is left alone. */
  async release(): Promise<void> {
    const held = this.#held;
    this.#held = undefined;
    if (held === undefined) return;
    const current = await readOwner(this.path);
    if (typeof current === 'object' && current.token === held.token) await unlink(this.path).catch(ignoreMissing);
  }

  /** Runs `work` holding the lock, and releases it whatever happens. */
  async withLock<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      await this.release();
    }
  }

  // Removes `path`, held by the dead `owner`. Whoever breaks a lock first takes a claim file
  // named after the dead owner's token, exclusively, then checks the lock still carries
  // that token before removing it: two breakers can never remove each other's fresh lock.
  // A claim left by a breaker that died is itself broken the same way, one level down.
  async #breakStale(path: string, owner: LockOwner, depth: number): Promise<void> {
    if (depth > 2) return;
    const claim = `${path}.break-${owner.token}`;
    if (!(await createExclusive(claim, newOwner()))) {
      const claimant = await readOwner(claim);
      if (typeof claimant === 'object' && isDead(claimant)) await this.#breakStale(claim, claimant, depth + 1);
      return;
    }
    try {
      const current = await readOwner(path);
      if (typeof current === 'object' && current.token === owner.token) {
        await unlink(path);
        if (depth === 0) this.#report({ kind: 'stale-lock-broken', path, pid: owner.pid, since: owner.since });
      }
    } finally {
      await unlink(claim).catch(ignoreMissing);
    }
  }

  // Drafts (`<lock>.<uuid>.tmp`) and claims (`<lock>.break-<uuid>`) of processes that died
  // between writing them and removing them. Only a dead owner's files are removed; a draft
  // too torn to name its owner is removed once it is old enough to be nobody's live draft.
  async #removeLeftovers(): Promise<void> {
    const directory = dirname(this.path);
    const prefix = basename(this.path);
    let names: string[];
    try {
      names = await readdir(directory);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return;
      throw error;
    }
    for (const name of names) {
      if (!name.startsWith(prefix)) continue;
      const rest = name.slice(prefix.length);
      if (!DRAFT.test(rest) && !CLAIM.test(rest)) continue;
      const path = join(directory, name);
      const owner = await readOwner(path);
      if (owner === 'gone') continue;
      const removable = owner === 'unreadable' ? await olderThan(path, LEFTOVER_AGE_MS) : isDead(owner);
      if (!removable) continue;
      await unlink(path).catch(ignoreMissing);
      this.#report({ kind: 'leftover-removed', path });
    }
  }

  #report(repair: LockRepair): void {
    try {
      this.#onRepair(repair);
    } catch {
      // a listener must never stop a lock from being taken
    }
  }
}

function newOwner(): LockOwner {
  return { pid: process.pid, host: hostname(), token: randomUUID(), since: Date.now() };
}

async function createExclusive(path: string, owner: LockOwner): Promise<boolean> {
  const draft = `${path}.${owner.token}.tmp`;
  await writeFile(draft, JSON.stringify(owner));
  try {
    await link(draft, path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(draft).catch(ignoreMissing);
  }
}

async function readOwner(path: string): Promise<LockOwner | 'gone' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return 'gone';
    throw error;
  }
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    if (Number.isSafeInteger(owner.pid) && (owner.pid ?? 0) > 0 && typeof owner.host === 'string' && typeof owner.token === 'string' && typeof owner.since === 'number') {
      return owner as LockOwner;
    }
  } catch {
    // fall through: an unreadable lock is treated as held, never as stale
  }
  return 'unreadable';
}

function isDead(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return false; // another host's PIDs mean nothing here
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return errorCode(error) === 'ESRCH';
  }
}

async function olderThan(path: string, ageMs: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(path)).mtimeMs > ageMs;
  } catch {
    return false;
  }
}

function describeHolder(holder: LockOwner | 'unreadable'): string {
  if (holder === 'unreadable') return 'an owner whose lock file cannot be read';
  return `PID ${holder.pid} on ${holder.host} since ${new Date(holder.since).toISOString()}`;
}

function ignoreMissing(): void {
  // already gone
}
