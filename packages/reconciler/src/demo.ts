// A narrated run of the reconciler on virtual time: minutes of back-off and cool-down
// pass in milliseconds, and every run prints the same story.
import type { AgentAction, AgentDeploymentSpec, ControllerEvent } from './index.ts';
import {
  CircuitBreaker,
  CircuitOpenError,
  Controller,
  createAgentKeyLister,
  createAgentReconciler,
  DesiredState,
  isRuntimeUnavailable,
  SimulatedRuntime,
  specsEqual,
  VirtualScheduler,
} from './index.ts';

const scheduler = new VirtualScheduler();
const desired = new DesiredState();
const runtime = new SimulatedRuntime({ scheduler, latencyMs: 20, servedModels: ['model-small', 'model-large'] });

function say(line: string): void {
  console.log(`  [t=${(scheduler.now() / 1000).toFixed(1).padStart(6)}s] ${line}`);
}
function notice(line: string): void {
  console.log(`  → notice: ${line}`);
}
function step(title: string): void {
  console.log(`\n${title}`);
}
function describeSpec(spec: AgentDeploymentSpec): string {
  return `${spec.model} ×${spec.replicas}, ${spec.version}, tools [${spec.tools.join(', ')}]`;
}
function describeAction(action: AgentAction): string {
  if (action.kind === 'delete') return `delete ${action.name} (not declared)`;
  return `${action.kind} ${action.name} → ${describeSpec(action.spec)}`;
}
function drifted(): string[] {
  const observed = runtime.snapshot();
  const names = new Set([...desired.names(), ...observed.keys()]);
  return [...names].filter((name) => {
    const want = desired.get(name);
    const have = observed.get(name);
    return want === undefined || have === undefined ? want !== have : !specsEqual(want, have);
  });
}
function reportConvergence(): void {
  const differ = drifted();
  say(differ.length === 0 ? `observed = desired for all ${desired.names().length} agents` : `still drifted: ${differ.join(', ')}`);
}

let quiet = false; // silences resync and retry lines once their pattern is clear
let refusedByBreaker = 0;
function onEvent(event: ControllerEvent): void {
  if (event.type === 'retry-scheduled' && event.error instanceof CircuitOpenError) refusedByBreaker++;
  if (event.type === 'gave-up') say(`${event.key}: gave up, no retry (TerminalError): ${event.error.message}`);
  if (quiet) return;
  if (event.type === 'resynced') say(`resync: all ${event.keys} keys queued, whatever the events said`);
  if (event.type === 'retry-scheduled') {
    const reason = event.error instanceof Error ? event.error.name : 'error';
    say(`${event.key}: ${reason} → retry in ${event.delayMs} ms (failure ${event.failures})`);
  }
}

const breaker = new CircuitBreaker({
  scheduler,
  isFailure: isRuntimeUnavailable,
  onStateChange: (from, to) => {
    say(`circuit breaker ${from} → ${to}`);
    // Keys in back-off may wait up to 60 s more; a resync now lets them all through at once.
    if (to === 'closed') void controller.resyncNow();
  },
});
const controller = new Controller({
  reconcile: createAgentReconciler({ desired, runtime, breaker, onAction: (action) => say(describeAction(action)) }),
  listKeys: createAgentKeyLister({ desired, runtime, breaker }),
  scheduler,
  onEvent,
});
let watching = true;
desired.watch((change) => watching && controller.enqueue(change.name));
runtime.watch((name) => watching && controller.enqueue(name));

console.log('Reconciler demo: desired agent deployments vs a runtime that drifts, drops events and goes down.');
console.log('Defaults: resync 30 s, back-off 100 ms doubling to 60 s, breaker opens after 5 failures for 60 s and gives a probe 30 s, each reconcile gets 60 s.');

step('1. Declare three agents; the loop creates them.');
desired.apply('triage', { model: 'model-small', replicas: 2, tools: ['tickets', 'search'], version: 'v1' });
desired.apply('summarizer', { model: 'model-small', replicas: 1, tools: ['search'], version: 'v1' });
desired.apply('code-reviewer', { model: 'model-large', replicas: 1, tools: ['repo-read'], version: 'v3' });
void controller.start();
await scheduler.advanceBy(1_000);
reportConvergence();

step('2. Drift: someone deletes summarizer, scales triage to 0 and starts an extra agent by hand.');
runtime.injectDrift({ kind: 'delete', name: 'summarizer' });
runtime.injectDrift({ kind: 'modify', name: 'triage', patch: { replicas: 0 } });
runtime.injectDrift({ kind: 'add', name: 'shadow-agent', spec: { model: 'model-large', replicas: 4, tools: ['shell'], version: 'v0' } });
await scheduler.advanceBy(1_000);
reportConvergence();
notice('no person ran a command: each reconcile compared desired with observed and made one write.');

step('3. Events dropped: the watches go silent, then the spec changes and the runtime drifts again.');
watching = false;
desired.apply('code-reviewer', { model: 'model-large', replicas: 1, tools: ['repo-read'], version: 'v4' });
runtime.injectDrift({ kind: 'modify', name: 'summarizer', patch: { tools: ['search', 'shell'] } });
await scheduler.advanceBy(5_000);
reportConvergence();
await scheduler.advanceBy(30_000 - (scheduler.now() % 30_000) + 1_000);
reportConvergence();
notice('the loop never saw either event; the periodic resync compared levels and repaired both.');
watching = true;

step('4. The runtime goes down while a change is pending, and stays down for 90 s.');
runtime.takeDown();
desired.apply('summarizer', { model: 'model-small', replicas: 3, tools: ['search'], version: 'v1' });
await scheduler.advanceBy(2_000);
notice('each failed read wrote nothing ("cannot tell" is never taken for "absent"), and the retries back off.');
quiet = true;
const requestsBefore = runtime.requests;
await scheduler.advanceBy(88_000);
say(`while down: ${refusedByBreaker} retries refused by the open breaker; ${runtime.requests - requestsBefore} request(s) reached the runtime`);
notice('after 5 failures the breaker fails calls fast; at most one probe per 60 s cool-down tests the runtime.');
say('runtime is back');
runtime.bringUp();
await scheduler.advanceBy(70_000);
reportConvergence();
notice('recovery needed nobody: the first call after the cool-down was a probe, its success closed the breaker,');
notice('and the resync wired to "closed" sent every key through without waiting out its back-off.');
quiet = false;

step('5. A spec the runtime can never run: the loop gives up on it instead of retrying forever.');
desired.apply('code-reviewer', { model: 'model-huge', replicas: 1, tools: ['repo-read'], version: 'v4' });
await scheduler.advanceBy(10_000);
reportConvergence();
desired.apply('code-reviewer', { model: 'model-large', replicas: 2, tools: ['repo-read'], version: 'v4' });
await scheduler.advanceBy(1_000);
reportConvergence();
notice('a TerminalError gets no back-off retries (only the next event or resync looks again); the fixed spec repairs it.');

step('6. Shut down while a reconcile is in flight.');
controller.enqueue('triage');
say(`shutdown requested; in flight: ${controller.queue.processingKeys().join(', ')}`);
const stopping = controller.shutdown({ deadlineMs: 5_000 });
await scheduler.advanceBy(1_000);
const { abandoned } = await stopping;
say(`stopped: ${controller.queue.processingKeys().length} in flight, ${abandoned.length} abandoned, ${scheduler.pendingTimers} timers pending`);
notice('shutdown let the running reconcile finish; the queue held only names, so the next start resyncs and loses nothing.');
notice('a reconcile still running at the 5 s deadline would have had its signal aborted and been named in "abandoned".');
