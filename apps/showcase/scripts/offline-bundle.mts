// The offline bundle: the built site as one tarball, with its SHA-256 checksum, to carry
// across an air gap and serve from any static server, at the root or under a sub-path.
//
//   BASE_URL=/agentops/ pnpm bundle:offline [--out-dir <dir>]
//
// writes out/agentops-site-<version>.tar.gz (one folder, agentops-site-<version>/, holding
// the site) and agentops-site-<version>.tar.gz.sha256, which `sha256sum -c` reads. The
// version is the framework's (docs/package.json). The tarball is written here, in ustar
// format, with fixed owners and times and sorted entries, so the same site gives the same
// bytes and the same checksum on any machine (SOURCE_DATE_EPOCH sets the file times).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { siteLocationFromEnv } from '../site-env.ts';

export const siteDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface TarEntry {
  /** Path inside the archive, with forward slashes; folders end with a slash. */
  readonly name: string;
  /** Undefined for a folder. */
  readonly content?: Buffer;
}

function octal(value: number, length: number): string {
  return `${value.toString(8).padStart(length - 1, '0')}\0`;
}

function header(entry: TarEntry, mtime: number): Buffer {
  const block = Buffer.alloc(512);
  let name = entry.name;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    // ustar splits a long path at a slash: up to 155 bytes of prefix, 100 of name.
    const cut = name.lastIndexOf('/', name.endsWith('/') ? name.length - 2 : name.length - 1);
    prefix = name.slice(0, cut);
    name = name.slice(cut + 1);
    if (cut <= 0 || Buffer.byteLength(name) > 100 || Buffer.byteLength(prefix) > 155) {
      throw new Error(`Path too long for a ustar archive: ${entry.name}`);
    }
  }
  const folder = entry.content === undefined;
  block.write(name, 0, 100, 'utf8');
  block.write(octal(folder ? 0o755 : 0o644, 8), 100, 'ascii');
  block.write(octal(0, 8), 108, 'ascii');
  block.write(octal(0, 8), 116, 'ascii');
  block.write(octal(entry.content?.length ?? 0, 12), 124, 'ascii');
  block.write(octal(mtime, 12), 136, 'ascii');
  block.write('        ', 148, 'ascii');
  block.write(folder ? '5' : '0', 156, 'ascii');
  block.write('ustar\0', 257, 'ascii');
  block.write('00', 263, 'ascii');
  block.write('root', 265, 'ascii');
  block.write('root', 297, 'ascii');
  block.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

/** A ustar archive of the entries, in the order given. */
export function tar(entries: readonly TarEntry[], mtime = 0): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    parts.push(header(entry, mtime));
    if (entry.content !== undefined) {
      parts.push(entry.content, Buffer.alloc((512 - (entry.content.length % 512)) % 512));
    }
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** Every folder and file below `dir`, sorted, named `<top>/<relative path>`. */
export function treeEntries(dir: string, top: string): TarEntry[] {
  const entries: TarEntry[] = [{ name: `${top}/` }];
  const walk = (current: string, prefix: string): void => {
    for (const name of readdirSync(current).sort()) {
      const full = path.join(current, name);
      if (statSync(full).isDirectory()) {
        entries.push({ name: `${prefix}${name}/` });
        walk(full, `${prefix}${name}/`);
      } else {
        entries.push({ name: `${prefix}${name}`, content: readFileSync(full) });
      }
    }
  };
  walk(dir, `${top}/`);
  return entries;
}

/** One line in the format `sha256sum -c` checks: the hash, two spaces, the file name. */
export function checksumLine(content: Buffer, fileName: string): string {
  return `${createHash('sha256').update(content).digest('hex')}  ${fileName}\n`;
}

export function bundleName(version: string): string {
  if (!/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/.test(version)) {
    throw new Error(`docs/package.json has version "${version}", which is not a semantic version (1.2.3).`);
  }
  return `agentops-site-${version}`;
}

export function frameworkVersion(repoRoot: string): string {
  const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'docs', 'package.json'), 'utf8')) as { version?: unknown };
  if (typeof manifest.version !== 'string') throw new Error('docs/package.json has no "version".');
  return manifest.version;
}

export interface BundleOptions {
  readonly outDir: string;
  /** Where the site will be served: `/` or a sub-path such as `/agentops/`. */
  readonly baseUrl: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Seconds since 1970 written as every file's time. */
  readonly mtime?: number;
}

export interface Bundle {
  readonly tarball: string;
  readonly checksumFile: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly files: number;
}

/** Builds the site for `baseUrl` into a staging folder, then writes the tarball and its checksum. */
export function bundleOffline(options: BundleOptions): Bundle {
  const env = { ...(options.env ?? process.env), BASE_URL: options.baseUrl };
  const { baseUrl } = siteLocationFromEnv(env);
  const name = bundleName(frameworkVersion(path.resolve(siteDir, '../..')));
  const staging = path.join(options.outDir, '.staging', name);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(options.outDir, { recursive: true });
  const build = spawnSync(path.join(siteDir, 'node_modules', '.bin', 'docusaurus'), ['build', '--out-dir', staging], {
    cwd: siteDir,
    env: { ...env, BASE_URL: baseUrl },
    stdio: 'inherit',
  });
  if (build.status !== 0) {
    throw new Error(`The site build for the offline bundle failed (exit ${build.status ?? build.signal}); see the output above.`);
  }
  const entries = treeEntries(staging, name);
  const archive = gzipSync(tar(entries, options.mtime ?? 0), { level: 9 });
  const tarball = path.join(options.outDir, `${name}.tar.gz`);
  const checksumFile = `${tarball}.sha256`;
  const line = checksumLine(archive, path.basename(tarball));
  writeFileSync(tarball, archive);
  writeFileSync(checksumFile, line);
  rmSync(path.join(options.outDir, '.staging'), { recursive: true, force: true });
  return { tarball, checksumFile, sha256: line.slice(0, 64), bytes: archive.length, files: entries.filter((entry) => entry.content).length };
}

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const outDir = path.resolve(argument('--out-dir') ?? path.join(siteDir, 'out'));
  const epoch = process.env.SOURCE_DATE_EPOCH;
  const bundle = bundleOffline({ outDir, baseUrl: process.env.BASE_URL ?? '/', ...(epoch ? { mtime: Number(epoch) } : {}) });
  console.log(`offline bundle: ${path.relative(process.cwd(), bundle.tarball)} (${bundle.files} files, ${(bundle.bytes / 1024 / 1024).toFixed(1)} MiB)`);
  console.log(`checksum: ${path.relative(process.cwd(), bundle.checksumFile)} (sha256 ${bundle.sha256})`);
  console.log(`base URL: ${siteLocationFromEnv({ BASE_URL: process.env.BASE_URL }).baseUrl}; serve the unpacked folder there with any static server.`);
}
