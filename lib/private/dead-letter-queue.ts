import { Duration, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * One dead-letter queue for what could not be handled: schedule ticks and fast-path hints that could
 * not be delivered, and invocations that failed Lambda's retries. Encrypted and TLS-only.
 */
export function createDeadLetterQueue(scope: Construct, key: kms.IKey | undefined): sqs.Queue {
  const queue = new sqs.Queue(scope, 'DeadLetterQueue', {
    encryption: key ? sqs.QueueEncryption.KMS : sqs.QueueEncryption.SQS_MANAGED,
    encryptionMasterKey: key,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      'This queue is itself the dead-letter queue (of the schedule, the fast-path rule and the function\'s ' +
      'failed invocations): it only holds what could not be handled, and a queue behind it would add nothing.',
  });
  return queue;
}
