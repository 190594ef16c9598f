// Finds the `templates/` folder that ships beside `dist/` in the npm package. The code runs from
// src/templates/ (tests), dist/ or a dist chunk (the built CLI and library), so the folder is found by
// walking up to the package root instead of assuming a fixed depth.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode, SentinelError } from '../../core/shared/errors';

export const TEMPLATES_FOLDER = 'templates';

/**
 * The nearest ancestor of `start` holding package.json, and its templates folder. Stops at the first
 * package.json so an installed copy never picks up the user's own project files.
 */
export function findTemplatesDir(start: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) {
      const candidate = join(dir, TEMPLATES_FOLDER);
      if (existsSync(candidate)) return candidate;
      break;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new SentinelError(ErrorCode.TemplateNotFound, `No ${TEMPLATES_FOLDER}/ folder found above ${start}`, {
    hint: 'The package is incomplete: reinstall sentinel-api (its tarball ships templates/ beside dist/).',
  });
}

let cached: string | undefined;

export function templatesDir(): string {
  cached ??= findTemplatesDir();
  return cached;
}
