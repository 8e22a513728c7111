import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PACKAGE = fileURLToPath(new URL('../..', import.meta.url));

/** A tsx child process running a script of test/support, whose output lines can be awaited. */
export interface Child {
  readonly process: ChildProcessWithoutNullStreams;
  /** Resolves with the first output line matching `pattern`; rejects if the child exits first. */
  line(pattern: RegExp): Promise<string>;
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly stdout: string; readonly stderr: string }>;
}

export function startChild(script: string, env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(script, import.meta.url))], { cwd: PACKAGE, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  const line = (pattern: RegExp): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = stdout.split('\n').find((candidate) => pattern.test(candidate));
        if (found === undefined) return false;
        child.stdout.off('data', check);
        resolve(found);
        return true;
      };
      if (check()) return;
      child.stdout.on('data', check);
      void exited.then(() => {
        if (!check()) reject(new Error(`${script} exited before printing ${String(pattern)}: ${stderr}`));
      });
    });
  return { process: child, line, exited };
}

/** SIGKILL, and wait until the process is gone. */
export async function kill9(child: Child): Promise<void> {
  if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
  await child.exited;
}
