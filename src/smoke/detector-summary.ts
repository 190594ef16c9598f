// What a detector run answers, as far as the smoke reads it: the Lambda's payload and the dev
// process's /detector/run have this shape (lambda/anomaly-detector/handler.ts, RunSummary).

export interface DetectorSummary {
  anomalyCount: number;
  blockedCount: number;
  entities: Array<{
    entity: string;
    signal: string;
    action: string;
    reason: string;
    ratio: number;
    until?: string;
  }>;
}
