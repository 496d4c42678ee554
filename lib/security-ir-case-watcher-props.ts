import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';

/** Properties of a `SecurityIrCaseWatcher`. */
export interface SecurityIrCaseWatcherProps {
  /**
   * How often the watcher lists every Security IR case (an EventBridge Scheduler rate schedule): the
   * safety net that never misses a change. Whole minutes, at least one, at most 7 days while the
   * alarms are on (no staleness alarm can watch a longer one); the function's timeout, the lease, the
   * retry ages and the staleness alarm follow it. It must be known at synth time (not a token).
   *
   * @default Duration.minutes(1)
   */
  readonly pollInterval?: Duration;

  /**
   * React to Security IR's own case events within seconds: a rule on the default bus of this
   * stack's account and region sends each one to the function, which reads that case with
   * `GetCase` and publishes its change. The poll stays the safety net. When the watched cases are
   * in another account or region (`securityIrRoleArn`, `securityIrRegion`), their events are there:
   * deploy a `SecurityIrEventForwarder` in that account and region (synth warns
   * `cdk-security-ir-case-watcher:fastPathNeedsForwarder` unless the app has one).
   *
   * @default true
   */
  readonly fastPath?: boolean;

  /**
   * The bus the case events are put on. The function gets the bus ARN, so a bus in another account
   * works (its resource policy must allow this account `events:PutEvents`).
   *
   * @default - the account's default event bus
   */
  readonly eventBus?: events.IEventBus;

  /**
   * The `source` of every event: 1 to 256 characters, not starting with `aws.` (in any case).
   *
   * @default DEFAULT_EVENT_SOURCE ('security-ir.case-watcher')
   */
  readonly eventSource?: string;

  /**
   * Whether to publish `Security IR Case Created` events for cases that appear after the first poll.
   *
   * @default true
   */
  readonly emitCreatedEvents?: boolean;

  /**
   * Whether the first poll publishes a `Security IR Case Created` event for every case that already
   * exists, instead of only recording them as the baseline.
   *
   * @default false
   */
  readonly emitExistingCasesOnFirstRun?: boolean;

  /**
   * While a case's `pendingAction` stays `Customer`, a `Security IR Case Awaiting Customer` reminder at
   * each of these marks, measured from when the watcher first saw it waiting: whole minutes, strictly
   * increasing, at most 30 days, none shorter than `pollInterval` (a reminder comes from the poll, at
   * most one interval after its mark). An empty list turns the reminders off.
   *
   * @default - 1 hour, 4 hours and 24 hours, leaving out a mark shorter than `pollInterval`
   */
  readonly awaitingCustomerReminders?: Duration[];

  /**
   * The region whose Security IR cases are listed: a region code such as `us-east-1` or `us-gov-west-1`.
   * Changing it takes a fresh baseline for the new region (docs/construct.md, "Lifecycle").
   *
   * @default - the stack's region
   */
  readonly securityIrRegion?: string;

  /**
   * A role the function assumes to list the cases, for instance in the Security IR membership account.
   * That role needs `security-ir:ListCases` (and `security-ir:GetCase` with the fast path) and must trust
   * this watcher's `role`; the watched account becomes the role's account. An IAM role ARN
   * (`arn:<partition>:iam::<12 digits>:role/<path/name>`). Deploy the watcher first (docs/construct.md,
   * "Cross-account deploy order").
   *
   * @default - the function lists the cases with its own role, in its own account
   */
  readonly securityIrRoleArn?: string;

  /**
   * The function's timeout: whole seconds from 1 second to 15 minutes, below the schedule interval, so
   * that a run always ends (and a crashed run's lease expires) before the next run starts.
   *
   * @default - the schedule interval minus 10 seconds, at most 5 minutes
   */
  readonly timeout?: Duration;

  /**
   * The function's memory, in MB (128 to 10240). The poller is I/O bound; more memory mainly buys CPU
   * for parsing very large case listings.
   *
   * @default 512 (the bench's largest poll, 10,000 cases all changed, peaks at about 390 MiB; the
   * extra memory also buys CPU, and costs cents a month at the default schedule)
   */
  readonly memorySize?: number;

  /**
   * The lowest level of the log lines the function writes. `DEBUG` adds a line per listing page,
   * per step of a poll and per batch; metrics are written at every level. When the function's
   * application log level is also set in Lambda (JSON log format), Lambda's setting wins.
   *
   * @default lambda.ApplicationLogLevel.INFO
   */
  readonly logLevel?: lambda.ApplicationLogLevel;

  /**
   * How long the function's logs are kept.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the state table (the one the watcher creates) and the log group when the watcher
   * is removed from the stack. Retained, the table can come back as `stateTable`. (The dead-letter queue
   * is always deleted: what it holds, the next poll redoes.)
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * An existing table to keep the state in instead of creating one, typically the retained table of an
   * earlier deployment: moving the construct (another id, parent or stack) or replacing its stack
   * would otherwise give it a new, empty table and a fresh baseline, which cannot know what changed
   * in between (docs/construct.md, "Lifecycle"). Import it by name, or with `encryptionKey` when it is
   * encrypted with a customer managed key (the function may then use that key through DynamoDB). Its
   * keys must be the string `pk` and `sk` (checked for a table of this app). Its settings and removal
   * policy stay its owner's.
   *
   * @default - a new table, encrypted with `encryptionKey` when given, point-in-time recovery on
   */
  readonly stateTable?: dynamodb.ITable;

  /**
   * A KMS key that encrypts the state table, the dead-letter queue and the log group. When the key is
   * defined in the same app, the watcher adds the key policy statements CloudWatch Logs and EventBridge
   * need; for an imported key, add them yourself (see docs/construct.md).
   *
   * @default - AWS owned keys for the table, SQS-managed encryption for the queue, CloudWatch Logs' own encryption
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Whether the watcher creates its three alarms (failed runs, staleness, messages in the dead-letter
   * queue). Turn them off to monitor with your own alarms, e.g. cdk-monitoring-constructs on the
   * `metric*()` helpers; `alarmActions` and `stalenessPeriods` are then refused.
   *
   * @default true
   */
  readonly alarms?: boolean;

  /**
   * Actions (an SNS topic, say) added to every alarm the watcher creates: failed runs, staleness and
   * messages in the dead-letter queue.
   *
   * @default - no action: the alarms only change state
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];

  /**
   * How many poll intervals in a row without a successful poll raise the staleness alarm.
   *
   * @default 3 (fewer when CloudWatch's evaluation limit of 1 day, or 7 days for hourly periods, requires it)
   */
  readonly stalenessPeriods?: number;

  /**
   * Whether to publish the events' schemas (OpenAPI 3.0, generated from the event contract, with this
   * watcher's `eventSource`) in an EventBridge schema registry, where the console shows them and
   * offers code bindings. One `AWS::EventSchemas::Schema` per detail-type, named
   * `<eventSource>@<DetailTypeName>`. (They are written, not discovered: schema discovery, which does
   * not work on a bus encrypted with a customer managed key, is not used.)
   *
   * @default true
   */
  readonly publishSchemas?: boolean;

  /**
   * An existing schema registry (of this stack's account and region) to publish the schemas in:
   * 1 to 64 letters, digits, `.`, `-`, `_` or `@`. Refused with `publishSchemas: false`.
   *
   * @default - a registry the watcher creates, named after its construct path
   */
  readonly schemaRegistryName?: string;

  /**
   * Whether to keep an EventBridge archive of the watcher's events (its source only) on its bus, from
   * which a subscriber that failed replays a time window (README, "Replay"). A bus of another account
   * or region cannot get one from this stack: unless this is `true` (then refused), the watcher
   * skips it there with the warning `cdk-security-ir-case-watcher:noArchiveOnBusElsewhere`, and the
   * bus's owner creates it. On a bus encrypted with a customer managed key, AWS recommends one for
   * the archive too: set this to `false` and create the archive yourself with the key.
   *
   * @default - true where the bus is in this stack's account and region
   */
  readonly archive?: boolean;

  /**
   * How long the archive keeps the events: whole days, at least one. Refused with `archive: false`.
   *
   * @default Duration.days(30)
   */
  readonly archiveRetention?: Duration;
}
