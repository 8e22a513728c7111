// Imports packages' TypeScript entry points in one child process with tsx loaded, so the
// checks stay synchronous and a package that starts a timer or prints cannot disturb them.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RESULT_MARKER = '\u0000doc-checks-result\u0000';

export interface ChildResult {
  /** What the script handed to `report(...)`, or undefined when it never did. */
  readonly result: unknown;
  /** Why there is no result: the spawn error or the first line of stderr, '' when unknown. */
  readonly failure: string;
}

/**
 * Runs `script` (an ES module body) in a child process with tsx loaded and `args` as
 * `process.argv.slice(1)`. The script calls `report(value)` once with a JSON value; the child
 * then exits at once, whatever the imported modules left running.
 */
export function runTsxScript(script: string, args: readonly string[]): ChildResult {
  const prelude = `const report = (value) => { process.stdout.write('\\n' + ${JSON.stringify(RESULT_MARKER)} + JSON.stringify(value) + '\\n'); process.exit(0); };\n`;
  // tsx is resolved from this package, wherever the checked tree lives.
  const cwd = fileURLToPath(new URL('..', import.meta.url));
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', prelude + script, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = (child.stdout ?? '').split('\n').find((candidate) => candidate.startsWith(RESULT_MARKER));
  const failure = child.error?.message ?? (child.stderr ?? '').trim().split('\n')[0] ?? '';
  return { result: line === undefined ? undefined : (JSON.parse(line.slice(RESULT_MARKER.length)) as unknown), failure };
}

function sourceFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .filter((entry) => entry.name !== 'node_modules' && !entry.name.startsWith('.'))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((entry) => (entry.isDirectory() ? sourceFiles(dir, `${prefix}${entry.name}/`) : entry.isFile() ? [`${prefix}${entry.name}`] : []));
}

/** A hash of every file under `srcDir`: results cached under it are read again once a file changes. */
export function sourceKey(srcDir: string): string {
  const hash = createHash('sha256');
  for (const file of sourceFiles(srcDir)) hash.update(file).update('\u0000').update(readFileSync(join(srcDir, file))).update('\u0000');
  return hash.digest('hex');
}
