import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Hono } from 'hono';
import { rootPath } from '../paths.ts';

/**
 * The web page: plain files under web/ (HTML, JS modules with JSDoc types, CSS, an SVG icon), read
 * once at start and served from memory. No build step and no external asset, so `/` works offline.
 *
 * Caching: files are not fingerprinted, so every response says `no-cache` with a strong ETag — the
 * browser keeps its copy and revalidates with a cheap 304, and an upgrade is never served stale.
 */

export const WEB_DIR = rootPath('web');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Everything from this origin, nothing inline, nothing from elsewhere. */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The pages, each served at its own path with the CSP (index.html is required, the others are served
 * when present); an HTML file is never served as an asset.
 */
const PAGES: Record<string, string> = {
  '/': 'index.html',
  '/targets': 'targets.html',
};

/** The console's pages, served only when it is on: /admin needs a session (src/admin/routes.ts sends others to /admin/signin). */
const CONSOLE_PAGES: Record<string, string> = {
  '/admin': 'admin.html',
  '/admin/signin': 'admin.html',
};

interface Asset {
  body: Uint8Array<ArrayBuffer>;
  type: string;
  etag: string;
}

function loadAssets(dir: string): Map<string, Asset> {
  if (!existsSync(dir)) throw new Error(`web page assets not found at ${dir}`);
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const type = CONTENT_TYPES[extname(name)];
    // Type declarations for tests are not page assets.
    if (!type || name.endsWith('.d.ts') || name.startsWith('.')) continue;
    const file = join(dir, name);
    if (!statSync(file).isFile()) continue;
    const body = new Uint8Array(readFileSync(file));
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    assets.set(name, { body, type, etag });
  }
  if (!assets.has('index.html')) throw new Error(`web page index.html not found in ${dir}`);
  return assets;
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const v = t.trim().replace(/^W\//, '');
    return v === etag || v === '*';
  });
}

/** Routes for the pages (`/`, `/targets`, with the console `/admin`) and `/assets/<file>`. */
export function webRoutes(dir = WEB_DIR, options: { console?: boolean } = {}): Hono {
  const assets = loadAssets(dir);
  const app = new Hono();

  const serve = (asset: Asset, ifNoneMatch: string | undefined, html: boolean): Response => {
    const headers: Record<string, string> = {
      'Content-Type': asset.type,
      'Cache-Control': 'no-cache',
      ETag: asset.etag,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    };
    if (html) {
      headers['Content-Security-Policy'] = CSP;
      headers['X-Frame-Options'] = 'DENY';
    }
    if (etagMatches(ifNoneMatch, asset.etag)) return new Response(null, { status: 304, headers });
    return new Response(asset.body, { status: 200, headers });
  };

  for (const [path, page] of Object.entries({ ...PAGES, ...(options.console ? CONSOLE_PAGES : {}) })) {
    const asset = assets.get(page);
    if (asset) app.get(path, (c) => serve(asset, c.req.header('if-none-match'), true));
  }
  app.get('/assets/:file', (c) => {
    const name = c.req.param('file');
    const asset = name.endsWith('.html') ? undefined : assets.get(name);
    if (!asset) return c.notFound();
    return serve(asset, c.req.header('if-none-match'), false);
  });
  return app;
}
