import { describe, expect, it } from 'vitest';
import {
  CircuitBreaker,
  Controller,
  createAgentKeyLister,
  createAgentReconciler,
  DesiredState,
  isRuntimeUnavailable,
  RuntimeUnavailable,
  SimulatedRuntime,
  TerminalError,
  VirtualScheduler,
} from '../src/index.ts';
import type { AgentAction, ControllerEvent } from '../src/index.ts';
import { noDeadline, normalize, spec } from './helpers.ts';

function setup(options: { servedModels?: readonly string[] } = {}) {
  const scheduler = new VirtualScheduler();
  const desired = new DesiredState();
  const runtime = new SimulatedRuntime({ scheduler, latencyMs: 5, ...options });
  const breaker = new CircuitBreaker({ scheduler, isFailure: isRuntimeUnavailable });
  const actions: AgentAction[] = [];
  const reconcile = createAgentReconciler({ desired, runtime, breaker, onAction: (action) => actions.push(action) });
  const listKeys = createAgentKeyLister({ desired, runtime, breaker });
  return { scheduler, desired, runtime, breaker, actions, reconcile, listKeys };
}

describe('createAgentReconciler', () => {
  it('creates a missing deployment, updates a modified one and deletes an extra', async () => {
    const t = setup();
    t.desired.apply('triage', spec());
    t.desired.apply('summarizer', spec({ replicas: 2 }));
    t.runtime.injectDrift({ kind: 'add', name: 'summarizer', spec: spec({ replicas: 0 }) });
    t.runtime.injectDrift({ kind: 'add', name: 'stray', spec: spec() });
    for (const name of ['triage', 'summarizer', 'stray']) {
      const pass = t.reconcile(name, noDeadline());
      await t.scheduler.advanceBy(10);
      await pass;
    }
    expect(t.actions.map((action) => `${action.kind} ${action.name}`)).toEqual(['create triage', 'update summarizer', 'delete stray']);
    expect(normalize(t.runtime.snapshot())).toEqual(normalize(t.desired.snapshot()));
  });

  it('writes nothing when the runtime cannot be read, and says so in the error', async () => {
    const t = setup();
    t.desired.apply('triage', spec());
    t.runtime.takeDown();
    const pass = t.reconcile('triage', noDeadline());
    const outcome = pass.catch((error: unknown) => error);
    await t.scheduler.advanceBy(10);
    expect(await outcome).toEqual(new RuntimeUnavailable('get "triage"'));
    expect(String(await outcome)).toBe('RuntimeUnavailable: Agent runtime unavailable during get "triage"; no state was read or changed. Retry later.');
    expect(t.actions).toEqual([]);
    expect(t.runtime.snapshot().size).toBe(0);
  });

  it('writes nothing once its signal has aborted, because the loop has already counted the pass as failed', async () => {
    const t = setup();
    t.desired.apply('triage', spec());
    const deadline = new AbortController();
    const outcome = t.reconcile('triage', { signal: deadline.signal }).catch((error: unknown) => error);
    await t.scheduler.advanceBy(2);
    deadline.abort(new Error('deadline passed'));
    await t.scheduler.advanceBy(10);
    expect(await outcome).toEqual(new Error('deadline passed'));
    expect(t.actions).toEqual([]);
    expect(t.runtime.snapshot().size).toBe(0);
    expect(t.runtime.requests).toBe(1);
  });

  it('turns a spec the runtime refuses into a TerminalError naming the model and the fix', async () => {
    const t = setup({ servedModels: ['model-small'] });
    t.desired.apply('coder', spec({ model: 'model-huge' }));
    const outcome = t.reconcile('coder', noDeadline()).catch((error: unknown) => error);
    await t.scheduler.advanceBy(20);
    const error = await outcome;
    expect(error).toBeInstanceOf(TerminalError);
    expect((error as Error).message).toBe(
      'Agent deployment "coder" asks for model "model-huge", which this runtime does not serve (it serves model-small). Change the declared model.',
    );
    expect(t.breaker.state).toBe('closed');
  });

  it('lists declared and running names, and still the declared ones while the runtime is down', async () => {
    const t = setup();
    t.desired.apply('triage', spec());
    t.runtime.injectDrift({ kind: 'add', name: 'stray', spec: spec() });
    const both = t.listKeys();
    await t.scheduler.advanceBy(10);
    expect((await both).sort()).toEqual(['stray', 'triage']);
    t.runtime.takeDown();
    const declaredOnly = t.listKeys();
    await t.scheduler.advanceBy(10);
    expect(await declaredOnly).toEqual(['triage']);
  });

  it('opens the breaker during an outage so the runtime stops being called, then converges when it returns', async () => {
    const t = setup();
    const events: ControllerEvent[] = [];
    const controller = new Controller({
      reconcile: t.reconcile,
      listKeys: t.listKeys,
      scheduler: t.scheduler,
      onEvent: (event) => events.push(event),
    });
    for (const name of ['a', 'b', 'c']) t.desired.apply(name, spec());
    t.runtime.takeDown();
    void controller.start();
    await t.scheduler.advanceBy(5_000);
    expect(t.breaker.state).toBe('open');
    const requestsWhenOpen = t.runtime.requests;
    // Back-off and resync keep asking during these 50 s; the open breaker answers for the runtime.
    await t.scheduler.advanceBy(50_000);
    expect(t.runtime.requests).toBe(requestsWhenOpen);
    expect(events.some((event) => event.type === 'retry-scheduled' && String(event.error).startsWith('CircuitOpenError'))).toBe(true);
    t.runtime.bringUp();
    await t.scheduler.advanceBy(120_000);
    expect(t.breaker.state).toBe('closed');
    expect(normalize(t.runtime.snapshot())).toEqual(normalize(t.desired.snapshot()));
    const stopping = controller.shutdown();
    await t.scheduler.advanceBy(100);
    await stopping;
  });
});

describe('recovery wiring', () => {
  it('sends every pending change through as soon as the breaker closes, when "closed" triggers a resync', async () => {
    const scheduler = new VirtualScheduler();
    const desired = new DesiredState();
    const runtime = new SimulatedRuntime({ scheduler, latencyMs: 5 });
    const closedAt: number[] = [];
    const appliedAt: number[] = [];
    const breaker = new CircuitBreaker({
      scheduler,
      isFailure: isRuntimeUnavailable,
      onStateChange: (_from, to) => {
        if (to !== 'closed') return;
        closedAt.push(scheduler.now());
        void controller.resyncNow();
      },
    });
    const controller = new Controller({
      reconcile: createAgentReconciler({ desired, runtime, breaker, onAction: () => appliedAt.push(scheduler.now()) }),
      listKeys: createAgentKeyLister({ desired, runtime, breaker }),
      scheduler,
      resyncEveryMs: 600_000, // so the periodic resync cannot be what rescues the keys here
    });
    for (const name of ['triage', 'summarizer', 'code-reviewer']) desired.apply(name, spec());
    runtime.takeDown();
    void controller.start();
    await scheduler.advanceBy(100_000);
    runtime.bringUp();
    await scheduler.advanceBy(120_000);
    expect(closedAt).toHaveLength(1);
    // One call was the probe; the other keys had backed off to 60 s. The resync on "closed"
    // let all three through within milliseconds instead of up to a minute later.
    expect(appliedAt).toHaveLength(3);
    for (const at of appliedAt) expect(at - (closedAt[0] ?? 0)).toBeLessThan(100);
    const stopping = controller.shutdown();
    await scheduler.advanceBy(100);
    await stopping;
  });
});
