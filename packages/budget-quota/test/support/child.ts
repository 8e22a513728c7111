import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PACKAGE = fileURLToPath(new URL('../..', import.meta.url));

/** Starts `script` (a file in test/support) under tsx with `args`; resolves once it printed `ready`. */
export async function startChild(script: string, args: readonly string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(script, import.meta.url)), ...args], {
    cwd: PACKAGE,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${String(code)} before it was ready: ${errors}`)));
  });
  return child;
}

/** Sends SIGKILL and waits until the process is gone. */
export async function kill9(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}

/** A child started with `startWorker`: `ready` once it printed `ready`, `done` with the JSON it printed last. */
export interface Worker<T> {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  readonly done: Promise<T>;
  /** Writes `go` to its stdin: workers wait for it, so that all of them start together. */
  go(): void;
}

/**
 * Starts `script` (a file in test/support) under tsx with `args` and a stdin to write to. It
 * prints `ready`, waits for `go`, and ends by printing its outcome as one JSON line.
 */
export function startWorker<T>(script: string, args: readonly string[]): Worker<T> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(script, import.meta.url)), ...args], {
    cwd: PACKAGE,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.startsWith('ready\n')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${String(code)} before it was ready: ${errors}`)));
  });
  const done = new Promise<T>((resolve, reject) => {
    child.once('exit', (code) => {
      const last = output.trim().split('\n').at(-1) ?? '';
      if (code === 0) resolve(JSON.parse(last) as T);
      else reject(new Error(`${script} exited with ${String(code)}: ${errors}`));
    });
  });
  // Whichever the test awaits, the other must not become an unhandled rejection.
  ready.catch(() => undefined);
  done.catch(() => undefined);
  return { child, ready, done, go: () => child.stdin?.write('go\n') };
}
