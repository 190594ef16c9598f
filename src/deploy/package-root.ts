// Where the built bundles are: found by walking up from this module to the package root, so the same
// code works from src/ (tests), dist/ and a dist chunk inside an installed package.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode, SentinelError } from '../../core/shared/errors';

export function findPackageRoot(start: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir)
      throw new SentinelError(ErrorCode.DeployBundleMissing, `No package.json above ${start}`);
    dir = parent;
  }
}

export interface BundlePaths {
  root: string;
  /** The detector Lambda's single-file bundle (handler `index.handler`). */
  detector: string;
  /** The gateway server bundle the Docker image copies. */
  gateway: string;
  dockerfile: string;
}

export function bundlePaths(root: string = findPackageRoot()): BundlePaths {
  return {
    root,
    detector: join(root, 'dist', 'lambda', 'anomaly-detector', 'index.mjs'),
    gateway: join(root, 'dist', 'gateway', 'server.mjs'),
    dockerfile: join(root, 'runtime', 'Dockerfile'),
  };
}

/** Throws a build hint when a bundle the deploy needs is missing (a source checkout before `npm run build`). */
export function requireFile(path: string, what: string): string {
  if (!existsSync(path)) {
    throw new SentinelError(ErrorCode.DeployBundleMissing, `The ${what} is missing: ${path}`, {
      hint: 'Run `npm run build` in the sentinel-api checkout (the published package ships it built)',
    });
  }
  return path;
}
