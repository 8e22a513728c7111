// A minimal static server for the built site, mounted under the site's base URL, so the
// browser suite tests exactly what a static host would serve.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

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

export async function serveStatic(rootDir: string, baseUrl = '/'): Promise<StaticSite> {
  const root = path.resolve(rootDir);
  if (!(await isFile(path.join(root, 'index.html')))) {
    throw new Error(`No built site in ${root}: run the showcase build first (npx -y pnpm@10.34.8 build).`);
  }
  const server = http.createServer((req, res) => {
    void (async () => {
      const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
      const relative = pathname.startsWith(baseUrl) ? pathname.slice(baseUrl.length) : undefined;
      const file = relative === undefined ? undefined : await resolveFile(root, relative);
      if (file === undefined) {
        res.writeHead(404, { 'content-type': contentTypes['.html'] });
        createReadStream(path.join(root, '404.html')).pipe(res);
        return;
      }
      res.writeHead(200, { 'content-type': contentTypes[path.extname(file)] ?? 'application/octet-stream' });
      createReadStream(file).pipe(res);
    })().catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    baseUrl,
    url: (pathname) => `${origin}${baseUrl}${pathname.replace(/^\//, '')}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
