// An independent check of the rendered stacks: the AWS CloudFormation linter (cfn-lint, a Python
// tool, where installed) against every mode, preset and HTTPS variant, in two regions' registry
// schemas. CI machines without it skip this file; `sentinel validate` covers the same ground there.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderStack } from '../../../src/templates';
import { ASSETS, configFor } from '../../helpers/template-fixtures';

const hasCfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!hasCfnLint)('cfn-lint on the rendered stacks', () => {
  it('finds nothing in any variant, in us-east-1 and eu-west-1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfn-lint-'));
    const files: string[] = [];
    for (const mode of ['foundation', 'full'] as const) {
      for (const preset of ['cost', 'performance'] as const) {
        for (const https of [false, true]) {
          const file = join(dir, `${mode}-${preset}-${https ? 'https' : 'http'}.json`);
          writeFileSync(file, renderStack(mode, configFor({ preset, https }), ASSETS).body);
          files.push(file);
        }
      }
    }
    const run = spawnSync('cfn-lint', ['--regions', 'us-east-1', 'eu-west-1', '--', ...files], {
      encoding: 'utf8',
      timeout: 110_000,
    });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  }, 120_000);

  it('does catch a breakage (the linter really runs)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfn-lint-'));
    const stack = renderStack('foundation', configFor(), ASSETS);
    const resources = stack.template.Resources as Record<string, { Properties: Record<string, unknown> }>;
    resources.AnomalyDetectorFunction!.Properties.MemorySize = 64;
    const file = join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify(stack.template));
    let output = '';
    try {
      execFileSync('cfn-lint', ['--regions', 'us-east-1', '--', file], { encoding: 'utf8', timeout: 60_000 });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout);
    }
    expect(output).toMatch(/E3034/);
  }, 70_000);
});
