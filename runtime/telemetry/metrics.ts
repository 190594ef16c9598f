// Once-a-minute CloudWatch metrics as Embedded Metric Format lines on stdout: CloudWatch Logs turns
// them into metrics without any PutMetricData call. Counters are per interval.
import { LatencyHistogram } from './latency-histogram';

export const METRICS_NAMESPACE = 'SentinelAPI';
export const METRICS_SERVICE = 'gateway';

export class MinuteMetrics {
  #requests = 0;
  #s4xx = 0;
  #s5xx = 0;
  #s401 = 0;
  #s403 = 0;
  #s429 = 0;
  readonly #latency = new LatencyHistogram();

  record(status: number, latencyMs: number): void {
    this.#requests++;
    if (status >= 500) this.#s5xx++;
    else if (status >= 400) {
      this.#s4xx++;
      if (status === 401) this.#s401++;
      else if (status === 403) this.#s403++;
      else if (status === 429) this.#s429++;
    }
    this.#latency.record(latencyMs);
  }

  /**
   * The EMF line for the interval just ended, and a reset. `telemetryDrops` is a delta;
   * `blocklistAgeSeconds` is the age of the blocklist snapshot in use, when known.
   */
  emit(nowMs: number, telemetryDrops: number, blocklistAgeSeconds?: number): string {
    const values = {
      Requests: this.#requests,
      Status4xx: this.#s4xx,
      Status5xx: this.#s5xx,
      Status401: this.#s401,
      Status403: this.#s403,
      Status429: this.#s429,
      LatencyP50: round(this.#latency.percentile(0.5)),
      LatencyP90: round(this.#latency.percentile(0.9)),
      LatencyP99: round(this.#latency.percentile(0.99)),
      TelemetryDrops: telemetryDrops,
      ...(blocklistAgeSeconds === undefined ? {} : { BlocklistAgeSeconds: blocklistAgeSeconds }),
    };
    const line = JSON.stringify({
      _aws: {
        Timestamp: nowMs,
        CloudWatchMetrics: [
          {
            Namespace: METRICS_NAMESPACE,
            Dimensions: [['Service']],
            Metrics: Object.keys(values).map((name) => ({
              Name: name,
              Unit: name.startsWith('Latency')
                ? 'Milliseconds'
                : name.endsWith('Seconds')
                  ? 'Seconds'
                  : 'Count',
            })),
          },
        ],
      },
      Service: METRICS_SERVICE,
      type: 'metrics',
      ...values,
    });
    this.#requests = this.#s4xx = this.#s5xx = this.#s401 = this.#s403 = this.#s429 = 0;
    this.#latency.reset();
    return line;
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
