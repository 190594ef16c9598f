import { describe, expect, it } from 'vitest';
import { assessRollout, serviceRefFromArn, stoppedTaskReasons } from '../../../src/deploy/ecs-watch';

const since = Date.UTC(2026, 0, 1, 12);
const at = (minutes: number) => new Date(since + minutes * 60_000);

describe('ECS watch (pure)', () => {
  it('reads cluster and service from the service ARN', () => {
    expect(serviceRefFromArn('arn:aws:ecs:eu-west-1:123456789012:service/sentinel-cluster/gateway')).toEqual({
      cluster: 'sentinel-cluster',
      service: 'gateway',
    });
    expect(serviceRefFromArn('sentinel-gateway')).toBeUndefined();
  });

  it('a FAILED rollout since the watch began means the circuit breaker tripped', () => {
    expect(
      assessRollout(
        { deployments: [{ status: 'PRIMARY', rolloutState: 'IN_PROGRESS', createdAt: at(1) }] },
        since,
      ),
    ).toEqual({ state: 'in-progress' });
    expect(
      assessRollout(
        {
          deployments: [
            { status: 'PRIMARY', rolloutState: 'IN_PROGRESS', createdAt: at(3) },
            {
              status: 'ACTIVE',
              rolloutState: 'FAILED',
              rolloutStateReason: 'circuit breaker',
              createdAt: at(1),
            },
          ],
        },
        since,
      ),
    ).toEqual({ state: 'failed', reason: 'circuit breaker' });
    // A failure from before this deploy is history, not a reason to stop.
    expect(
      assessRollout(
        {
          deployments: [
            { status: 'PRIMARY', rolloutState: 'COMPLETED', createdAt: at(-60) },
            { status: 'ACTIVE', rolloutState: 'FAILED', createdAt: at(-90) },
          ],
        },
        since,
      ),
    ).toEqual({ state: 'completed' });
  });

  it('collects distinct stopped-task reasons with container exit codes', () => {
    const reasons = stoppedTaskReasons(
      [
        {
          stoppedAt: at(2),
          stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)',
          containers: [{ name: 'gateway', reason: 'CannotPullContainerError' }],
        },
        {
          stoppedAt: at(3),
          stoppedReason: 'Essential container in task exited',
          containers: [{ name: 'gateway', exitCode: 1 }],
        },
        {
          stoppedAt: at(4),
          stoppedReason: 'Essential container in task exited',
          containers: [{ name: 'gateway', exitCode: 1 }],
        },
        { stoppedAt: at(-10), stoppedReason: 'Scaling activity initiated by deployment', containers: [] },
      ],
      since,
    );
    expect(reasons).toEqual([
      'CannotPullContainerError: pull image manifest has been retried 5 time(s); gateway: CannotPullContainerError',
      'Essential container in task exited; gateway: exited with code 1',
    ]);
  });
});
