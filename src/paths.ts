import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project's root directory (where package.json, data/, web/ and prompts/ are), found from this
 * module's location whether it runs from src/ (tsx, vitest) or from the compiled dist/.
 */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'workplan-bot') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('workplan-bot: package.json not found above the running module');
    dir = up;
  }
}

export const ROOT: string = findRoot();
export const rootPath = (...parts: string[]): string => join(ROOT, ...parts);
