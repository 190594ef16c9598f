// The AWS resource specification (@aws-cdk/aws-service-spec, the database the AWS CDK generates its
// L1 constructs from), loaded once on first use: it takes about a second to decompress and index.
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { PropertyType, Resource, SpecDatabase, TypeDefinition } from '@aws-cdk/service-spec-types';

let database: SpecDatabase | undefined;
const resourceCache = new Map<string, Resource | undefined>();

function db(): SpecDatabase {
  database ??= loadAwsServiceSpecSync();
  return database;
}

/** The spec of a resource type, or undefined when CloudFormation has no such type. */
export function resourceSpec(type: string): Resource | undefined {
  if (!resourceCache.has(type)) {
    const found = db().lookup('resource', 'cloudFormationType', 'equals', type);
    resourceCache.set(type, found[0]);
  }
  return resourceCache.get(type);
}

/** The property-type definition behind a `ref` property type. */
export function typeDefinition(type: PropertyType): TypeDefinition | undefined {
  if (type.type !== 'ref') return undefined;
  return db().get('typeDefinition', type.reference);
}

/** How a resource type carries tags, or undefined when it cannot be tagged. */
export function tagInformation(type: string): Resource['tagInformation'] {
  return resourceSpec(type)?.tagInformation;
}

export type { PropertyType, Resource, TypeDefinition };
