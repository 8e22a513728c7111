// A minimal static server for the built site, mounted under the site's base URL, so the
// browser suite tests exactly what a static host would serve.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createGzip } from 'node:zlib';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Types worth compressing, as a production static host would. */
const compressible = new Set(['.html', '.js', '.css', '.json', '.svg', '.xml', '.txt']);

export interface ServeOptions {
  /** gzip text responses when the client accepts it (for page-weight and Lighthouse figures). */
  readonly gzip?: boolean;
  /** Port on 127.0.0.1; any free one when left out. */
  readonly port?: number;
}

export interface StaticSite {
  /** e.g. http://127.0.0.1:40123 */
  readonly origin: string;
  /** e.g. / or /agentops/ */
  readonly baseUrl: string;
  url(pathname: string): string;
  close(): Promise<void>;
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

async function resolveFile(root: string, relative: string): Promise<string | undefined> {
  const candidate = path.join(root, relative);
  if (!candidate.startsWith(root)) return undefined;
  for (const file of [candidate, `${candidate}.html`, path.join(candidate, 'index.html')]) {
    if (await isFile(file)) return file;
  }
  return undefined;
}

export async function serveStatic(rootDir: string, baseUrl = '/', options: ServeOptions = {}): Promise<StaticSite> {
  const root = path.resolve(rootDir);
  if (!(await isFile(path.join(root, 'index.html')))) {
    throw new Error(`No built site in ${root}: run the showcase build first (npx -y pnpm@10.34.8 build).`);
  }
  const server = http.createServer((req, res) => {
    void (async () => {
      const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
      const relative = pathname.startsWith(baseUrl) ? pathname.slice(baseUrl.length) : undefined;
      const file = relative === undefined ? undefined : await resolveFile(root, relative);
      const status = file === undefined ? 404 : 200;
      const served = file ?? path.join(root, '404.html');
      const headers: Record<string, string> = { 'content-type': contentTypes[path.extname(served)] ?? 'application/octet-stream' };
      const gzip = options.gzip === true && compressible.has(path.extname(served)) && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
      if (gzip) {
        headers['content-encoding'] = 'gzip';
        headers.vary = 'accept-encoding';
      }
      res.writeHead(status, headers);
      const stream = createReadStream(served);
      if (gzip) stream.pipe(createGzip({ level: 6 })).pipe(res);
      else stream.pipe(res);
    })().catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    baseUrl,
    url: (pathname) => `${origin}${baseUrl}${pathname.replace(/^\//, '')}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
