// The one redaction of secrets in text: URL userinfo and secret-looking query parameters.
import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets, redactSecretsDeep } from '../../../core/shared/redact-secrets';
import { createJsonLogger } from '../../../runtime/lib/logger';
import { memoryLineSink } from '../../../runtime/lib/line-writer';

describe('redactSecrets', () => {
  it.each([
    ['redis://:pw-123@cache.internal:6379', `redis://${REDACTED}@cache.internal:6379`],
    ['rediss://default:pw-123@cache.internal', `rediss://${REDACTED}@cache.internal`],
    ['https://ghp_token@api.example.com/x', `https://${REDACTED}@api.example.com/x`],
    ['https://idp/jwks.json?token=abc&x=1', `https://idp/jwks.json?token=${REDACTED}&x=1`],
    [
      'https://s3/o?X-Amz-Signature=f00&X-Amz-Credential=AK',
      `https://s3/o?X-Amz-Signature=${REDACTED}&X-Amz-Credential=${REDACTED}`,
    ],
    ['https://a/b?access_token=t1;api_key=k2', `https://a/b?access_token=${REDACTED};api_key=${REDACTED}`],
    ['url "http://u:p@h/" failed', `url "http://${REDACTED}@h/" failed`],
  ])('redacts %s', (text, expected) => {
    expect(redactSecrets(text)).toBe(expected);
  });

  it.each(['https://api.example.com/v1?limit=5&page=2', 'user alice@example.com', 'a=b'])(
    'leaves %s unchanged',
    (text) => {
      expect(redactSecrets(text)).toBe(text);
    },
  );

  it('redacts every string inside a value', () => {
    expect(redactSecretsDeep({ a: ['redis://:pw@h'], b: { c: 'x?secret=s' }, n: 1 })).toEqual({
      a: [`redis://${REDACTED}@h`],
      b: { c: `x?secret=${REDACTED}` },
      n: 1,
    });
  });

  it("is applied to every line of the gateway's logger, errors included", () => {
    const sink = memoryLineSink();
    const logger = createJsonLogger(sink);
    logger.error('redis failed', {
      url: 'redis://:hunter2@h',
      error: new Error('connect redis://:hunter2@h'),
    });
    expect(sink.lines.join('\n')).not.toContain('hunter2');
  });
});
