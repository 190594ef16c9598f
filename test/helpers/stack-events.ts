// Builds StackEvent values for the engine's pure unit tests, each one second after the previous.
import type { StackEvent } from '../../src/deploy/event-poller';

let seq = 0;

export function stackEvent(
  logicalId: string,
  status: string,
  reason?: string,
  type = 'AWS::SNS::Topic',
  isStack = false,
): StackEvent {
  seq += 1;
  return {
    id: `e${seq}`,
    stackId: 's',
    stackName: 'S',
    logicalId,
    resourceType: type,
    status,
    reason,
    timestamp: new Date(1_000_000 + seq * 1000),
    isStack,
  };
}
