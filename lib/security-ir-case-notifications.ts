import { Aws, Duration, RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueue } from './private/dead-letter-queue';
import { locateNotifierAsset } from './private/notifications/notifier-asset';
import { NotifierEnvironment } from './private/notifications/notifier-environment';
import { anyOccurrenceAlarm, deadLetterQueueAlarm } from './private/alarms';
import { ValidationError } from './private/validation-error';
import { CaseEventRuleOptions } from './case-event-rule-options';
import { caseUrlTemplateProblem } from './private/notifications/rules';
import type { SecurityIrCaseWatcher } from './security-ir-case-watcher';

/** PagerDuty's severities (Events API v2 `payload.severity`). */
export enum PagerDutySeverity {
  CRITICAL = 'critical',
  ERROR = 'error',
  WARNING = 'warning',
  INFO = 'info',
}

/** Which of the watcher's events people are told about. Every destination hears of the same ones. */
export interface CaseNotificationEvents {
  /**
   * A new case (`Security IR Case Created`). Needs a watcher with `emitCreatedEvents` (its default).
   *
   * @default true
   */
  readonly caseCreated?: boolean;

  /**
   * The pending action changed, both ways: "AWS is waiting on you" and "AWS is no longer waiting on you".
   *
   * @default true
   */
  readonly pendingActionChanged?: boolean;

  /**
   * The status changed, "Case closed" included.
   *
   * @default true
   */
  readonly caseStatusChanged?: boolean;

  /**
   * The watcher's reminders that a case still waits on the customer (`Security IR Case Awaiting Customer`).
   *
   * @default true
   */
  readonly awaitingCustomerReminders?: boolean;
}

/** Properties of a {@link SecurityIrCaseNotifications}. */
export interface SecurityIrCaseNotificationsProps {
  /** The watcher whose events are told. The rules are made on its bus with its `on*()` helpers. */
  readonly watcher: SecurityIrCaseWatcher;

  /**
   * Chat (Slack, Microsoft Teams) through Amazon Q Developer in chat applications: an SNS topic its
   * channel configurations subscribe to. Each message is a custom notification, one thread per case.
   * For Microsoft Teams (only the L1 `CfnMicrosoftTeamsChannelConfiguration` exists), list this
   * topic's ARN in the configuration's `snsTopicArns`.
   *
   * @default - a topic is made when `slackChannel` is given; otherwise no chat
   */
  readonly chatTopic?: sns.ITopic;

  /**
   * A Slack channel configuration of Amazon Q Developer: the chat topic (`chatTopic`, or one made
   * here) is added to it with `addNotificationTopic()`.
   *
   * @default - no Slack channel is subscribed here
   */
  readonly slackChannel?: chatbot.SlackChannelConfiguration;

  /**
   * E-mail (or any SNS text subscriber): a topic that gets a subject naming the case and what
   * happened, and a plain-text body.
   *
   * @default - a topic is made when `emailAddresses` is given; otherwise no e-mail
   */
  readonly emailTopic?: sns.ITopic;

  /**
   * Addresses subscribed to the e-mail topic (each confirms its subscription by e-mail).
   *
   * @default - none
   */
  readonly emailAddresses?: string[];

  /**
   * PagerDuty (Events API v2): the secret whose value is the integration's routing key. Read by the
   * notifier at run time (cached per container), never put in the template or a log.
   *
   * @default - no PagerDuty
   */
  readonly pagerDutyRoutingKey?: secretsmanager.ISecret;

  /**
   * Severity of the incidents triggered.
   *
   * @default PagerDutySeverity.CRITICAL
   */
  readonly pagerDutySeverity?: PagerDutySeverity;

  /**
   * Also trigger an incident when a case is created (resolved when the case closes). A case that
   * waits on the customer always triggers one, resolved when it stops waiting or closes.
   *
   * @default false
   */
  readonly pagerDutyOnCaseCreated?: boolean;

  /**
   * Which events are told.
   *
   * @default - all of them: new cases, pending action changes both ways, status changes and reminders
   */
  readonly notifyOn?: CaseNotificationEvents;

  /**
   * A URL for one case, for a team that knows its console's path: `{caseId}` (required), `{region}`
   * and `{accountId}` are filled in. AWS documents no deep link to one case.
   *
   * @default - the Security IR console of the case's region, the case ID in the text
   */
  readonly caseUrlTemplate?: string;

  /**
   * Actions added to the alarms made here (failed notifications, the dead-letter queue).
   *
   * @default - no action: the alarms only change state
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];

  /**
   * Retention of the notifier's log group.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
}

/** Lambda's asynchronous retries come after about 1 and 2 minutes. */
const ASYNC_RETRIES = 2;
const MAX_EVENT_AGE = Duration.hours(6);
/** EventBridge's delivery retries to the function: as many and as long as it allows. */
const DELIVERY_RETRIES = 185;
const DELIVERY_AGE = Duration.hours(24);
const TIMEOUT = Duration.seconds(30);

/**
 * Tells people about a watcher's events: chat (Slack or Microsoft Teams through Amazon Q Developer,
 * one thread per case), e-mail, and PagerDuty incidents that trigger when a case waits on you and
 * resolve themselves when it stops waiting or closes. Rendered in code by a small notifier function
 * (an input transformer cannot safely splice a case title into text).
 *
 * @example
 * const watcher = new SecurityIrCaseWatcher(this, 'CaseWatcher');
 * new SecurityIrCaseNotifications(this, 'Notifications', { watcher, slackChannel });
 */
export class SecurityIrCaseNotifications extends Construct {
  /** The notifier. */
  public readonly function: lambda.Function;
  /** The notifier's execution role: publishes to exactly its topics, reads exactly its secret. */
  public readonly role: iam.Role;
  /** Events that could not be told after EventBridge's and Lambda's retries. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The notifier's log group. */
  public readonly logGroup: logs.LogGroup;
  /** The chat topic, when there is chat. */
  public readonly chatTopic?: sns.ITopic;
  /** The e-mail topic, when there is e-mail. */
  public readonly emailTopic?: sns.ITopic;
  /** The rules on the watcher's bus, one per kind of event told. */
  public readonly rules: events.Rule[];
  /** In alarm when a notification failed (after its retries) in the last 5 minutes. */
  public readonly failedNotificationsAlarm: cloudwatch.Alarm;
  /** In alarm while the dead-letter queue holds an event. */
  public readonly deadLetterQueueAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: SecurityIrCaseNotificationsProps) {
    super(scope, id);
    const { watcher } = props;
    if (props.caseUrlTemplate !== undefined && !Token.isUnresolved(props.caseUrlTemplate)) {
      const problem = caseUrlTemplateProblem(props.caseUrlTemplate);
      if (problem !== undefined) throw new ValidationError(`caseUrlTemplate ${problem}`, this);
    }
    if (props.pagerDutyRoutingKey === undefined && (props.pagerDutySeverity !== undefined || props.pagerDutyOnCaseCreated !== undefined)) {
      throw new ValidationError('pagerDutySeverity and pagerDutyOnCaseCreated need pagerDutyRoutingKey: without it nothing is sent to PagerDuty', this);
    }
    for (const [prop, topic] of [['chatTopic', props.chatTopic], ['emailTopic', props.emailTopic]] as const) {
      if (topic?.fifo) throw new ValidationError(`${prop} is a FIFO topic: Amazon Q Developer and e-mail subscribe to standard topics only`, this);
    }
    if (props.emailTopic !== undefined && props.emailAddresses !== undefined && props.emailAddresses.length > 0) {
      // Subscribing to a given topic here would change a resource this construct does not own.
      throw new ValidationError('emailAddresses makes an e-mail topic: leave it out when emailTopic is given, and subscribe the addresses to that topic', this);
    }

    this.chatTopic = props.chatTopic ?? (props.slackChannel !== undefined ? this.ownTopic('ChatTopic', 'Security IR case notifications for chat') : undefined);
    props.slackChannel?.addNotificationTopic(this.chatTopic!);
    this.emailTopic = props.emailTopic ?? (props.emailAddresses !== undefined && props.emailAddresses.length > 0 ? this.ownTopic('EmailTopic', 'Security IR case notifications by e-mail') : undefined);
    if (props.emailTopic === undefined) {
      for (const address of props.emailAddresses ?? []) this.emailTopic!.addSubscription(new subscriptions.EmailSubscription(address));
    }
    const secret = props.pagerDutyRoutingKey;
    if (this.chatTopic === undefined && this.emailTopic === undefined && secret === undefined) {
      throw new ValidationError('SecurityIrCaseNotifications needs a destination: chatTopic, slackChannel, emailTopic, emailAddresses or pagerDutyRoutingKey', this);
    }

    this.deadLetterQueue = deadLetterQueue(this, 'of the notification rules and the notifier\'s failed invocations');
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.role = new iam.Role(this, 'ServiceRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Security IR case notifications: publishes to its topics, reads the PagerDuty routing key',
      inlinePolicies: { CaseNotifier: new iam.PolicyDocument({ statements: this.statements(secret) }) },
    });

    const environment: Record<string, string> = {
      [NotifierEnvironment.EVENT_SOURCE]: watcher.eventSource,
      // Stack traces name the notifier's own files and lines (the bundle's map ships beside it).
      NODE_OPTIONS: '--enable-source-maps',
    };
    if (this.chatTopic) environment[NotifierEnvironment.CHAT_TOPIC_ARN] = this.chatTopic.topicArn;
    if (this.emailTopic) environment[NotifierEnvironment.EMAIL_TOPIC_ARN] = this.emailTopic.topicArn;
    if (secret) {
      environment[NotifierEnvironment.PAGERDUTY_SECRET_ARN] = secret.secretFullArn ?? secret.secretArn;
      environment[NotifierEnvironment.PAGERDUTY_SEVERITY] = props.pagerDutySeverity ?? PagerDutySeverity.CRITICAL;
      environment[NotifierEnvironment.PAGERDUTY_TRIGGER_ON_CREATED] = String(props.pagerDutyOnCaseCreated ?? false);
    }
    if (props.caseUrlTemplate !== undefined) environment[NotifierEnvironment.CASE_URL_TEMPLATE] = props.caseUrlTemplate;

    this.function = new lambda.Function(this, 'Function', {
      description: 'Tells people about Security IR case events: chat, e-mail, PagerDuty',
      code: lambda.Code.fromAsset(locateNotifierAsset()),
      handler: 'index.handler',
      runtime: lambda.determineLatestNodeRuntime(this),
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: TIMEOUT,
      role: this.role,
      logGroup: this.logGroup,
      environment,
      retryAttempts: ASYNC_RETRIES,
      maxEventAge: MAX_EVENT_AGE,
      onFailure: { bind: () => ({ destination: this.deadLetterQueue.queueArn }) },
    });

    const target = new targets.LambdaFunction(this.function, { deadLetterQueue: this.deadLetterQueue, retryAttempts: DELIVERY_RETRIES, maxEventAge: DELIVERY_AGE });
    const notifyOn = props.notifyOn ?? {};
    const rule = (description: string) => ({ crossStackScope: this, description, target });
    this.rules = [];
    if (notifyOn.caseCreated ?? true) {
      this.rules.push(caseCreatedRule(this, watcher, rule('A new Security IR case: tell people')));
    }
    if (notifyOn.pendingActionChanged ?? true) {
      this.rules.push(watcher.onPendingActionChanged('PendingActionChangedRule', rule('A Security IR case started or stopped waiting on the customer: tell people')));
    }
    if (notifyOn.caseStatusChanged ?? true) {
      this.rules.push(watcher.onCaseStatusChanged('StatusChangedRule', rule('A Security IR case changed status: tell people')));
    }
    if (notifyOn.awaitingCustomerReminders ?? true) {
      this.rules.push(watcher.onAwaitingCustomer('AwaitingCustomerRule', rule('A Security IR case still waits on the customer: remind people')));
    }
    if (this.rules.length === 0) {
      throw new ValidationError('notifyOn turns every event off: nothing would ever be told', this);
    }

    this.failedNotificationsAlarm = anyOccurrenceAlarm(
      this,
      'FailedNotificationsAlarm',
      'A Security IR case notification failed after its retries: see the notifier\'s logs',
      this.metricFailedNotifications({ period: Duration.minutes(5) }),
    );
    this.deadLetterQueueAlarm = deadLetterQueueAlarm(this, 'A Security IR case event could not be told to people: see the notifications\' dead-letter queue', this.deadLetterQueue);
    for (const alarm of [this.failedNotificationsAlarm, this.deadLetterQueueAlarm]) {
      alarm.addAlarmAction(...(props.alarmActions ?? []));
    }
  }

  /** Failed notifier invocations (the function's `Errors`): a destination could not be told. @default - sum over 5 minutes */
  public metricFailedNotifications(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricErrors(props);
  }

  /** A topic of this construct's: TLS-only; not encrypted, see the acknowledgement. */
  private ownTopic(id: string, displayName: string): sns.Topic {
    const topic = new sns.Topic(this, id, { displayName, enforceSSL: true });
    Validations.of(topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'The topic carries what the chat channel or the mailbox shows anyway (case titles and states, no secret), and a key ' +
        'would have to let Amazon Q Developer and every subscriber decrypt. A team that wants it encrypted passes its own ' +
        'topic (chatTopic, emailTopic) with its key: the notifier may use that key through SNS only.',
    });
    return topic;
  }

  /** Exactly what the notifier calls, each on the narrowest resource; KMS only through the service that holds the data. */
  private statements(secret: secretsmanager.ISecret | undefined): iam.PolicyStatement[] {
    const topics = [this.chatTopic, this.emailTopic].filter((t): t is sns.ITopic => t !== undefined);
    const statements = [
      new iam.PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] }),
      // Lambda sends an invocation that failed its retries to the dead-letter queue with this role.
      new iam.PolicyStatement({ sid: 'SendFailedInvocations', actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
    ];
    if (topics.length > 0) {
      statements.push(new iam.PolicyStatement({ sid: 'PublishNotifications', actions: ['sns:Publish'], resources: topics.map((t) => t.topicArn) }));
    }
    const topicKeys = topics.map((t) => t.masterKey).filter((k) => k !== undefined);
    if (topicKeys.length > 0) {
      statements.push(new iam.PolicyStatement({
        sid: 'UseTopicKeysThroughSns',
        // What SNS calls for a publisher to an encrypted topic (AWS's pages write GenerateDataKey*: no wildcard is needed).
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: topicKeys.map((k) => k!.keyArn),
        conditions: { StringEquals: { 'kms:ViaService': `sns.${Aws.REGION}.${Aws.URL_SUFFIX}` } },
      }));
    }
    if (secret !== undefined) {
      // An imported secret known by name only has no suffix: Secrets Manager adds six characters to every ARN.
      statements.push(new iam.PolicyStatement({ sid: 'ReadRoutingKey', actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretFullArn ?? `${secret.secretArn}-??????`] }));
      if (secret.encryptionKey !== undefined) {
        statements.push(new iam.PolicyStatement({
          sid: 'UseSecretKeyThroughSecretsManager',
          actions: ['kms:Decrypt'],
          resources: [secret.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Aws.REGION}.${Aws.URL_SUFFIX}` } },
        }));
      }
    }
    return statements;
  }
}

/** The watcher's `Created` rule, with the error naming this construct's prop when the watcher publishes none. */
function caseCreatedRule(scope: Construct, watcher: SecurityIrCaseWatcher, options: CaseEventRuleOptions): events.Rule {
  try {
    return watcher.onCaseCreated('CaseCreatedRule', options);
  } catch (error) {
    throw new ValidationError(`notifyOn.caseCreated: ${error instanceof Error ? error.message : String(error)} Or set notifyOn: { caseCreated: false }.`, scope);
  }
}
