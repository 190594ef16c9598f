// Where alerts go: an SNS topic in production, anything with `publish` in tests.
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Alert } from './alert';

export interface AlertPublisher {
  publish(alert: Alert): Promise<void>;
}

export function createSnsPublisher(options: {
  topicArn: string;
  region?: string;
  client?: SNSClient;
}): AlertPublisher {
  const client = options.client ?? new SNSClient({ region: options.region });
  return {
    async publish(alert) {
      // SNS rejects subjects over 100 characters or with line breaks.
      const subject = alert.subject.replace(/\s+/g, ' ').slice(0, 100);
      await client.send(
        new PublishCommand({ TopicArn: options.topicArn, Subject: subject, Message: alert.message }),
      );
    },
  };
}
