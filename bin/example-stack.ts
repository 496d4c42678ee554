import { App, AppProps, Arn, ArnFormat, Aws, Duration, IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { SecurityIrCaseNotifications, SecurityIrCaseWatcher } from '../lib';

/** The context keys the example app reads (`npx cdk synth -c key=value`). */
export const ExampleContext = {
  /** An existing bus: its name (in this account and region) or its ARN (e.g. another account's bus). */
  EVENT_BUS_NAME: 'eventBusName',
  /** Minutes between two polls. */
  POLL_INTERVAL: 'pollInterval',
  /** `true` (default) or `false`. */
  FAST_PATH: 'fastPath',
  EVENT_SOURCE: 'eventSource',
  SECURITY_IR_REGION: 'securityIrRegion',
  SECURITY_IR_ROLE_ARN: 'securityIrRoleArn',
  NOTIFY_EMAIL: 'notifyEmail',
} as const;

export const EXAMPLE_STACK_ID = 'SecurityIrCaseWatcherStack';

/** The watcher with every option taken from context, and, with `notifyEmail`, an e-mail per case event (new cases, pending action, status, reminders) and per alarm. */
export class CaseWatcherExampleStack extends Stack {
  public readonly watcher: SecurityIrCaseWatcher;
  /** The e-mail topic, when `notifyEmail` is set. */
  public readonly topic?: sns.Topic;
  /** What tells the e-mail subscribers, when `notifyEmail` is set. */
  public readonly notifications?: SecurityIrCaseNotifications;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const context = (key: string): string | undefined => {
      const value: unknown = this.node.tryGetContext(key);
      return value === undefined || value === '' ? undefined : String(value);
    };

    const eventBusName = context(ExampleContext.EVENT_BUS_NAME);
    const pollInterval = context(ExampleContext.POLL_INTERVAL);
    const fastPath = context(ExampleContext.FAST_PATH);
    const notifyEmail = context(ExampleContext.NOTIFY_EMAIL);
    this.topic = notifyEmail ? this.notificationTopic(notifyEmail) : undefined;
    this.watcher = new SecurityIrCaseWatcher(this, 'CaseWatcher', {
      alarmActions: this.topic ? [new cloudwatchActions.SnsAction(this.topic)] : undefined,
      eventBus: eventBusName ? contextEventBus(this, ExampleContext.EVENT_BUS_NAME, eventBusName) : undefined,
      pollInterval: pollInterval === undefined ? undefined : Duration.minutes(contextNumber(ExampleContext.POLL_INTERVAL, pollInterval)),
      fastPath: fastPath === undefined ? undefined : contextFlag(ExampleContext.FAST_PATH, fastPath),
      eventSource: context(ExampleContext.EVENT_SOURCE),
      securityIrRegion: context(ExampleContext.SECURITY_IR_REGION),
      securityIrRoleArn: context(ExampleContext.SECURITY_IR_ROLE_ARN),
    });

    if (this.topic) {
      // Rendered in code by the notifier (an input transformer cannot safely splice a case title into
      // text): new cases, pending action both ways, status changes and the reminders, one e-mail each.
      this.notifications = new SecurityIrCaseNotifications(this, 'Notifications', {
        watcher: this.watcher,
        emailTopic: this.topic,
        alarmActions: [new cloudwatchActions.SnsAction(this.topic)],
      });
    }
  }

  /** An encrypted, TLS-only topic that EventBridge and CloudWatch alarms may publish to. */
  private notificationTopic(email: string): sns.Topic {
    const key = new kms.Key(this, 'NotificationKey', {
      description: 'Encrypts the Security IR case watcher notification topic',
      enableKeyRotation: true,
    });
    const topic = new sns.Topic(this, 'NotificationTopic', {
      displayName: 'Security IR case watcher',
      masterKey: key,
      enforceSSL: true,
    });
    // The topic policy replaces SNS's default one, so the alarms of this account are allowed explicitly;
    // an encrypted topic also needs its publishers to use the key (SNS does so on their behalf).
    const alarms = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowAlarmsOfThisAccount',
        principals: [alarms],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*` } },
      }),
    );
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowAlarmsToPublishToEncryptedTopic',
        principals: [alarms],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    topic.addSubscription(new subscriptions.EmailSubscription(email));
    return topic;
  }
}

/** A bus named by its name or by its ARN; an ARN of anything but an event bus fails the synth, naming the key. */
function contextEventBus(scope: Construct, key: string, value: string): events.IEventBus {
  if (!value.startsWith('arn:')) {
    return events.EventBus.fromEventBusName(scope, 'EventBus', value);
  }
  const arn = Arn.split(value, ArnFormat.SLASH_RESOURCE_NAME);
  if (arn.service !== 'events' || arn.resource !== 'event-bus' || !arn.resourceName || !/^\d{12}$/.test(arn.account ?? '') || !arn.region) {
    throw new Error(`context ${key} must be a bus name or an event bus ARN (arn:<partition>:events:<region>:<account>:event-bus/<name>), got "${value}"`);
  }
  return events.EventBus.fromEventBusArn(scope, 'EventBus', value);
}

/** A context value that must be a number: anything else fails the synth, naming the key. */
function contextNumber(key: string, value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number)) {
    throw new Error(`context ${key} must be a number, got "${value}"`);
  }
  return number;
}

/** A context value that must be `true` or `false` (a typo must not silently flip a behaviour). */
function contextFlag(key: string, value: string): boolean {
  if (value !== 'true' && value !== 'false') {
    throw new Error(`context ${key} must be "true" or "false", got "${value}"`);
  }
  return value === 'true';
}

/**
 * cdk-nag's checks with aws-cdk-lib's deprecation notices quiet while they run: its EventBusOpenAccess
 * rule reads `CfnEventBusPolicy#principal`, deprecated and set by nobody here, on every bus policy
 * (the watcher of another account's cases has one), which printed a notice on every synth with
 * `-c securityIrRoleArn`. A deprecated API this app itself uses still prints.
 */
class QuietDeprecationsWhileChecking implements IPolicyValidationPlugin {
  public readonly name: string;
  public readonly version?: string;
  public readonly ruleIds?: string[];

  constructor(private readonly checks: IPolicyValidationPlugin) {
    this.name = checks.name;
    this.version = checks.version;
    this.ruleIds = checks.ruleIds;
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const mode = process.env.JSII_DEPRECATED;
    process.env.JSII_DEPRECATED = 'quiet';
    try {
      return this.checks.validate(context);
    } finally {
      if (mode === undefined) delete process.env.JSII_DEPRECATED;
      else process.env.JSII_DEPRECATED = mode;
    }
  }
}

/** The example app: the stack env-agnostic, and cdk-nag's AWS Solutions checks on everything. */
export function createExampleApp(props?: AppProps): { app: App; stack: CaseWatcherExampleStack } {
  const app = new App(props);
  Validations.of(app).addPlugins(new QuietDeprecationsWhileChecking(new AwsSolutionsChecks(app)));
  const stack = new CaseWatcherExampleStack(app, EXAMPLE_STACK_ID, {
    description: 'Watches AWS Security Incident Response cases and publishes their changes to EventBridge',
  });
  return { app, stack };
}
