#!/usr/bin/env node
// Compiles src/ into dist/ with esbuild: one entry (cli.js) and a chunk per lazily loaded part, so a
// one-shot answer loads neither the channels nor the document readers. Packages stay external.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

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
    packages: 'external',
    outdir: join(root, 'dist'),
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await build();
