// A narrated run of the budget-quota pattern: `pnpm --filter @12-factor-agentops/budget-quota demo`.
import { randomUUID } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BudgetEnforcer,
  FileQuotaStore,
  ManualClock,
  MemoryQuotaStore,
  NaiveLimiter,
  PostgresQuotaStore,
  loadBudgetQuota,
  toQuotaSpec,
} from './index.ts';
import type { Denial, QuotaStore, Reservation, UsageInput } from './index.ts';
import { formatMinorUnits } from './usage.ts';

const say = (text = ''): void => console.log(text);
const step = (n: number, title: string): void => say(`\n${n}. ${title}`);
const eur = (minor: number): string => `${formatMinorUnits(minor, 'EUR')} EUR`;
const show = (usage: UsageInput): string =>
  [`${usage.tokens ?? 0} tokens`, eur(usage.costMinor ?? 0), `${usage.toolCalls ?? 0} tool call${usage.toolCalls === 1 ? '' : 's'}`].join(', ');
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function expectGrant(answer: Reservation | Denial): Reservation {
  if (!answer.granted) throw new Error(`the demo expected a grant: ${answer.message}`);
  return answer;
}

say('budget-quota: hard limits on what agents may spend, enforced by the system, failing closed.');

step(1, 'Load the quota from a BudgetQuota custom resource');
const examplePath = new URL('../examples/budgetquota.yaml', import.meta.url);
const resource = loadBudgetQuota(await readFile(examplePath, 'utf8'), 'examples/budgetquota.yaml');
const quota = toQuotaSpec(resource);
say(`   examples/budgetquota.yaml → scope ${quota.scope}: ${show(quota.limits)} per ${quota.window.durationMs / 3_600_000} h (${quota.window.type} window), lease ${quota.leaseMs / 1000} s`);
try {
  loadBudgetQuota((await readFile(examplePath, 'utf8')).replace('tokens: 2000000', 'tokens: -1'), 'edited.yaml');
} catch (error) {
  say(`   an edited copy with a negative limit is refused: ${(error as Error).message.split('\n')[1]?.trim() ?? ''}`);
}

const clock = new ManualClock(Date.UTC(2026, 0, 15, 9, 0, 0));
const store = new MemoryQuotaStore([quota]);
const budget = new BudgetEnforcer({ store, clock });
const used = (): string => {
  const usage = store.usage(quota.scope, clock.now());
  return `committed ${show(usage.committed)}; outstanding ${show(usage.outstanding)}`;
};

step(2, 'Reserve → work → commit (the guard does all three)');
const first = await budget.guard(quota.scope, { tokens: 800, costMinor: 12, toolCalls: 1 }, async (reservation) => {
  say(`   reserve 800 tokens, 0.12 EUR, 1 tool call → granted (${reservation.id}, lease until +${(reservation.expiresAt - clock.now()) / 1000} s)`);
  return { value: 'summary of the incident', actual: { tokens: 650, costMinor: 10, toolCalls: 1 } };
});
if (first.granted && first.receipt.recorded) say(`   the work reports ${show(first.receipt.actual)} → committed; the unused 150 tokens and 0.02 EUR return at once`);
say(`   notice: ${used()}`);

step(3, 'A call that used more than it reserved');
const greedy = await budget.guard(quota.scope, { tokens: 1000, costMinor: 20 }, async () => ({ value: null, actual: { tokens: 1400, costMinor: 28 } }));
if (greedy.granted && greedy.receipt.recorded) {
  say(`   reserved 1000 tokens and 0.20 EUR, used 1400 tokens and 0.28 EUR → committed, flagged overshot: ${show(greedy.receipt.overshoot)} past the reservation`);
  say('   notice: overshoot is recorded and counted, so later reservations see it');
}

step(4, 'A burst of 25 concurrent calls, 2.00 EUR each, against the 50.00 EUR limit');
const burst = await Promise.all(
  Array.from({ length: 25 }, () =>
    budget.guard(quota.scope, { tokens: 2000, costMinor: 200, toolCalls: 1 }, async () => {
      await nextTurn();
      return { value: null, actual: { tokens: 2000, costMinor: 200, toolCalls: 1 } };
    }),
  ),
);
const denied = burst.filter((result): result is Denial => !result.granted);
say(`   ${burst.length - denied.length} granted, ${denied.length} DENIED at the limit, the denied work never started:`);
say(`   "${denied[0]?.message ?? ''}"`);

step(5, 'A caller crashes while holding a reservation');
const orphan = expectGrant(await budget.reserve(quota.scope, { tokens: 5000, costMinor: 100, toolCalls: 1 }));
say(`   reserve 5000 tokens, 1.00 EUR → granted (${orphan.id}); the caller dies before committing`);
say(`   notice: ${used()}`);
clock.advance(quota.leaseMs);
say(`   ${quota.leaseMs / 1000} s later the lease has expired and the budget is back: ${used()}`);
const late = await budget.commit(orphan, { tokens: 4000, costMinor: 80, toolCalls: 1 });
if (late.recorded) say(`   the worker comes back and commits → recorded late: ${show(late.overshoot)} counted as overshoot, not lost`);

step(6, 'The quota store goes down');
const down: QuotaStore = {
  quota: (scope) => store.quota(scope),
  reserve: () => {
    throw new Error('connect ECONNREFUSED quota-store.example.org:5432');
  },
  commit: () => Promise.reject(new Error('unreachable')),
  release: () => Promise.reject(new Error('unreachable')),
  usage: () => Promise.reject(new Error('unreachable')),
  updateQuota: () => Promise.reject(new Error('unreachable')),
};
const refused = await new BudgetEnforcer({ store: down, clock }).reserve(quota.scope, { tokens: 800, costMinor: 12, toolCalls: 1 });
say(`   reserve → ${refused.granted ? 'granted' : `DENIED: ${refused.message}`}`);

step(7, 'The quota store hangs');
const hanging: QuotaStore = { ...down, reserve: () => new Promise(() => undefined) };
const started = performance.now();
const waited = await new BudgetEnforcer({ store: hanging, clock, storeTimeoutMs: 250 }).reserve(quota.scope, { tokens: 800 });
say(`   reserve → ${waited.granted ? 'granted' : `DENIED after ${Math.round(performance.now() - started)} ms: ${waited.message}`}`);

step(8, 'The durable store: an append-only journal that survives a restart and a torn write, and compacts');
const directory = await mkdtemp(join(tmpdir(), 'budget-quota-demo-'));
try {
  const journal = join(directory, 'quota.journal');
  const durable = await FileQuotaStore.open(journal, { quotas: [quota] });
  const onDisk = new BudgetEnforcer({ store: durable, clock });
  const held = expectGrant(await onDisk.reserve(quota.scope, { tokens: 900, costMinor: 15, toolCalls: 1 }));
  await onDisk.commit(expectGrant(await onDisk.reserve(quota.scope, { tokens: 300 })), { tokens: 250 });
  const before = await durable.usage(quota.scope, clock.now());
  await durable.close();
  say(`   two reservations, one committed, one still open; the journal has ${(await readFile(journal, 'utf8')).trimEnd().split('\n').length} lines, each fdatasync'ed`);
  await appendFile(journal, '{"type":"committed","at":17');
  say('   simulate a crash in the middle of an append: half a line at the end of the journal');
  try {
    await FileQuotaStore.open(journal, { quotas: [quota] });
  } catch (error) {
    say(`   reopen → refused: ${((error as Error).message.split(': the last')[0] ?? '').replace(directory, '<tmpdir>')}: an incomplete record, never acknowledged`);
  }
  const reopened = await FileQuotaStore.open(journal, { quotas: [quota], tornTail: 'repair' });
  say(`   reopen with tornTail: 'repair' → repaired: ${reopened.repairs.map((repair) => repair.kind).join(', ')}`);
  const after = await reopened.usage(quota.scope, clock.now());
  const same = JSON.stringify(after) === JSON.stringify(before);
  say(`   state after the restart ${same ? 'is identical' : 'DIFFERS'}: committed ${after.committed.tokens} tokens, outstanding ${after.outstanding.tokens} tokens`);
  const receipt = await new BudgetEnforcer({ store: reopened, clock }).commit(held, { tokens: 900, costMinor: 15, toolCalls: 1 });
  say(`   the reservation opened before the restart commits normally → ${receipt.recorded ? 'recorded' : receipt.message}`);
  const again = await new BudgetEnforcer({ store: reopened, clock }).commit(held, { tokens: 900, costMinor: 15, toolCalls: 1 });
  say(`   the same commit retried (say, after a timeout) → ${again.recorded ? 'the first receipt again, counted once' : again.message}`);
  const busy = new BudgetEnforcer({ store: reopened, clock });
  for (let call = 0; call < 100; call++) await busy.guard(quota.scope, { tokens: 100 }, async () => ({ value: null, actual: { tokens: 90 } }));
  clock.advance(2 * 3_600_000);
  const beforeCompaction = await reopened.usage(quota.scope, clock.now());
  const compaction = await reopened.compact();
  say(`   100 more calls, then two quiet hours; compact → ${compaction.linesBefore} lines of history become a ${compaction.linesAfter}-line snapshot, swapped in atomically`);
  await reopened.close();
  const compacted = await FileQuotaStore.open(journal, { quotas: [quota] });
  const afterCompaction = await compacted.usage(quota.scope, clock.now());
  const kept = JSON.stringify(afterCompaction) === JSON.stringify(beforeCompaction);
  say(`   reopen reads ${compacted.stats.linesRead} lines, not the history; the state ${kept ? 'is identical' : 'DIFFERS'}: committed ${afterCompaction.committed.tokens} tokens`);
  await compacted.close();
} finally {
  await rm(directory, { recursive: true, force: true });
}

step(9, 'The same contract in PostgreSQL: PGlite in this process, or the server DATABASE_URL names');
const database = process.env.DATABASE_URL ?? 'pglite://memory';
// A scope of its own each run, so a shared database keeps earlier runs apart.
const sqlScope = `demo/postgres-${randomUUID().slice(0, 8)}`;
const sqlStore = await PostgresQuotaStore.open(database, { quotas: [{ ...quota, scope: sqlScope, limits: { tokens: 3000 } }] });
try {
  say(`   opened ${sqlStore.target}: the schema is applied once, versioned; scope ${sqlScope} limits 3000 tokens`);
  const sqlBudget = new BudgetEnforcer({ store: sqlStore, clock });
  const racers = await Promise.all(Array.from({ length: 5 }, () => sqlBudget.reserve(sqlScope, { tokens: 1000 })));
  const won = racers.filter((answer): answer is Reservation => answer.granted);
  say(`   5 concurrent reserves of 1000 tokens → ${won.length} granted, ${racers.length - won.length} denied: each reserve is one statement that locks the scope's row, checks and holds`);
  const [firstWon] = won;
  if (firstWon !== undefined) {
    const receipt = await sqlBudget.commit(firstWon, { tokens: 900 });
    const again = await sqlBudget.commit(firstWon, { tokens: 900 });
    say(`   commit 900 tokens, then the same commit again → ${JSON.stringify(again) === JSON.stringify(receipt) ? 'the first receipt again, counted once' : 'a DIFFERENT receipt'}`);
  }
  const inDatabase = await sqlStore.usage(sqlScope, clock.now());
  say(`   the database holds: committed ${inDatabase.committed.tokens} tokens, outstanding ${inDatabase.outstanding.tokens} tokens in ${inDatabase.reservations} reservations`);
} finally {
  await sqlStore.close();
}

step(10, 'The anti-pattern: check, then act, with 1,000 callers at once (limit 100,000 tokens, 1,000 each)');
const work = async () => {
  await nextTurn();
  return { value: null, actual: 1000 };
};
const naive = new NaiveLimiter(100_000);
await Promise.all(Array.from({ length: 1000 }, () => naive.guard(1000, work)));
say(`   naive limiter: spent ${naive.spent} tokens → ${naive.spent - 100_000} tokens past the limit: every caller passed the check before anyone recorded`);
const fair = new MemoryQuotaStore([{ ...quota, limits: { tokens: 100_000 } }]);
const ours = new BudgetEnforcer({ store: fair, clock });
await Promise.all(Array.from({ length: 1000 }, () => ours.guard(quota.scope, { tokens: 1000 }, async () => ({ ...(await work()), actual: { tokens: 1000 } }))));
const spent = fair.usage(quota.scope, clock.now()).committed.tokens;
say(`   BudgetEnforcer: spent ${spent} tokens → ${spent - 100_000} past the limit: the check and the hold are one step`);
say('\nDone.');
