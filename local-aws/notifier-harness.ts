/**
 * The bundled notifier in a Lambda-like process, wired to the notification stand-ins: SNS (a chat
 * topic and an e-mail topic), Secrets Manager (the PagerDuty routing key) and PagerDuty. Used by the
 * notifier's tests, the demo and the bench.
 */
import { TEST_ACCOUNT_ID, TEST_REGION, localAwsEnv } from './credentials';
import { copyToTempFolder, type LambdaInvocation, startLambdaProcess } from './lambda-process';
import { type PagerDutySimulator, startPagerDutySimulator } from './pagerduty-simulator';
import { ensureBundle, NOTIFIER_BUNDLE_PATH } from './poller-harness';
import { type SecretsManagerSimulator, startSecretsManagerSimulator } from './secrets-manager-simulator';
import { type SnsSimulator, startSnsSimulator } from './sns-simulator';

/** The routing key the PagerDuty stand-in knows and the secret holds. */
export const TEST_ROUTING_KEY = 'R0123456789abcdef0123456789abcde';
export const ROUTING_KEY_SECRET_NAME = 'security-ir/pagerduty-routing-key';

export interface NotificationStandIns {
  readonly sns: SnsSimulator;
  readonly secrets: SecretsManagerSimulator;
  readonly pagerDuty: PagerDutySimulator;
  readonly chatTopicArn: string;
  readonly emailTopicArn: string;
  readonly secretArn: string;
  /** The endpoints and credentials a notifier process needs to reach the stand-ins. */
  readonly environment: Record<string, string>;
  close(): Promise<void>;
}

export async function startNotificationStandIns(): Promise<NotificationStandIns> {
  const [sns, secrets, pagerDuty] = await Promise.all([
    startSnsSimulator(), startSecretsManagerSimulator(), startPagerDutySimulator({ routingKeys: [TEST_ROUTING_KEY] }),
  ]);
  const secretArn = secrets.putSecret(ROUTING_KEY_SECRET_NAME, TEST_ROUTING_KEY);
  return {
    sns,
    secrets,
    pagerDuty,
    chatTopicArn: sns.createTopic('security-ir-case-chat', 'chat'),
    emailTopicArn: sns.createTopic('security-ir-case-email', 'email'),
    secretArn,
    environment: {
      ...localAwsEnv({}),
      AWS_ENDPOINT_URL_SNS: sns.url,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
      PAGERDUTY_EVENTS_URL: pagerDuty.enqueueUrl,
    },
    close: async () => {
      await Promise.all([sns.close(), secrets.close(), pagerDuty.close()]);
    },
  };
}

export interface BundledNotifier {
  /** One invocation, as EventBridge's asynchronous invoke would make it. */
  invoke(event: unknown, remainingMs?: number): Promise<LambdaInvocation>;
  stop(): Promise<void>;
}

/** The environment the construct gives the notifier for every destination (names in lib/private/notifications). */
export function notifierEnvironment(standIns: NotificationStandIns, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ...standIns.environment,
    EVENT_SOURCE: 'security-ir.case-watcher',
    CHAT_TOPIC_ARN: standIns.chatTopicArn,
    EMAIL_TOPIC_ARN: standIns.emailTopicArn,
    PAGERDUTY_SECRET_ARN: standIns.secretArn,
    PAGERDUTY_SEVERITY: 'critical',
    PAGERDUTY_TRIGGER_ON_CREATED: 'false',
    AWS_REGION: TEST_REGION,
    TZ: 'UTC',
    ...overrides,
  };
}

/** Starts the bundle (built when stale) from a copy outside the repository with exactly `environment`. */
export async function startBundledNotifier(environment: Record<string, string>): Promise<BundledNotifier> {
  const lambda = await startLambdaProcess({
    codeDir: copyToTempFolder(ensureBundle(NOTIFIER_BUNDLE_PATH), 'case-notifier-'),
    handler: 'index.handler',
    environment,
  });
  let invocations = 0;
  return {
    invoke: (event, remainingMs = 30_000) => lambda.invoke(event, {
      awsRequestId: `notify-${++invocations}`,
      functionName: 'case-notifier',
      invokedFunctionArn: `arn:aws:lambda:${TEST_REGION}:${TEST_ACCOUNT_ID}:function:case-notifier`,
      remainingMs,
    }),
    stop: () => lambda.stop(),
  };
}
