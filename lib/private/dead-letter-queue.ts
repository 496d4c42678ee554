import { Duration, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * A dead-letter queue as every construct of this library makes it: encrypted (SQS-managed, or with
 * `key`), TLS only, 14 days, and cdk-nag's "no dead-letter queue of its own" acknowledged with `holds`
 * (what ends up in it) as the reason.
 */
export function deadLetterQueue(scope: Construct, holds: string, key?: kms.IKey): sqs.Queue {
  const queue = new sqs.Queue(scope, 'DeadLetterQueue', {
    encryption: key ? sqs.QueueEncryption.KMS : sqs.QueueEncryption.SQS_MANAGED,
    encryptionMasterKey: key,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: `This queue is itself the dead-letter queue (${holds}): a queue behind it would add nothing.`,
  });
  return queue;
}
