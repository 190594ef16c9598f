// Encryption: tables and the alert topic with KMS at rest, Redis with TLS and encryption at rest,
// HTTPS listeners with a TLS 1.2+ policy.
import { intrinsicName, isObject } from '../intrinsics';
import type { Check } from './issue';
import { resourcesOfType } from './view';

/** True, or computed (an intrinsic such as Fn::If is trusted: the spec check sees its branches). */
const isOn = (value: unknown) => value === true || value === 'true' || intrinsicName(value) !== undefined;

/** ELB policies that refuse TLS 1.0/1.1 (names containing TLS13, TLS-1-2 or FS-1-2). */
const MODERN_TLS_POLICY = /^ELBSecurityPolicy-(TLS13-|TLS-1-2-|FS-1-2-)/;

export const encryptionCheck: Check = (ctx) => {
  for (const table of resourcesOfType(ctx.template, 'AWS::DynamoDB::Table')) {
    const sse = table.properties.SSESpecification;
    if (!isObject(sse) || !isOn(sse.SSEEnabled)) {
      ctx.report('encryption-at-rest', `Table ${table.id} needs SSESpecification.SSEEnabled: true (KMS)`, {
        logicalId: table.id,
        path: `${table.path}.Properties.SSESpecification`,
      });
    }
  }
  for (const topic of resourcesOfType(ctx.template, 'AWS::SNS::Topic')) {
    if (topic.properties.KmsMasterKeyId === undefined) {
      ctx.report('encryption-at-rest', `Topic ${topic.id} needs KmsMasterKeyId (e.g. alias/aws/sns)`, {
        logicalId: topic.id,
        path: `${topic.path}.Properties.KmsMasterKeyId`,
      });
    }
  }
  for (const redis of resourcesOfType(ctx.template, 'AWS::ElastiCache::ReplicationGroup')) {
    if (!isOn(redis.properties.AtRestEncryptionEnabled)) {
      ctx.report('encryption-at-rest', `Redis ${redis.id} needs AtRestEncryptionEnabled: true`, {
        logicalId: redis.id,
        path: `${redis.path}.Properties.AtRestEncryptionEnabled`,
      });
    }
    if (!isOn(redis.properties.TransitEncryptionEnabled)) {
      ctx.report('encryption-in-transit', `Redis ${redis.id} needs TransitEncryptionEnabled: true`, {
        logicalId: redis.id,
        path: `${redis.path}.Properties.TransitEncryptionEnabled`,
      });
    }
  }
  for (const listener of resourcesOfType(ctx.template, 'AWS::ElasticLoadBalancingV2::Listener')) {
    if (listener.properties.Protocol !== 'HTTPS') continue;
    const policy = listener.properties.SslPolicy;
    if (typeof policy !== 'string' || !MODERN_TLS_POLICY.test(policy)) {
      ctx.report(
        'encryption-in-transit',
        `HTTPS listener ${listener.id} needs a TLS 1.2+ SslPolicy such as ELBSecurityPolicy-TLS13-1-2-2021-06`,
        { logicalId: listener.id, path: `${listener.path}.Properties.SslPolicy` },
      );
    }
  }
};
