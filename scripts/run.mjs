#!/usr/bin/env node
// Runs the compiled command line (dist/cli.js), building it first when it is missing or older than
// the sources: `npm install` builds it (prepare), and an edit to src/ is picked up at the next run.
// Compiled JavaScript starts in about half the time tsx needs to compile TypeScript on the fly.
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'cli.js');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const stale = () => !existsSync(entry) || statSync(entry).mtimeMs < Math.max(newest(join(root, 'src')), statSync(join(root, 'package.json')).mtimeMs);

// Commands started together (three `npm run add` after an edit) build one at a time: a build empties
// dist/ first, so one running beside another, or an import during one, would load half of it.
const building = join(root, 'node_modules', '.cache', 'workplan-dist.lock');
if (existsSync(building) || stale()) {
  const { build } = await import('./build.mjs');
  let release = async () => {};
  try {
    const { lock } = await import('proper-lockfile');
    mkdirSync(dirname(building), { recursive: true });
    release = await lock(root, { lockfilePath: building, realpath: false, stale: 30_000, retries: { retries: 1200, minTimeout: 50, maxTimeout: 100 } });
  } catch (err) {
    // A read-only node_modules: build as before.
    if (err?.code === 'ELOCKED') throw err;
  }
  try {
    if (stale()) await build();
  } finally {
    await release();
  }
}
await import(pathToFileURL(entry).href);
