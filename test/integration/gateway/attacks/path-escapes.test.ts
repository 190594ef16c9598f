// Attack: paths that leave the upstream's base path once some server normalises them. Asserted at
// the upstream: none of them arrives, and ordinary paths arrive byte for byte.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAttackTarget, type AttackTarget } from '../../../helpers/attack-target';
import { tokenFor } from '../../../helpers/gateway';
import { rawRequest } from '../../../helpers/raw-http';

const ESCAPES = [
  '/proxy/../admin',
  '/proxy/%2e%2e/admin',
  '/proxy/a/..%2f..%2fadmin',
  '/proxy/..;/admin',
  '/proxy/a/..;/..;/admin',
  '/proxy/%2e%2e;x/admin',
  '/proxy/%2e%2e%3b/admin',
  '/proxy/..%c0%af/admin',
  '/proxy/%c0%ae%c0%ae/admin',
  '/proxy/..%20/admin',
  '/proxy/.../admin',
  '/proxy/%252e%252e/admin',
  '/proxy//evil.example/x',
  '/proxy/a%5c..%5cadmin',
];

const ORDINARY = [
  '/proxy/a..b/c',
  '/proxy/.well-known/x',
  '/proxy/v1;jsessionid=abc/x',
  '/proxy/%E2%82%AC?q=../x',
];

describe('attack: path escapes', () => {
  let target: AttackTarget;
  let token: string;

  beforeAll(async () => {
    target = await startAttackTarget();
    token = await tokenFor('path-user');
  });
  afterAll(async () => {
    await target?.close();
  });

  it.each(ESCAPES)('refuses %s with 400 bad_path; nothing reaches the upstream', async (path) => {
    const before = target.arrived.length;
    const res = await rawRequest(target.port, 'GET', path, [`Authorization: Bearer ${token}`]);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'bad_path' });
    expect(target.arrived.length).toBe(before);
  });

  it.each(ORDINARY)('forwards %s byte for byte', async (path) => {
    const res = await rawRequest(target.port, 'GET', path, [`Authorization: Bearer ${token}`]);
    expect(res.status).toBe(200);
    expect(target.arrived.at(-1)!.url).toBe(`/base${path.slice('/proxy'.length)}`);
  });
});
