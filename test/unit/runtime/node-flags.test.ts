// The gateway's node flags are defined once (runtime/node-flags.ts): the container's command, the
// start script and the bench's launcher must not drift from it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GATEWAY_NODE_FLAGS } from '../../../runtime/node-flags';

const root = join(__dirname, '..', '..', '..');

describe('gateway node flags', () => {
  it('are the container command’s, exactly', () => {
    const dockerfile = readFileSync(join(root, 'runtime', 'Dockerfile'), 'utf8');
    const cmd = /^CMD (\[.*\])\s*$/m.exec(dockerfile);
    expect(cmd).not.toBeNull();
    expect(JSON.parse(cmd![1]!)).toEqual(['node', ...GATEWAY_NODE_FLAGS, 'server.mjs']);
  });

  it('are the start script’s', () => {
    const scripts = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts['start:gateway']).toBe(`node ${GATEWAY_NODE_FLAGS.join(' ')} dist/gateway/server.mjs`);
  });
});
