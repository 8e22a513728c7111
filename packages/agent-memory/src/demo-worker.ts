// One invocation of the demo's stateless worker: it knows nothing but the database URL and the
// mission id. It loads a resume bundle, does the mission's next step, writes what it learned to
// the three layers, and exits. Usage: demo-worker.ts <database URL> <mission id> <budget tokens>
import { connect } from '@12-factor-agentops/sql';
import { SqlMissionStore, resume, thisProcess } from '@12-factor-agentops/mission-lifecycle';
import { AgentMemory, ResumeBundler } from './index.ts';
import type { AgentMemory as Memory, ResumeBundle } from './index.ts';

const [url, missionId, budget] = process.argv.slice(2) as [string, string, string];
const db = await connect(url);
try {
  const memory = await AgentMemory.open(db);
  const missions = await SqlMissionStore.open(db);
  const bundle = await new ResumeBundler({ memory, missions, contextWindowTokens: 8_000 }).bundleFor(missionId, Number(budget));
  console.log(
    `loaded a bundle: ${bundle.tokens} of ${bundle.budgetTokens} tokens (${(bundle.fill * 100).toFixed(1)}% of an 8,000-token window: ${bundle.band}); ` +
      `${bundle.included.length} items in, ${bundle.omitted.length} left out by id; state ${bundle.lifecycle.state}, done: ${bundle.lifecycle.done.join(', ') || 'none'}`,
  );
  const next = bundle.lifecycle.steps.find((step) => !bundle.lifecycle.done.includes(step));
  if (next === undefined) {
    console.log('nothing left to do');
  } else {
    // resume() runs every step it has a function for; given only the next one, it stops before
    // the step after it (nothing written for that one) and releases the mission.
    await resume(missionId, { store: missions, worker: thisProcess(`worker-${process.pid}`), steps: { [next]: () => work(memory, bundle, next) } }).catch((error: unknown) => {
      if (!(error instanceof RangeError && error.message.includes('no step function'))) throw error;
    });
    console.log(`did step "${next}" and wrote it to memory; exiting`);
  }
} finally {
  await db.close();
}

async function work(memory: Memory, bundle: ResumeBundle, step: string): Promise<void> {
  const mission = bundle.missionId;
  const actor = `worker-${process.pid}`;
  if (step === 'diagnose') {
    const hits = await memory.semantic.search('connection pool exhausted after scaling instances', { limit: 3 });
    console.log(`  searched runbooks: ${hits.map((hit) => hit.id).join(', ')}`);
    await memory.history.append({ missionId: mission, step, actor, kind: 'tried', summary: 'Matched the symptoms to pool exhaustion after the scale-out.', reason: 'Connection refusals began when the instance count doubled.', documentIds: hits.map((hit) => hit.id), entityIds: ['svc-orders-db'] });
    await memory.history.append({ missionId: mission, step, actor, kind: 'open', summary: 'Add a connection pooler, or shrink each instance pool?', entityIds: ['svc-orders-db'] });
    console.log('  recorded what was tried and one open decision');
  } else if (step === 'mitigate') {
    const open = bundle.included.find((item) => item.layer === 'decision');
    await memory.graph.upsertEntity({ id: 'dec-pooler', kind: 'decision', name: 'Put a connection pooler in front of the orders database', source: `history #${open?.id ?? '?'}` });
    await memory.graph.relate({ from: mission, type: 'decided', to: 'dec-pooler', source: actor });
    await memory.graph.relate({ from: 'dec-pooler', type: 'changes', to: 'svc-orders-db', source: actor });
    await memory.history.append({ missionId: mission, step, actor, kind: 'decided', summary: 'Add a pooler; keep instance pools as they are.', reason: 'Instance counts change with every launch; a pooler bounds server connections whatever they are.', ...(open ? { resolves: BigInt(open.id) } : {}), entityIds: ['dec-pooler'] });
    console.log(`  resolved open decision #${open?.id ?? '?'} and linked the decision in the graph`);
  } else {
    await memory.semantic.put({ id: `note-${mission}-verify`, kind: 'note', title: 'Checkout verified after the pooler', body: 'Error rate back to baseline; server connections stay under the limit during the scale-out test.' });
    await memory.history.append({ missionId: mission, step, actor, kind: 'observed', summary: 'Checkout error rate back to baseline.', documentIds: [`note-${mission}-verify`] });
    console.log('  wrote a verification note and recorded the observation');
  }
}
