// Bundles the crash worker once per test process into one ES module that plain `node` runs:
// under a loaded machine, tsx's start-up (about 0.5 s here, much more under load) would
// dominate a loop of twenty-one processes. The npm dependencies stay outside the bundle,
// imported by absolute path from where the sql package resolves them.
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ENTRY = fileURLToPath(new URL('./crash-worker.ts', import.meta.url));
const fromSql = createRequire(createRequire(import.meta.url).resolve('@12-factor-agentops/sql'));
let bundled: Promise<string> | undefined;

/** The path of the bundled worker (built on first call). */
export function bundledWorker(): Promise<string> {
  bundled ??= (async () => {
    const outfile = join(await mkdtemp(join(tmpdir(), 'mission-worker-')), 'crash-worker.mjs');
    await build({
      entryPoints: [ENTRY],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'silent',
      plugins: [
        {
          name: 'npm-packages-outside',
          setup(builder) {
            builder.onResolve({ filter: /^[^./]/ }, (args) => {
              if (args.path.startsWith('node:') || args.path.startsWith('@12-factor-agentops/')) return undefined;
              const resolver = args.importer.includes('/node_modules/') ? createRequire(args.importer) : fromSql;
              // require.resolve gives the CommonJS entry, which an ES module imports fine.
              return { path: pathToFileURL(resolver.resolve(args.path)).href, external: true };
            });
          },
        },
      ],
    });
    return outfile;
  })();
  return bundled;
}
