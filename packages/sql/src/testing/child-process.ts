// A tsx child process for tests that need real OS processes (several writers, a holder to kill):
// started with the same Node, its output collected, with promises for "ready" and for its exit.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';

/** A child process running a TypeScript script through tsx. */
export interface ScriptProcess {
  readonly process: ChildProcessWithoutNullStreams;
  /** Resolves once the child printed a line `ready`; rejects if it exits first. */
  readonly ready: Promise<void>;
  /** Resolves with the exit code or signal, and everything the child wrote to stdout and stderr. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly stdout: string; readonly stderr: string }>;
}

/**
 * Runs the script at `path` (absolute) with `args` under tsx, in `cwd`, where tsx must resolve.
 * With `tsx: false` it runs plain JavaScript (a bundle built beforehand) with plain `node`,
 * which starts much faster where a test starts many processes.
 */
export function startScript(path: string, args: readonly string[], options: { readonly cwd: string; readonly tsx?: boolean }): ScriptProcess {
  const loader = options.tsx === false ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...loader, path, ...args], { cwd: options.cwd });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (/^ready$/m.test(stdout)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${path} exited with ${String(code)} before it was ready: ${stderr}`)));
  });
  ready.catch(() => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { process: child, ready, exited };
}
