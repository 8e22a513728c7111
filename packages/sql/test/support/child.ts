import { fileURLToPath } from 'node:url';
import { startScript, type ScriptProcess } from '../../src/testing/child-process.ts';

const PACKAGE = fileURLToPath(new URL('../..', import.meta.url));

/** A tsx child process running a script of test/support, with its output collected. */
export type Child = ScriptProcess;

export function startChild(script: string, args: readonly string[]): Child {
  return startScript(fileURLToPath(new URL(script, import.meta.url)), args, { cwd: PACKAGE });
}

/** SIGKILL, and wait until the process is gone. */
export async function kill9(child: Child): Promise<void> {
  if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
  await child.exited;
}
