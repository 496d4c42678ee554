/**
 * The notifier's Lambda entry point. Configuration and clients are built once per container (the
 * routing key is read on first use and cached there), then each invocation tells every destination
 * about one watcher event, bounded by its remaining time, and logs one summary line.
 */
import { type Clock, systemClock } from '../clock';
import { describeError } from '../strings';
import { createTelemetry } from '../telemetry';
import { AwsRequester } from './aws-request';
import { InvalidCaseEventError } from './case-event';
import { loadNotifierConfig, type NotifierConfig } from './config';
import { NotificationFailedError, type NotificationSummary, Notifier } from './notifier';
import { PagerDutyClient } from './pagerduty-client';
import { RoutingKeyReader } from './secret-reader';
import { SnsPublisher } from './sns-publisher';

export interface LambdaContext {
  readonly awsRequestId?: string;
  getRemainingTimeInMillis(): number;
}

/** Time kept back from the invocation's timeout so that the summary line is written before Lambda stops it. */
const SAFETY_MARGIN_MS = 2_000;

let container: { config: NotifierConfig; notifier: Notifier } | undefined;

function createContainer(clock: Clock = systemClock): { config: NotifierConfig; notifier: Notifier } {
  const config = loadNotifierConfig();
  const requester = new AwsRequester(clock);
  const pagerDuty = config.pagerDuty === undefined
    ? undefined
    : { client: new PagerDutyClient(config.pagerDuty.eventsUrl, clock), routingKeys: new RoutingKeyReader(requester, config.pagerDuty.secretArn, clock) };
  return { config, notifier: new Notifier(config, { sns: new SnsPublisher(requester), pagerDuty, clock }) };
}

export const handler = async (event: unknown, context: LambdaContext): Promise<NotificationSummary> => {
  const deadline = Date.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS;
  const coldStart = container === undefined;
  const current = container ?? (container = createContainer());
  const telemetry = createTelemetry({ serviceName: current.config.serviceName, level: current.config.logLevel, fields: { requestId: context.awsRequestId, coldStart } });
  try {
    const summary = await current.notifier.notify(event, deadline);
    telemetry.log('INFO', 'Notified', { notification: summary });
    return summary;
  } catch (error) {
    if (error instanceof NotificationFailedError) {
      telemetry.log('ERROR', 'Notification failed', { notification: error.summary });
    } else if (error instanceof InvalidCaseEventError) {
      telemetry.log('ERROR', 'Refused an event that is not the watcher\'s', { error: describeError(error) });
    } else {
      telemetry.log('ERROR', 'Notification failed', { error: describeError(error) });
    }
    throw error;
  }
};
