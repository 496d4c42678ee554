import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { CaseEventStream } from './case-event-rules';
import { WatcherSettings } from './settings';

/** What the function and its role are built from: the settings, the scope and the resources the handler uses. */
export interface WatcherResources extends CaseEventStream {
  readonly settings: WatcherSettings;
  readonly table: dynamodb.ITable;
  /** The key the state table is encrypted with, when it is a customer managed one. */
  readonly tableKey?: kms.IKey;
  readonly logGroup: logs.ILogGroup;
  readonly deadLetterQueue: sqs.IQueue;
  /** The key of the dead-letter queue and the log group (the `encryptionKey` prop). */
  readonly key?: kms.IKey;
  readonly serviceName: string;
}
