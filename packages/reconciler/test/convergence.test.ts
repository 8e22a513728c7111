import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CircuitBreaker,
  Controller,
  createAgentKeyLister,
  createAgentReconciler,
  DesiredState,
  EdgeTriggeredHandler,
  isRuntimeUnavailable,
  SimulatedRuntime,
  VirtualScheduler,
} from '../src/index.ts';
import type { AgentDeploymentSpec, DesiredChange, Drift, Reconcile } from '../src/index.ts';
import { AGENT_NAMES, normalize, spec, specArbitrary } from './helpers.ts';

type Fate = 'deliver' | 'drop' | 'duplicate' | 'late';

type Step =
  | { kind: 'apply'; name: string; spec: AgentDeploymentSpec }
  | { kind: 'remove'; name: string }
  | { kind: 'drift'; drift: Drift }
  | { kind: 'outage'; durationMs: number }
  | { kind: 'relist' };

const name = fc.constantFrom(...AGENT_NAMES);
const anyName = fc.constantFrom(...AGENT_NAMES, 'stray');
const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('apply' as const), name, spec: specArbitrary }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), name }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('drift' as const),
      drift: fc.oneof(
        fc.record({ kind: fc.constant('delete' as const), name: anyName }),
        fc.record({ kind: fc.constant('modify' as const), name: anyName, patch: fc.record({ replicas: fc.integer({ min: 0, max: 9 }) }) }),
        fc.record({ kind: fc.constant('add' as const), name: anyName, spec: specArbitrary }),
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('outage' as const), durationMs: fc.integer({ min: 1_000, max: 150_000 }) }) },
  // A watch that reconnects replays an event for every object: a storm of duplicates.
  { weight: 2, arbitrary: fc.constant({ kind: 'relist' as const }) },
);

const scenarioArbitrary = fc.record({
  // Half the steps land together, so events arrive while keys are still queued or in flight.
  steps: fc.array(fc.record({ afterMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 8_000 })), step: stepArbitrary }), {
    minLength: 5,
    maxLength: 40,
    size: 'max',
  }),
  fates: fc.array(fc.constantFrom<Fate>('deliver', 'drop', 'duplicate', 'late'), { minLength: 1, maxLength: 12 }),
  latencies: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 8 }),
});

/** Relays events through a faulty channel: each one is delivered, dropped, duplicated or delivered late. */
function faultyChannel<T>(scheduler: VirtualScheduler, fates: readonly Fate[], deliver: (event: T) => void) {
  let count = 0;
  let faulty = true;
  return {
    send(event: T): void {
      const fate = faulty ? (fates[count++ % fates.length] ?? 'deliver') : 'deliver';
      if (fate === 'drop') return;
      if (fate === 'late') {
        scheduler.setTimer(5_000, () => deliver(event));
        return;
      }
      deliver(event);
      if (fate === 'duplicate') deliver(event);
    },
    heal(): void {
      faulty = false;
    },
  };
}

function applyStep(step: Step, desired: DesiredState, runtime: SimulatedRuntime, scheduler: VirtualScheduler, send: (key: string) => void): void {
  if (step.kind === 'relist') for (const key of [...desired.names(), ...runtime.snapshot().keys()]) send(key);
  else if (step.kind === 'apply') desired.apply(step.name, step.spec);
  else if (step.kind === 'remove') desired.delete(step.name);
  else if (step.kind === 'drift') runtime.injectDrift(step.drift);
  else {
    runtime.takeDown();
    scheduler.setTimer(step.durationMs, () => runtime.bringUp());
  }
}

describe('level-triggered reconciliation under faults', () => {
  it('converges observed to desired once faults stop, never queues a key twice, never reconciles a key concurrently and keeps back-off within bounds', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary, async ({ steps, fates, latencies }) => {
        const scheduler = new VirtualScheduler();
        let call = 0;
        const runtime = new SimulatedRuntime({ scheduler, latencyMs: () => latencies[call++ % latencies.length] ?? 0 });
        const desired = new DesiredState();
        const breaker = new CircuitBreaker({ scheduler, isFailure: isRuntimeUnavailable });
        const inner = createAgentReconciler({ desired, runtime, breaker });
        const violations: string[] = [];
        const inFlight = new Set<string>();
        const workers = 2;

        let checkQueue: (where: string) => void = () => undefined;
        const reconcile: Reconcile = async (key, context) => {
          if (inFlight.has(key)) violations.push(`"${key}" reconciled concurrently at ${scheduler.now()} ms`);
          inFlight.add(key);
          if (inFlight.size > workers) violations.push(`${inFlight.size} reconciles at once with ${workers} workers`);
          checkQueue(`reconcile of "${key}"`);
          try {
            await inner(key, context);
          } finally {
            inFlight.delete(key);
          }
        };
        const controller = new Controller({
          reconcile,
          listKeys: createAgentKeyLister({ desired, runtime, breaker }),
          scheduler,
          workers,
          // Tight enough that keys wait in the queue, so events hit queued and in-flight keys.
          rateLimit: { perSecond: 5, burst: 1 },
          onEvent: (event) => {
            if (event.type !== 'retry-scheduled') return;
            const { baseMs, capMs } = controller.backoff;
            const expected = Math.min(capMs, baseMs * 2 ** (event.failures - 1));
            if (event.delayMs !== expected || event.delayMs < baseMs || event.delayMs > capMs) {
              violations.push(`back-off ${event.delayMs} ms after ${event.failures} failures, expected ${expected} ms`);
            }
          },
        });
        checkQueue = (where) => {
          const queued = controller.queue.queuedKeys();
          if (new Set(queued).size !== queued.length) violations.push(`queue holds a key twice at ${where}: ${queued.join(',')}`);
          const processing = new Set(controller.queue.processingKeys());
          if (queued.some((key) => processing.has(key))) violations.push(`a key is queued while processing at ${where}`);
        };
        const channel = faultyChannel<string>(scheduler, fates, (key) => {
          controller.enqueue(key);
          checkQueue(`event for "${key}"`);
        });
        desired.watch((change) => channel.send(change.name));
        runtime.watch((key) => channel.send(key));

        void controller.start();
        for (const { afterMs, step } of steps) {
          await scheduler.advanceBy(afterMs);
          applyStep(step, desired, runtime, scheduler, (key) => channel.send(key));
          checkQueue(`step ${step.kind}`);
        }
        // Faults stop: events flow, the runtime is up. Ten virtual minutes cover the 60 s
        // cool-down, the 60 s back-off cap and several 30 s resyncs.
        channel.heal();
        runtime.bringUp();
        await scheduler.advanceBy(600_000);

        expect(violations).toEqual([]);
        expect(normalize(runtime.snapshot())).toEqual(normalize(desired.snapshot()));
        expect(breaker.state).toBe('closed');
        const stopping = controller.shutdown();
        await scheduler.advanceBy(1_000);
        await stopping;
      }),
      { numRuns: 100 },
    );
    // 100 runs of ten virtual minutes take 2-6 s alone; the margin is for a machine shared with parallel builds.
  }, 60_000);
});

describe('edge-triggered handling, the anti-pattern, under the same faults', () => {
  function runEdgeTriggered(changes: (desired: DesiredState) => void, fates: readonly Fate[]) {
    const scheduler = new VirtualScheduler();
    const runtime = new SimulatedRuntime({ scheduler });
    const desired = new DesiredState();
    const handler = new EdgeTriggeredHandler(runtime);
    const channel = faultyChannel<DesiredChange>(scheduler, fates, (change) => void handler.handle(change));
    desired.watch((change) => channel.send(change));
    return { scheduler, runtime, desired, handler, changes: () => changes(desired) };
  }

  it('stays drifted when the last change of an agent is dropped, where the reconciler converges', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.constantFrom('v1', 'v2', 'v3', 'v4', 'v5'), { minLength: 2, maxLength: 5 }), async (versions) => {
        // Every event is delivered except the last one: the final version of "alpha".
        const fates: Fate[] = [...versions.slice(1).map((): Fate => 'deliver'), 'drop'];
        const declare = (desired: DesiredState): void => {
          for (const version of versions) desired.apply('alpha', spec({ version }));
        };

        const edge = runEdgeTriggered(declare, fates);
        edge.changes();
        await edge.scheduler.advanceBy(600_000);
        expect(edge.runtime.snapshot().get('alpha')?.version).toBe(versions.at(-2));
        expect(normalize(edge.runtime.snapshot())).not.toEqual(normalize(edge.desired.snapshot()));

        const scheduler = new VirtualScheduler();
        const runtime = new SimulatedRuntime({ scheduler });
        const desired = new DesiredState();
        const breaker = new CircuitBreaker({ scheduler, isFailure: isRuntimeUnavailable });
        const controller = new Controller({
          reconcile: createAgentReconciler({ desired, runtime, breaker }),
          listKeys: createAgentKeyLister({ desired, runtime, breaker }),
          scheduler,
        });
        const channel = faultyChannel<string>(scheduler, fates, (key) => controller.enqueue(key));
        desired.watch((change) => channel.send(change.name));
        void controller.start();
        await scheduler.advanceBy(1_000);
        declare(desired);
        await scheduler.advanceBy(60_000);
        expect(normalize(runtime.snapshot())).toEqual(normalize(desired.snapshot()));
        await controller.shutdown();
      }),
      { numRuns: 30 },
    );
  });

  it('never repairs drift, because drift sends it no event, and loses the changes it could not apply', async () => {
    const edge = runEdgeTriggered((desired) => {
      desired.apply('alpha', spec());
      desired.apply('beta', spec());
    }, ['deliver']);
    edge.changes();
    await edge.scheduler.advanceBy(0);
    edge.runtime.injectDrift({ kind: 'delete', name: 'alpha' });
    edge.runtime.takeDown();
    edge.desired.apply('beta', spec({ replicas: 3 }));
    await edge.scheduler.advanceBy(0);
    edge.runtime.bringUp();
    await edge.scheduler.advanceBy(600_000);
    expect(edge.runtime.snapshot().has('alpha')).toBe(false);
    expect(edge.runtime.snapshot().get('beta')?.replicas).toBe(1);
    expect(edge.handler.failures.map(({ change }) => `${change.type} ${change.name}`)).toEqual(['updated beta']);
  });
});
