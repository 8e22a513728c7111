import { spawnSync } from 'node:child_process';
import { appendFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BudgetEnforcer, FileQuotaStore, JournalCorrupt, JournalTornTail, ManualClock, ReservationSettled } from '../src/index.ts';
import type { FileQuotaStoreOptions, JournalRepair, Reservation } from '../src/index.ts';
import { teamQuota } from './support/quotas.ts';

const SCOPE = 'team/research';
let directory: string;
let journal: string;
const opened: FileQuotaStore[] = [];

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'budget-quota-'));
  journal = join(directory, 'quota.journal');
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
  await rm(directory, { recursive: true, force: true });
});

async function openStore(options: Partial<FileQuotaStoreOptions> = {}): Promise<FileQuotaStore> {
  const store = await FileQuotaStore.open(journal, { quotas: [teamQuota()], ...options });
  opened.push(store);
  return store;
}

function enforcer(store: FileQuotaStore, clock: ManualClock, storeTimeoutMs = 2_000): BudgetEnforcer {
  return new BudgetEnforcer({ store, clock, storeTimeoutMs });
}

async function grant(budget: BudgetEnforcer, tokens: number): Promise<Reservation> {
  const answer = await budget.reserve(SCOPE, { tokens });
  if (!answer.granted) throw new Error(answer.message);
  return answer;
}

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid as number;
}

describe('durable file store', () => {
  it('comes back after a restart with the same usage, its open reservations still committable and nothing counted twice', async () => {
    const clock = new ManualClock(1_000_000);
    const first = await openStore();
    const budget = enforcer(first, clock);
    const committed = await grant(budget, 100);
    await budget.commit(committed, { tokens: 90 });
    await budget.release(await grant(budget, 200));
    const open = await grant(budget, 300);
    await budget.commit(await grant(budget, 50), { tokens: 80 });
    const before = await first.usage(SCOPE, clock.now());
    await first.close();

    const second = await openStore();
    const after = enforcer(second, clock);
    expect(await second.usage(SCOPE, clock.now())).toEqual(before);
    expect(before).toMatchObject({ committed: { tokens: 170 }, outstanding: { tokens: 300 }, overshoot: { tokens: 30 }, reservations: 1 });
    expect(await after.commit(committed, { tokens: 90 })).toMatchObject({ recorded: true, actual: { tokens: 90 }, late: false });
    await expect(after.commit(committed, { tokens: 91 })).rejects.toThrow(ReservationSettled);
    expect(await second.usage(SCOPE, clock.now())).toEqual(before);
    expect(await after.commit(open, { tokens: 300 })).toMatchObject({ recorded: true, late: false });
    expect(await second.usage(SCOPE, clock.now())).toMatchObject({ committed: { tokens: 470 }, outstanding: { tokens: 0 } });
  });

  it('returns the budget of leases that expired while no process ran, and a late commit counts once', async () => {
    const clock = new ManualClock(1_000_000);
    const first = await openStore();
    const crashed = await grant(enforcer(first, clock), 700);
    await first.close();

    clock.advance(60_000);
    const second = await openStore();
    const budget = enforcer(second, clock);
    expect(await second.usage(SCOPE, clock.now())).toMatchObject({ outstanding: { tokens: 0 }, reservations: 0 });
    await grant(budget, 1000);
    expect(await budget.commit(crashed, { tokens: 200 })).toMatchObject({ recorded: true, late: true, overshoot: { tokens: 200 } });
    const settled = await second.usage(SCOPE, clock.now());
    await second.close();

    const third = await openStore();
    expect(await third.usage(SCOPE, clock.now())).toEqual(settled);
    expect(settled).toMatchObject({ committed: { tokens: 200 }, overshoot: { tokens: 200 }, outstanding: { tokens: 1000 } });
  });

  it('writes each reservation, commit and release as one JSON line', async () => {
    const clock = new ManualClock(1_000_000);
    const budget = enforcer(await openStore(), clock);
    const first = await grant(budget, 10);
    await budget.commit(first, { tokens: 8, costMinor: 3 });
    await budget.release(await grant(budget, 20));
    const lines = (await readFile(journal, 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line['type'])).toEqual(['reserved', 'committed', 'reserved', 'released']);
    expect(lines[0]).toEqual({ type: 'reserved', at: 1_000_000, scope: SCOPE, id: first.id, tokens: 10, costMinor: 0, toolCalls: 0, expiresAt: 1_060_000 });
    expect(lines[1]).toEqual({ type: 'committed', at: 1_000_000, scope: SCOPE, id: first.id, tokens: 8, costMinor: 3, toolCalls: 0 });
  });

  it('refuses to open a journal whose last line was torn by a crash, naming the line and the repair', async () => {
    const clock = new ManualClock(1_000_000);
    const store = await openStore();
    await grant(enforcer(store, clock), 10);
    await store.close();
    await appendFile(journal, '{"type":"reserved","at":1000000,"sco');
    const opening = FileQuotaStore.open(journal, { quotas: [teamQuota()] });
    await expect(opening).rejects.toThrow(JournalTornTail);
    await expect(FileQuotaStore.open(journal, { quotas: [teamQuota()] })).rejects.toThrow(
      /quota\.journal, line 2: the last 36 bytes \(from offset \d+\) are an incomplete record .* open the store with \{ tornTail: 'repair' \} to cut it off/,
    );
  });

  it('drops a torn last line when told to, reports the repair, and keeps every complete record', async () => {
    const clock = new ManualClock(1_000_000);
    const store = await openStore();
    await grant(enforcer(store, clock), 400);
    const before = await store.usage(SCOPE, clock.now());
    const size = (await readFile(journal)).length;
    await store.close();
    await appendFile(journal, '{"type":"committed","at":1000');

    const repairs: JournalRepair[] = [];
    const reopened = await openStore({ tornTail: 'repair', onRepair: (repair) => repairs.push(repair) });
    expect(repairs).toEqual([{ kind: 'torn-tail-repaired', path: journal, line: 2, offset: size, bytes: 29 }]);
    expect(reopened.repairs).toEqual(repairs);
    expect((await readFile(journal)).length).toBe(size);
    expect(await reopened.usage(SCOPE, clock.now())).toEqual(before);
    await grant(enforcer(reopened, clock), 600);
  });

  it('refuses a journal with a damaged line in the middle, naming the line', async () => {
    await writeFile(journal, '{"type":"released","at":1,"scope":"team/research","id":"a"}\nnot json\n{"type":"released","at":2,"scope":"team/research","id":"b"}\n');
    await expect(FileQuotaStore.open(journal, { quotas: [teamQuota()] })).rejects.toThrow(JournalCorrupt);
    await expect(FileQuotaStore.open(journal, { quotas: [teamQuota()] })).rejects.toThrow(/line 2: not valid JSON/);
  });

  it('shares one journal between stores: each sees the other’s reservations before deciding', async () => {
    const clock = new ManualClock(1_000_000);
    const left = enforcer(await openStore(), clock);
    const right = enforcer(await openStore(), clock);
    await grant(left, 600);
    expect(await right.reserve(SCOPE, { tokens: 600 })).toMatchObject({ granted: false, reason: 'over-limit', used: { tokens: 600 } });
    await grant(right, 400);
    expect(await left.reserve(SCOPE, { tokens: 1 })).toMatchObject({ granted: false, used: { tokens: 1000 } });
  });

  it('agrees with a fresh replay even when one reader’s clock ran past a lease its writer committed in time', async () => {
    const writerClock = new ManualClock(1_000_000);
    const readerClock = new ManualClock(1_100_000);
    const writerStore = await openStore();
    const readerStore = await openStore();
    const writer = enforcer(writerStore, writerClock);
    const reservation = await grant(writer, 500);
    expect(await readerStore.usage(SCOPE, readerClock.now())).toMatchObject({ outstanding: { tokens: 0 } });
    writerClock.advance(30_000);
    expect(await writer.commit(reservation, { tokens: 700 })).toMatchObject({ late: false, overshoot: { tokens: 200 } });
    const seenByReader = await readerStore.usage(SCOPE, readerClock.now());
    const replayed = await (await openStore()).usage(SCOPE, readerClock.now());
    expect(seenByReader).toEqual(replayed);
    expect(replayed).toMatchObject({ committed: { tokens: 700 }, overshoot: { tokens: 200 } });
  });

  it('breaks a lock left by a process that died, and reports it', async () => {
    const clock = new ManualClock(1_000_000);
    const store = await openStore();
    const pid = deadPid();
    await writeFile(`${journal}.lock`, JSON.stringify({ pid, host: hostname(), token: 'crashed-holder', since: 1 }));
    await grant(enforcer(store, clock), 10);
    expect(store.repairs).toEqual([{ kind: 'stale-lock-broken', path: `${journal}.lock`, pid, since: 1 }]);
    expect((await readdir(directory)).sort()).toEqual(['quota.journal']);
  });

  it('breaks a stale lock even when the process that began breaking it died too', async () => {
    const clock = new ManualClock(1_000_000);
    const store = await openStore();
    await writeFile(`${journal}.lock`, JSON.stringify({ pid: deadPid(), host: hostname(), token: 'crashed-holder', since: 1 }));
    await writeFile(`${journal}.lock.break-crashed-holder`, JSON.stringify({ pid: deadPid(), host: hostname(), token: 'crashed-breaker', since: 2 }));
    await grant(enforcer(store, clock), 10);
    expect(store.repairs.map((repair) => repair.kind)).toEqual(['stale-lock-broken']);
    expect((await readdir(directory)).sort()).toEqual(['quota.journal']);
  });

  it('waits for a live lock holder and, when it does not let go in time, denies (fail closed) naming the holder', async () => {
    const clock = new ManualClock(1_000_000);
    const store = await openStore({ lockTimeoutMs: 20 });
    await writeFile(`${journal}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), token: 'another-instance', since: 1 }));
    const answer = await enforcer(store, clock).reserve(SCOPE, { tokens: 10 });
    expect(answer).toMatchObject({ granted: false, reason: 'store-unavailable', used: null });
    expect(answer.granted ? '' : answer.message).toMatch(new RegExp(`Could not lock .*quota\\.journal\\.lock within \\d+ ms: held by PID ${process.pid} on `));
    await rm(`${journal}.lock`);
    await grant(enforcer(store, clock), 10);
  });

  it('denies (fail closed) once the store is closed', async () => {
    const store = await openStore();
    await store.close();
    const answer = await enforcer(store, new ManualClock(0)).reserve(SCOPE, { tokens: 1 });
    expect(answer).toMatchObject({ granted: false, reason: 'store-unavailable', message: expect.stringContaining('is closed') });
  });
});
