// A narrated walk through the audit trail: record tool calls, verify, tamper, prove one record.
// Writes only under the OS temp directory and removes what it wrote.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeUtf8Exact } from '@12-factor-agentops/core';
import { SqlLeases, connect } from '@12-factor-agentops/sql';
import {
  AuditCheckpointer,
  AuditTrail,
  FileAuditStore,
  FileCheckpointStore,
  MemoryCheckpointStore,
  PostgresAuditStore,
  PostgresCheckpointStore,
  RootMismatch,
  SharedAuditTrail,
  ed25519Signer,
  ed25519Verifier,
  hmacSha256Signer,
  recordToolCall,
  verifyChain,
  verifyRecordInclusion,
  type AuditStore,
  type JsonValue,
  type VerificationReport,
} from './index.ts';

const directory = await mkdtemp(join(tmpdir(), 'audit-trail-demo-'));
const logPath = join(directory, 'audit.jsonl');
const checkpointPath = join(directory, 'checkpoints.jsonl');
const signer = hmacSha256Signer(randomBytes(32));
const logId = 'demo.example/agents/audit';
const short = (hash: string): string => `${hash.slice(0, 12)}…`;
const step = (n: number, text: string): void => console.log(`\n${n}. ${text}`);

function describe(report: VerificationReport): string {
  if (report.ok) {
    return `OK: ${report.size} entries, head ${short(report.headHash)}, checkpoints checked: ${report.checkpointsChecked}, unfinished calls: ${report.unfinishedCalls.length}`;
  }
  return `DETECTED at entry ${report.firstBadIndex} (${report.problem.kind}): ${report.problem.message}`;
}

async function openTrail(): Promise<AuditTrail> {
  return AuditTrail.open({ store: await FileAuditStore.open(logPath), checkpoints: await FileCheckpointStore.open(checkpointPath), signer, logId, checkpointEvery: 4 });
}

// The log as text, so the demo can edit it the way an intruder with a text editor would.
async function readLog(): Promise<{ lines: string[]; checkpoints: Awaited<ReturnType<FileCheckpointStore['readAll']>> }> {
  const [store, checkpointStore] = await Promise.all([FileAuditStore.open(logPath), FileCheckpointStore.open(checkpointPath)]);
  try {
    const lines = (await store.readLines()).map((line) => decodeUtf8Exact(line, logPath));
    return { lines, checkpoints: [...(await checkpointStore.readAll())] };
  } finally {
    await Promise.all([store.close(), checkpointStore.close()]);
  }
}

try {
  console.log('Audit trail demo: every tool call on the record, in a log that shows any tampering.');
  console.log('The log is a JSONL file under the temp directory; signed checkpoints (HMAC-SHA256) go to a second file, one every 4 entries.');

  step(1, 'Record six tool calls. The intent is written (and fsynced) before the tool runs; the outcome after it returns.');
  const trail = await openTrail();
  const calls: [string, JsonValue, string][] = [
    ['read_file', { path: 'runbooks/reindex.md' }, 'agent-7'],
    ['query_metrics', { series: 'search.latency.p99', window: '1h' }, 'agent-7'],
    ['run_tests', { suite: 'search-smoke' }, 'agent-7'],
    ['open_pull_request', { branch: 'reindex-shards', title: 'Reindex search shards' }, 'agent-7'],
    ['read_file', { path: 'config/shards.yaml' }, 'agent-8'],
    ['post_comment', { pr: 118, text: 'Smoke tests pass.' }, 'agent-8'],
  ];
  for (const [tool, args, actor] of calls) {
    await recordToolCall(trail, { tool, args, actor }, () => {
      console.log(`   #${trail.size - 1} intent  ${tool} ${JSON.stringify(args)} by ${actor} is on disk → the tool runs now`);
      return Promise.resolve('ok');
    });
    console.log(`   #${trail.size - 1} outcome ${tool} succeeded`);
  }

  step(2, 'The audit store becomes unwritable (a full disk, a revoked grant). The next call is refused before its tool runs.');
  const unwritable: AuditStore = {
    append: () => Promise.reject(new Error('ENOSPC: no space left on device')),
    readLines: () => Promise.resolve([]),
    close: () => Promise.resolve(),
  };
  const offline = await AuditTrail.open({ store: unwritable, checkpoints: new MemoryCheckpointStore(), signer, logId });
  let deletions = 0;
  try {
    await recordToolCall(offline, { tool: 'delete_index', args: { index: 'search-v1' }, actor: 'agent-7' }, () => Promise.resolve(deletions++));
  } catch (error) {
    console.log(`   delete_index → DENIED (fail closed): ${(error as Error).message}`);
  }
  console.log(`   times delete_index actually ran: ${deletions}`);

  step(3, 'Close the trail: a last checkpoint signs the head, so the whole log is anchored.');
  await trail.close();
  const { lines, checkpoints } = await readLog();
  console.log(`   checkpoints at sizes ${checkpoints.map((c) => c.size).join(', ')}; the last one: root ${short(checkpoints.at(-1)?.rootHash ?? '')}`);

  step(4, 'Verify the file as stored: every hash, every link, every checkpoint.');
  console.log(`   ${describe(verifyChain(lines, { checkpoints, verifier: signer, logId }))}`);

  const testsAt = lines.findIndex((line) => line.includes('search-smoke'));
  step(5, `Tamper: someone edits entry ${testsAt}, the intent of run_tests, so another test suite appears to have run.`);
  const edited = [...lines];
  edited[testsAt] = (edited[testsAt] as string).replace('search-smoke', 'search-full');
  console.log(`   ${describe(verifyChain(edited, { checkpoints, verifier: signer, logId }))}`);

  step(6, 'Tamper: someone deletes entry 6, the intent to open a pull request.');
  console.log(`   ${describe(verifyChain(lines.filter((_, i) => i !== 6), { checkpoints, verifier: signer, logId }))}`);

  step(7, 'Tamper: someone cuts the last three entries off the file.');
  console.log(`   ${describe(verifyChain(lines.slice(0, -3), { checkpoints, verifier: signer, logId }))}`);
  console.log('   Notice: only the checkpoint at size 12 exposes this. Entries written after the last checkpoint can be cut unseen; that is why close() writes one.');

  step(8, 'Inclusion proof: a reader holds entry 6, a proof and the signed checkpoint, and nothing else of the log.');
  const store = await FileAuditStore.open(logPath);
  const checkpointStore = await FileCheckpointStore.open(checkpointPath);
  const reader = await AuditTrail.open({ store, checkpoints: checkpointStore, signer, logId, checkpointEvery: 4 });
  const checkpoint = checkpoints.at(-1) as (typeof checkpoints)[number];
  const proof = reader.proveInclusion(6, checkpoint.size);
  verifyRecordInclusion(lines[6] as string, proof, checkpoint, signer, logId);
  console.log(`   entry 6 is in the log of ${checkpoint.size} entries: proven with ${proof.path.length} hashes instead of reading ${checkpoint.size - 1} other entries`);
  const bent = { ...proof, path: proof.path.map((node, i) => (i === 1 ? `${node[0] === '0' ? '1' : '0'}${node.slice(1)}` : node)) };
  try {
    verifyRecordInclusion(lines[6] as string, bent, checkpoint, signer, logId);
  } catch (error) {
    console.log(`   one proof hash changed → REJECTED (${(error as Error).name}): ${error instanceof RootMismatch ? `root ${short(error.calculated)} is not the signed ${short(error.expected)}` : (error as Error).message}`);
  }

  step(9, 'Crash: an agent starts a deployment and its process dies before the tool returns.');
  let toolStarted!: () => void;
  const started = new Promise<void>((resolve) => (toolStarted = resolve));
  void recordToolCall(reader, { tool: 'deploy', args: { service: 'search', version: '2.4.1' }, actor: 'agent-9' }, () => {
    toolStarted();
    return new Promise<never>(() => undefined);
  });
  await started;
  // The process is gone: no outcome, no closing checkpoint; only what was fsynced remains.
  await Promise.all([store.close(), checkpointStore.close()]);
  const afterCrash = await readLog();
  const report = verifyChain(afterCrash.lines, { checkpoints: afterCrash.checkpoints, verifier: signer, logId });
  console.log(`   ${describe(report)}`);
  for (const call of report.unfinishedCalls) {
    console.log(`   unfinished: #${call.index} ${call.tool} by ${call.actor}: it may or may not have run, and this is a crash to look into, not tampering`);
  }
  await sharedTrail();
  console.log('\nDone. Tampering was found at the entry it touched; a refused audit write stopped the tool; the crash left a visible trace;');
  console.log('several hosts wrote one chain that the database keeps append-only, signed by a checkpointer whose key no appender holds.');
} finally {
  await rm(directory, { recursive: true, force: true });
}

// Several hosts, one trail: PostgreSQL (PGlite in memory here, a server when DATABASE_URL is set).
async function sharedTrail(): Promise<void> {
  step(10, `Several hosts, one log: two appenders and two checkpointers share ${process.env.DATABASE_URL === undefined ? 'an in-memory PGlite' : 'the database at DATABASE_URL'}.`);
  const db = await connect(process.env.DATABASE_URL ?? 'pglite://memory');
  try {
    const sharedLogId = `demo.example/agents/shared-${randomBytes(4).toString('hex')}`;
    const store = await PostgresAuditStore.open(db, { logId: sharedLogId });
    const hosts = await Promise.all(['host-a', 'host-b'].map(async (host) => ({ host, trail: await SharedAuditTrail.open({ store: await PostgresAuditStore.open(db, { logId: sharedLogId }) }) })));
    const landed = await Promise.all(hosts.flatMap(({ host, trail }) =>
      ['read_file', 'run_tests', 'open_pull_request'].map(async (tool) => {
        const intent = await trail.recordIntent({ tool, args: {}, actor: host });
        await trail.recordOutcome({ callId: intent.callId as string, status: 'succeeded', durationMs: 1 });
        return `${host} ${tool} → #${intent.index}`;
      })));
    console.log(`   intents appended side by side, each sealed under the log's lock: ${landed.join(', ')}`);
    try {
      await db.query("UPDATE audit_entries SET line = convert_to('{}', 'UTF8') WHERE log_id = $1 AND position = 0", [sharedLogId]);
    } catch (error) {
      console.log(`   UPDATE issued directly in SQL → REFUSED by the database: ${(error as Error).message}`);
    }
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const checkpoints = await PostgresCheckpointStore.open(db, { logId: sharedLogId });
    const leases = await SqlLeases.open(db);
    const checkpointers = ['signer-1', 'signer-2'].map((owner) => new AuditCheckpointer({ store, checkpoints, signer: ed25519Signer(privateKey), leases, owner }));
    for (const [i, checkpointer] of checkpointers.entries()) {
      const round = await checkpointer.runOnce();
      console.log(`   signer-${i + 1}: ${round.role === 'leader' ? `holds the lease, signed a checkpoint at size ${round.checkpoint?.size ?? '?'} with Ed25519` : `stands by while ${round.leader ?? 'nobody'} holds the lease`}`);
    }
    const report = verifyChain(await store.readLines(), { checkpoints: await checkpoints.readAll(), verifier: ed25519Verifier(publicKey), logId: sharedLogId });
    console.log(`   verified with the public key alone: ${describe(report)}`);
    await Promise.all([...hosts.map(({ trail }) => trail.close()), ...checkpointers.map((checkpointer) => checkpointer.release())]);
  } finally {
    await db.close();
  }
}
