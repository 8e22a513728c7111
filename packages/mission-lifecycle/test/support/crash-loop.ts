// The crash loop shared by the local and server crash tests: a child resumes the mission and is
// killed with SIGKILL at a seeded random moment, again and again, then one child finishes it.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { loadMission } from '../../src/index.ts';
import type { MissionSnapshot, MissionStore } from '../../src/index.ts';
import { bundledWorker } from './bundle-worker.ts';
import { seededRandom } from '@12-factor-agentops/core';
import { startScript } from '@12-factor-agentops/sql/testing';

const PACKAGE = fileURLToPath(new URL('../..', import.meta.url));

/** Resolves once the child has printed a line matching `pattern`; rejects if it exits first or `ms` pass. */
function printed(child: ChildProcess, pattern: RegExp, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const done = (error?: Error): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (pattern.test(output)) done();
    };
    const onExit = (): void => done(new Error(`the worker exited before it printed ${String(pattern)}: ${output}`));
    const timer = setTimeout(() => done(new Error(`the worker printed no ${String(pattern)} within ${ms} ms: ${output}`)), ms);
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

export interface CrashLoopResult {
  readonly final: MissionSnapshot;
  /** The steps recorded done right after each kill, by the generation that was killed. */
  readonly doneAtKill: ReadonlyMap<number, ReadonlySet<string>>;
  /** Each run of a step: which generation ran it. */
  readonly runs: readonly { readonly step: string; readonly generation: number }[];
  readonly kills: number;
  readonly finisher: number;
}

export async function crashLoop(options: {
  readonly store: MissionStore;
  readonly target: string;
  readonly missionId: string;
  readonly effects: string;
  readonly kills: number;
  readonly seed: number;
  readonly maxKillDelayMs: number;
  readonly stepMs: number;
  readonly ttlMs: number;
}): Promise<CrashLoopResult> {
  const random = seededRandom(options.seed);
  const doneAtKill = new Map<number, ReadonlySet<string>>();
  const bundle = await bundledWorker();
  const start = (generation: number) =>
    // The worker bundle run by plain `node`: a real process, killed with a real signal.
    startScript(bundle, [options.target, options.missionId, String(generation), options.effects, String(options.stepMs), String(options.ttlMs)], { cwd: PACKAGE, tsx: false });
  for (let generation = 1; generation <= options.kills; generation += 1) {
    const child = start(generation);
    // The first worker is killed only once it owns the mission, so every run has a dead owner's
    // claim for a later worker to take over; on a busy machine a worker can otherwise be killed
    // before it claims, every time. (Listening from the start: the line can come with "ready".)
    const claimed = generation === 1 ? printed(child.process, /^wrote claimed$/m, 60_000) : undefined;
    await child.ready;
    await claimed;
    await sleep(Math.floor(random() * options.maxKillDelayMs));
    child.process.kill('SIGKILL');
    const exit = await child.exited;
    if (exit.signal !== 'SIGKILL') throw new Error(`generation ${generation} was not killed but exited ${String(exit.code)}: ${exit.stderr}${exit.stdout}`);
    doneAtKill.set(generation, new Set((await loadMission(options.store, options.missionId)).done));
  }
  const finisher = options.kills + 1;
  const last = start(finisher);
  const exit = await last.exited;
  if (exit.code !== 0) throw new Error(`the finishing worker exited with ${String(exit.code)}: ${exit.stderr}`);
  const runs = readFileSync(options.effects, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [step, generation] = line.split(' ');
      return { step: step as string, generation: Number(generation) };
    });
  return { final: await loadMission(options.store, options.missionId), doneAtKill, runs, kills: options.kills, finisher };
}
