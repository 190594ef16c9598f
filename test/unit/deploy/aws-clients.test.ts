// The one retry layer: every AWS operation is retried within RETRY_BUDGET on throttling, 5xx and
// dropped connections, on the injected clock, and other errors are thrown at once.
import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients, RETRY_BUDGET } from '../../../src/deploy/aws-clients';
import { virtualClock } from '../../../src/deploy/clock';
import { awsError } from '../../helpers/fake-aws';

const rateExceeded = () => awsError('ThrottlingException', 'Rate exceeded');

let cfn: ReturnType<typeof mockClient>;
beforeEach(() => {
  cfn = mockClient(CloudFormationClient);
});
afterEach(() => cfn.restore());

function clients() {
  const clock = virtualClock();
  const retries: Array<{ operation: string; waitMs: number }> = [];
  const aws = createAwsClients({
    region: 'us-east-1',
    clock,
    onRetry: (operation, _error, waitMs) => retries.push({ operation, waitMs }),
  });
  return { aws, clock, retries, start: clock.now() };
}

describe('AWS client retry budget', () => {
  it('retries a throttled read until it succeeds within the budget', async () => {
    cfn
      .on(ListStackResourcesCommand)
      .rejectsOnce(rateExceeded())
      .rejectsOnce(rateExceeded())
      .rejectsOnce(rateExceeded())
      .rejectsOnce(rateExceeded())
      .resolves({ StackResourceSummaries: [] });
    const { aws, retries } = clients();
    await expect(aws.cloudFormation.listStackResources({ StackName: 's' })).resolves.toMatchObject({
      StackResourceSummaries: [],
    });
    expect(cfn.commandCalls(ListStackResourcesCommand)).toHaveLength(RETRY_BUDGET.maxAttempts);
    expect(retries.map((r) => r.operation)).toEqual(Array(4).fill('CloudFormation.listStackResources'));
  });

  it('gives up after the budget: at most 5 requests and under 19 s of waiting', async () => {
    const error = rateExceeded();
    cfn.on(ListStackResourcesCommand).rejects(error);
    const { aws, clock, start } = clients();
    await expect(aws.cloudFormation.listStackResources({ StackName: 's' })).rejects.toBe(error);
    expect(cfn.commandCalls(ListStackResourcesCommand)).toHaveLength(5);
    expect(clock.now() - start).toBeLessThan(19_000);
  });

  it('throws other errors at once', async () => {
    const denied = awsError('AccessDenied', 'not authorized', 403);
    cfn.on(ListStackResourcesCommand).rejects(denied);
    const { aws, retries } = clients();
    await expect(aws.cloudFormation.listStackResources({ StackName: 's' })).rejects.toBe(denied);
    expect(cfn.commandCalls(ListStackResourcesCommand)).toHaveLength(1);
    expect(retries).toEqual([]);
  });
});
