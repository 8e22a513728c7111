// A narrated run of the approval gate. Time is a ManualClock, so the story takes
// milliseconds even where the gate waits hours.
import {
  ApprovalGate,
  InMemoryAuditSink,
  ManualClock,
  type AuditSink,
  type GateAuditEvent,
  type GatePolicy,
  type PlanData,
} from './index.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const START = Date.UTC(2025, 2, 4, 9, 0, 0);

let step = 0;
const say = (text: string): void => console.log(`${String(++step).padStart(2)}. ${text}`);
const note = (text: string): void => console.log(`    ${text}`);
const heading = (text: string): void => console.log(`\n${text}\n${'-'.repeat(text.length)}`);
const short = (hash: string): string => `${hash.slice(0, 10)}…`;
const hhmm = (ms: number): string => `${new Date(ms).toISOString().slice(11, 16)}Z`;
const clockTime = (clock: ManualClock): string => hhmm(clock.now());

async function refusal(action: Promise<unknown>): Promise<string> {
  try {
    await action;
  } catch (error) {
    if (error instanceof Error) return `${error.name}: ${error.message}`;
  }
  throw new Error('the demo expected this call to be refused, and it was not');
}

const scalePlan = (replicas: number): PlanData => ({
  goal: 'Scale checkout for the sale and check it is healthy',
  steps: [
    { tool: 'kubectl.scale', target: { namespace: 'shop', name: 'checkout-api' }, arguments: { replicas } },
    { tool: 'http.probe', arguments: { url: 'https://checkout-api.example.org/healthz', expectStatus: 200 } },
    { tool: 'ticket.comment', arguments: { ticket: 'CHG-1042', text: 'Scaled for the sale.' } },
  ],
});

const policy: GatePolicy = {
  approvers: ['reviewer-a', 'reviewer-b', 'reviewer-c'],
  requiredApprovals: 2,
  approvalTtlMs: HOUR,
  gateTimeoutMs: HOUR,
  escalationPath: [
    { name: 'team-lead', approvers: ['lead-1'], timeoutMs: 2 * HOUR },
    { name: 'duty-manager', approvers: ['manager-1'], timeoutMs: HOUR },
  ],
};

function newGate(planId: string, plan: PlanData, audit: AuditSink, clock: ManualClock): ApprovalGate {
  return new ApprovalGate({ planId, author: 'agent-7', plan, policy, audit, clock });
}

async function approveAndExecute(): Promise<void> {
  heading('Story 1: plan → approve → execute');
  const clock = new ManualClock(START);
  const audit = new InMemoryAuditSink();
  const gate = newGate('scale-checkout', scalePlan(6), audit, clock);
  say(`agent-7 drafts a 3-step plan → ${gate.phase}, plan hash ${short(gate.snapshot().planHash)}`);
  note('The hash is SHA-256 of the plan\'s canonical JSON: the plan\'s identity is its content.');

  const submitted = await gate.submit('agent-7');
  const deadline = hhmm(submitted.round?.deadline ?? 0);
  say(`agent-7 submits it → ${submitted.phase}; 2 of reviewer-a, reviewer-b, reviewer-c must approve by ${deadline}`);

  say(`agent-7 approves its own plan, signing as "Agent-7" → REFUSED\n    ${await refusal(gate.approve('Agent-7'))}`);
  note('Ids are compared normalised (NFKC, lower case, no invisible characters): one person, one id.');

  clock.advance(5 * MINUTE);
  const first = await gate.approve('reviewer-a');
  const validUntil = hhmm(first.expiresAt ?? 0);
  say(`reviewer-a approves hash ${short(first.planHash)} at ${clockTime(clock)} → 1 of 2 (valid until ${validUntil})`);
  await gate.approve('reviewer-b');
  say('reviewer-b approves → 2 of 2: the gate is answered and its timer stops');

  const permit = await gate.execute('runner-1', scalePlan(6));
  const approvedBy = permit.approvers.join(', ');
  say(`runner-1 presents the plan it is about to run → ${gate.phase}: hash ${short(permit.planHash)} approved by ${approvedBy}`);
  const steps = (permit.plan as { steps: readonly { tool: string }[] }).steps.map((s) => s.tool).join(' → ');
  say(`runner-1 runs permit.plan, the frozen snapshot that was hashed and approved: ${steps}`);
  note(`Frozen: ${String(Object.isFrozen(permit.plan))}. The runner never executes an object the agent could still change.`);
  await gate.complete('runner-1', 'succeeded');
  say(`runner-1 reports success → ${gate.phase}`);
  note(`${audit.events.length} decisions on the audit trail: ${audit.events.map((event) => event.kind).join(', ')}`);
}

async function editedAfterApproval(): Promise<void> {
  heading('Story 2: the plan changes after approval');
  const clock = new ManualClock(START);
  const gate = newGate('scale-checkout-2', scalePlan(6), new InMemoryAuditSink(), clock);
  await gate.submit('agent-7');
  await gate.approve('reviewer-a');
  await gate.approve('reviewer-c');
  say(`plan submitted and approved by reviewer-a and reviewer-c (hash ${short(gate.snapshot().planHash)})`);

  say('the agent edits its own copy afterwards: steps[0].arguments.replicas 6 → 60');
  say(`runner-1 presents the edited copy → REFUSED\n    ${await refusal(gate.execute('runner-1', scalePlan(60)))}`);
  note(`The gate still holds the approved plan; phase is ${gate.phase}.`);

  const sneaky = scalePlan(6) as { steps: { tool: string }[] };
  Object.defineProperty(sneaky.steps, 'cleanup', { value: { tool: 'kubectl.delete' }, enumerable: false });
  say(`the agent hides an extra step on the steps array, where JSON cannot see it → REFUSED\n    ${await refusal(gate.execute('runner-1', sneaky))}`);

  clock.advance(HOUR);
  say(`an hour later runner-1 presents the original → REFUSED\n    ${await refusal(gate.execute('runner-1', scalePlan(6)))}`);
  note('Approvals expire (here after 1 h): an old "yes" does not authorise a run today.');
}

async function nobodyAnswers(): Promise<void> {
  heading('Story 3: a gate nobody answers');
  const clock = new ManualClock(START);
  const audit = new InMemoryAuditSink();
  const gate = newGate('scale-checkout-3', scalePlan(6), audit, clock);
  await gate.submit('agent-7');
  say(`submitted at ${clockTime(clock)}: reviewers have 1 h, then team-lead 2 h, then duty-manager 1 h`);

  for (const hours of [1, 2]) {
    clock.advance(hours * HOUR);
    const snapshot = await gate.tick();
    const levelName = policy.escalationPath?.[(snapshot.round?.escalationLevel ?? 1) - 1]?.name ?? '?';
    say(`${clockTime(clock)}, no answer → escalated to level ${snapshot.round?.escalationLevel ?? 0} (${levelName})`);
  }
  clock.advance(HOUR);
  say(`${clockTime(clock)}, end of the path, still no answer → ${(await gate.tick()).phase} (fails closed)`);
  say(`reviewer-a approves late → REFUSED\n    ${await refusal(gate.approve('reviewer-a'))}`);

  note('The audit trail of this gate:');
  for (const event of audit.events) note(`  ${event.at.slice(11, 16)}Z  ${event.kind.padEnd(16)} ${event.actor.padEnd(8)} ${short(event.planHash)}`);
}

class SwitchableSink implements AuditSink {
  down = false;
  readonly recorded: GateAuditEvent[] = [];

  append(event: GateAuditEvent): Promise<void> {
    if (this.down) return Promise.reject(new Error('audit store unreachable'));
    this.recorded.push(event);
    return Promise.resolve();
  }
}

async function auditStoreDown(): Promise<void> {
  heading('Story 4: the audit store is down');
  const clock = new ManualClock(START);
  const sink = new SwitchableSink();
  const gate = newGate('scale-checkout-4', scalePlan(6), sink, clock);
  await gate.submit('agent-7');
  await gate.approve('reviewer-a');
  sink.down = true;
  say(`the audit store goes down; reviewer-b approves → NOT TAKEN\n    ${await refusal(gate.approve('reviewer-b'))}`);
  note(`Still ${gate.snapshot().round?.decisions.length ?? 0} approval on the gate, ${sink.recorded.length} events recorded: no decision without a record.`);
  sink.down = false;
  await gate.approve('reviewer-b');
  say(`the store is back; reviewer-b approves again → recorded, ${sink.recorded.length} events`);
}

await approveAndExecute();
await editedAfterApproval();
await nobodyAnswers();
await auditStoreDown();
console.log('\nDone. Every decision above reached the audit sink before it took effect.');
