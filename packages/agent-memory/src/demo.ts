// The stateless worker, narrated: three separate processes continue one mission, each from
// what the one before wrote to memory. Runs on PGlite in a temporary directory, or on the
// server in DATABASE_URL.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '@12-factor-agentops/sql';
import { SqlMissionStore } from '@12-factor-agentops/mission-lifecycle';
import { AgentMemory, ResumeBundler } from './index.ts';
import type { MemoryDocument } from './index.ts';

const folder = mkdtempSync(join(tmpdir(), 'agent-memory-demo-'));
const url = process.env.DATABASE_URL ?? `pglite://${join(folder, 'db')}`;
const mission = `restore-checkout-${Date.now().toString(36)}`;
const BUDGET = 700;

try {
  console.log(`memory in ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'PGlite (temporary directory)'}; mission ${mission}\n`);
  const db = await connect(url);
  const memory = await AgentMemory.open(db);
  const corpus = JSON.parse(readFileSync(new URL('../fixtures/corpus.json', import.meta.url), 'utf8')) as MemoryDocument[];
  for (const doc of corpus) await memory.semantic.put(doc);
  await memory.graph.upsertEntity({ id: mission, kind: 'mission', name: 'Restore checkout after connection refusals at launch', source: 'incident ticket' });
  await memory.graph.upsertEntity({ id: 'svc-checkout', kind: 'service', name: 'Checkout', source: 'service catalogue' });
  await memory.graph.upsertEntity({ id: 'svc-orders-db', kind: 'service', name: 'Orders database', source: 'service catalogue' });
  await memory.graph.relate({ from: mission, type: 'restores', to: 'svc-checkout', source: 'incident ticket' });
  await memory.graph.relate({ from: 'svc-checkout', type: 'depends_on', to: 'svc-orders-db', source: 'service catalogue' });
  const missions = await SqlMissionStore.open(db);
  await missions.create(mission, ['diagnose', 'mitigate', 'verify'], Date.now());
  await db.close();
  console.log(`seeded ${corpus.length} documents, 3 entities, 2 relations; created the mission with steps diagnose, mitigate, verify\n`);

  const worker = fileURLToPath(new URL('./demo-worker.ts', import.meta.url));
  for (let run = 1; run <= 3; run++) {
    console.log(`--- invocation ${run}: a new process with no state of its own`);
    const child = spawnSync(process.execPath, ['--import', 'tsx', worker, url, mission, String(BUDGET)], { encoding: 'utf8', env: process.env });
    process.stdout.write(child.stdout);
    if (child.status !== 0) throw new Error(`invocation ${run} failed (${child.status ?? child.signal}):\n${child.stderr}`);
    console.log();
  }

  const last = await connect(url);
  const bundle = await new ResumeBundler({ memory: await AgentMemory.open(last), missions: await SqlMissionStore.open(last) }).bundleFor(mission, BUDGET);
  await last.close();
  console.log(`--- what a fourth session would load (${bundle.tokens} of ${BUDGET} tokens):\n`);
  console.log(bundle.text.replaceAll(mission, '<mission>'));
} finally {
  rmSync(folder, { recursive: true, force: true });
}
