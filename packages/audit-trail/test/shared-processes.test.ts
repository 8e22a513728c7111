// Four OS processes append to one trail on a real server while a checkpointer signs it.
import { generateKeyPairSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlLeases } from '@12-factor-agentops/sql';
import { startScript } from '@12-factor-agentops/sql/testing';
import { AuditCheckpointer, PostgresAuditStore, PostgresCheckpointStore, ed25519Signer, ed25519Verifier, verifyChain, verifyCheckpoint } from '../src/index.ts';
import { textLines } from './support.ts';
import { freshLogId, openPgBackend, type PgBackend } from './support/postgres.ts';

const WORKER = fileURLToPath(new URL('./support/append-worker.ts', import.meta.url));
const PACKAGE = fileURLToPath(new URL('..', import.meta.url));

describe('four processes appending to one trail on a real server', () => {
  let backend: PgBackend;
  beforeAll(async () => {
    backend = await openPgBackend('PostgreSQL server');
  });
  afterAll(() => backend.close());

  it('keep one chain that verifies, holding every acknowledged entry once, and every checkpoint verifies with the public key', { timeout: 120_000 }, async () => {
    const logId = freshLogId();
    const store = await PostgresAuditStore.open(backend.client, { logId });
    const checkpoints = await PostgresCheckpointStore.open(backend.client, { logId });
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const checkpointer = new AuditCheckpointer({ store, checkpoints, signer: ed25519Signer(privateKey), leases: await SqlLeases.open(backend.client), owner: 'checkpointer-1' });
    const workers = Array.from({ length: 4 }, (_, i) => startScript(WORKER, [backend.url as string, logId, `host-${i}`, '150', '16'], { cwd: PACKAGE }));
    await Promise.all(workers.map((worker) => worker.ready));
    for (const worker of workers) worker.process.stdin.end('go\n');

    // The checkpointer signs what is there, round after round, while the appenders run.
    const stop = new AbortController();
    const rounds = checkpointer.run({ intervalMs: 20, signal: stop.signal });
    const outcomes = await Promise.all(workers.map((worker) => worker.exited));
    stop.abort();
    await rounds;
    await checkpointer.runOnce();
    for (const outcome of outcomes) expect(outcome, outcome.stderr).toMatchObject({ code: 0 });

    const acknowledged = outcomes.flatMap((outcome) => (JSON.parse(outcome.stdout.trim().split('\n').at(-1) ?? '{}') as { acknowledged: [number, string][] }).acknowledged);
    expect(acknowledged).toHaveLength(600);
    const lines = textLines(await store.readLines());
    const saved = await checkpoints.readAll();
    const verifier = ed25519Verifier(publicKey);
    expect(verifyChain(lines, { checkpoints: saved, verifier, logId })).toMatchObject({ ok: true, size: 600, checkpointsChecked: saved.length });
    expect(new Set(acknowledged.map(([index]) => index)).size).toBe(600);
    for (const [index, hash] of acknowledged) expect(lines[index]?.endsWith(`"hash":"${hash}"}`)).toBe(true);
    // Several checkpoints were signed while the appends ran, the last one over the whole log.
    expect(saved.length).toBeGreaterThan(2);
    expect(saved.at(-1)?.size).toBe(600);
    for (const checkpoint of saved) expect(() => verifyCheckpoint(checkpoint, verifier, logId)).not.toThrow();
    // Entries of the four hosts interleave in the one chain.
    const writers = lines.slice(0, 200).map((line) => /"actor":"(host-\d)"/.exec(line)?.[1]);
    expect(new Set(writers).size).toBe(4);
  });
});
