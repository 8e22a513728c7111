import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundleName, checksumLine, tar, treeEntries } from '../scripts/offline-bundle.mts';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'offline-bundle-unit-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function site(): string {
  const root = path.join(dir, 'site');
  const long = `assets/${'a'.repeat(60)}/${'b'.repeat(60)}`;
  for (const [file, text] of [
    ['index.html', '<h1>Home</h1>'],
    ['docs/factors/automated-tracking.html', '<h1>Factor I</h1>'],
    [`${long}/chunk.js`, 'console.log(1)'],
    ['assets/empty.txt', ''],
  ] as const) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

describe('the offline bundle tarball', () => {
  it('unpacks with the system tar into one folder holding every file, byte for byte, long paths included', () => {
    const archive = path.join(dir, 'bundle.tar.gz');
    writeFileSync(archive, gzipSync(tar(treeEntries(site(), 'agentops-site-1.2.3'))));
    const out = path.join(dir, 'out');
    mkdirSync(out);
    const untar = spawnSync('tar', ['-xzf', archive, '-C', out], { encoding: 'utf8' });
    expect(untar.stderr).toBe('');
    expect(untar.status).toBe(0);
    const long = `assets/${'a'.repeat(60)}/${'b'.repeat(60)}/chunk.js`;
    expect(readFileSync(path.join(out, 'agentops-site-1.2.3', 'index.html'), 'utf8')).toBe('<h1>Home</h1>');
    expect(readFileSync(path.join(out, 'agentops-site-1.2.3', long), 'utf8')).toBe('console.log(1)');
    expect(readFileSync(path.join(out, 'agentops-site-1.2.3', 'assets', 'empty.txt'), 'utf8')).toBe('');
    const listing = spawnSync('tar', ['-tvzf', archive], { encoding: 'utf8' }).stdout;
    expect(listing).toMatch(/^drwxr-xr-x root\/root +0 1970-01-01 00:00 agentops-site-1\.2\.3\/$/m);
    expect(listing).toMatch(/^-rw-r--r-- root\/root +13 1970-01-01 00:00 agentops-site-1\.2\.3\/index\.html$/m);
  });

  it('is the same bytes for the same site, so its checksum can be reproduced', () => {
    const root = site();
    expect(tar(treeEntries(root, 'agentops-site-1.2.3'), 1_700_000_000).equals(tar(treeEntries(root, 'agentops-site-1.2.3'), 1_700_000_000))).toBe(true);
    const listing = tar(treeEntries(root, 'x')).toString('latin1');
    expect(listing.indexOf('x/assets/')).toBeLessThan(listing.indexOf('x/docs/'));
    expect(listing.indexOf('x/docs/')).toBeLessThan(listing.indexOf('x/index.html'));
  });

  it('ends with the two zero blocks tar expects and pads every file to 512 bytes', () => {
    const archive = tar([{ name: 'x/' }, { name: 'x/a.txt', content: Buffer.from('hello') }]);
    expect(archive.length).toBe(512 * 5);
    expect(archive.subarray(-1024).every((byte) => byte === 0)).toBe(true);
    expect(gunzipSync(gzipSync(archive)).equals(archive)).toBe(true);
  });

  it('refuses a path too long for the ustar format', () => {
    expect(() => tar([{ name: `${'a'.repeat(200)}/${'b'.repeat(120)}`, content: Buffer.alloc(0) }])).toThrow(/too long/);
  });
});

describe('the checksum file and the bundle name', () => {
  it('writes one line that sha256sum -c accepts', () => {
    const content = Buffer.from('site');
    writeFileSync(path.join(dir, 'agentops-site-1.2.3.tar.gz'), content);
    writeFileSync(path.join(dir, 'agentops-site-1.2.3.tar.gz.sha256'), checksumLine(content, 'agentops-site-1.2.3.tar.gz'));
    const check = spawnSync('sha256sum', ['-c', 'agentops-site-1.2.3.tar.gz.sha256'], { cwd: dir, encoding: 'utf8' });
    expect(check.stdout.trim()).toBe('agentops-site-1.2.3.tar.gz: OK');
    writeFileSync(path.join(dir, 'agentops-site-1.2.3.tar.gz'), 'tampered');
    expect(spawnSync('sha256sum', ['-c', 'agentops-site-1.2.3.tar.gz.sha256'], { cwd: dir }).status).not.toBe(0);
  });

  it('names the bundle after the framework version and rejects anything else', () => {
    expect(bundleName('2.0.0')).toBe('agentops-site-2.0.0');
    expect(bundleName('2.0.0-rc.1')).toBe('agentops-site-2.0.0-rc.1');
    expect(() => bundleName('latest')).toThrow(/not a semantic version/);
    expect(() => bundleName('1.0.0/../x')).toThrow(/not a semantic version/);
  });
});
