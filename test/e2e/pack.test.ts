// The published artefact: `npm pack` holds the built bundles and templates and nothing of test/, and
// the tarball installed into an empty project gives a working `sentinel` binary.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'sentinel-pack-'));
const SECRET = 'pack-test-secret-with-more-than-thirty-two-bytes';
const npm = (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, ...env, NO_COLOR: '1' } });

let files: string[] = [];
let project = '';

beforeAll(() => {
  if (!existsSync(join(root, 'dist/cli.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  // --ignore-scripts: dist/ is already built by the test run's build step.
  const [packed] = JSON.parse(
    npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], root),
  ) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  files = packed!.files.map((f) => f.path);
  project = join(work, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), '{"name":"empty-project","version":"1.0.0","private":true}');
  npm(['install', '--no-audit', '--no-fund', '--prefer-offline', join(work, packed!.filename)], project);
}, 240_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm package', () => {
  it('contains the built bundles and templates, and nothing of test/', () => {
    expect(files).toContain('dist/cli.js');
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files).toContain('package.json');
    // `deploy --build-image` builds from the installed package: the Dockerfile and its bundle ship.
    expect(files).toContain('runtime/Dockerfile');
    expect(files).toContain('dist/gateway/server.mjs');
    expect(files).toContain('dist/lambda/anomaly-detector/index.mjs');
    expect(files.filter((f) => f.startsWith('test/') || f.includes('.test.'))).toEqual([]);
    if (existsSync(join(root, 'templates'))) expect(files.some((f) => f.startsWith('templates/'))).toBe(true);
  });

  it('ships .env.example and the licence, and source maps without the sources inside', () => {
    // Every config hint and init's header point to .env.example.
    expect(files).toContain('.env.example');
    if (existsSync(join(root, 'LICENSE'))) expect(files).toContain('LICENSE');
    const maps = files.filter((f) => f.endsWith('.map'));
    expect(maps).toContain('dist/gateway/server.mjs.map');
    for (const map of maps) {
      const parsed = JSON.parse(readFileSync(join(root, map), 'utf8')) as { sourcesContent?: unknown };
      expect(parsed.sourcesContent, map).toBeUndefined();
    }
  });

  it('installs into an empty project where `npx sentinel` works', () => {
    const env = {
      SENTINEL_API_JWT_SECRET_KEY: SECRET,
      SENTINEL_API_UPSTREAM_BASE_URL: 'https://api.example.com',
    };
    expect(npm(['exec', '--', 'sentinel', '--help'], project)).toContain('Usage: sentinel');
    expect(npm(['exec', '--', 'sentinel-api', '--version'], project).trim()).toMatch(/^\d+\.\d+\.\d+/);
    const config = JSON.parse(npm(['exec', '--', 'sentinel', 'config', '--json'], project, env)) as {
      issues: unknown[];
    };
    expect(config.issues).toEqual([]);
    const token = npm(['exec', '--', 'sentinel', 'jwt', 'mint'], project, env).trim();
    expect(token.split('.')).toHaveLength(3);
  });
});
