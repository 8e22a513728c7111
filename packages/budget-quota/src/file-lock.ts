import { randomUUID } from 'node:crypto';
import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { LockTimeout } from './errors.ts';

/** Who holds a lock file: written whole before the file appears, so a reader never sees half of it. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** Unique per acquisition. */
  readonly token: string;
  readonly since: number;
}

/**
 * An exclusive lock file shared by processes on one host. It is taken by hard-linking a
 * complete owner file to the lock path (`link` fails if the path exists, atomically). A lock
 * is stale only when its owner's PID is dead on this host: a slow owner is waited for,
 * never broken, because breaking a live owner's lock could let two writers overspend.
 */
export class FileLock {
  private held: LockOwner | undefined;

  constructor(
    readonly path: string,
    private readonly timeoutMs: number,
    private readonly onStaleBroken: (owner: LockOwner) => void,
  ) {}

  /** Takes the lock, waiting up to `timeoutMs` (polling from 1 ms up to every 16 ms); throws `LockTimeout` naming the holder. */
  async acquire(): Promise<void> {
    const started = performance.now();
    for (let pause = 1; ; pause = Math.min(pause * 2, 16)) {
      const me = newOwner();
      if (await createExclusive(this.path, me)) {
        this.held = me;
        return;
      }
      const holder = await readOwner(this.path);
      if (holder === 'gone') continue;
      if (holder !== 'unreadable' && isDead(holder)) {
        await this.breakStale(this.path, holder, 0);
        continue;
      }
      const waited = performance.now() - started;
      if (waited >= this.timeoutMs) throw new LockTimeout(this.path, Math.round(waited), describe(holder));
      await sleep(Math.min(pause, this.timeoutMs - waited));
    }
  }

  /** Gives the lock back; a lock that is no longer ours is left alone. */
  async release(): Promise<void> {
    const held = this.held;
    this.held = undefined;
    if (held === undefined) return;
    const current = await readOwner(this.path);
    if (typeof current === 'object' && current.token === held.token) await unlink(this.path);
  }

  // Removes `path`, held by the dead `owner`. Whoever breaks a lock first takes a claim file
  // named after the dead owner's token, exclusively, then checks the lock still carries
  // that token before removing it: two breakers can never remove each other's fresh lock.
  // A claim left by a breaker that died is itself broken the same way, one level down.
  private async breakStale(path: string, owner: LockOwner, depth: number): Promise<void> {
    if (depth > 2) return;
    const claim = `${path}.break-${owner.token}`;
    if (!(await createExclusive(claim, newOwner()))) {
      const claimant = await readOwner(claim);
      if (typeof claimant === 'object' && isDead(claimant)) await this.breakStale(claim, claimant, depth + 1);
      return;
    }
    try {
      const current = await readOwner(path);
      if (typeof current === 'object' && current.token === owner.token) {
        await unlink(path);
        if (depth === 0) this.onStaleBroken(owner);
      }
    } finally {
      await unlink(claim).catch(ignore);
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
    await unlink(draft).catch(ignore);
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

function describe(holder: LockOwner | 'unreadable'): string {
  if (holder === 'unreadable') return 'an owner whose lock file cannot be read';
  return `PID ${holder.pid} on ${holder.host} since ${new Date(holder.since).toISOString()}`;
}

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

function ignore(): void {
  // already gone
}
