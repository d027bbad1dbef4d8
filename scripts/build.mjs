#!/usr/bin/env node
// Compiles src/ into dist/ with esbuild: one entry (cli.js) and a chunk per lazily loaded part, so a
// one-shot answer loads neither the channels nor the document readers. The pure-JavaScript packages
// a one-shot answer loads are bundled with what they import: Node resolves and reads hundreds of
// small files of them at every start otherwise (about 0.2 s of a 0.5 s answer). Every other package
// stays external, and so do native addons and packages that find files or workers by path.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Bundled when src/ imports them; whatever they import is bundled too, unless it is ALWAYS_EXTERNAL. */
const BUNDLED = new Set(['@langchain/core', '@langchain/community', 'zod', 'citty', 'cli-progress', 'opencc-js', 'pinyin-pro', 'csv-stringify']);
const ALWAYS_EXTERNAL = new Set(['@node-rs/jieba', 'hnswlib-node', 'better-sqlite3', 'pino', 'pino-pretty', 'thread-stream', 'pdfjs-dist', 'faiss-node']);
const packageOf = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
const externals = {
  name: 'externals',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { external: true };
      const pkg = packageOf(args.path);
      const fromPackage = args.importer.includes('/node_modules/');
      if (ALWAYS_EXTERNAL.has(pkg) || (!fromPackage && !BUNDLED.has(pkg))) return { path: args.path, external: true };
      return undefined;
    });
  },
};

export async function build() {
  const { build: esbuild } = await import('esbuild');
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  await esbuild({
    entryPoints: [join(root, 'src', 'cli.ts')],
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins: [externals],
    outdir: join(root, 'dist'),
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: 'linked',
    logLevel: 'warning',
    // Bundled CommonJS packages call require(); ESM output gives them Node's.
    banner: { js: "import { createRequire as __workplanRequire } from 'node:module'; const require = __workplanRequire(import.meta.url);" },
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await build();
