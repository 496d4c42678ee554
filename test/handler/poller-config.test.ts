import { HandlerEnvironment as E, LAMBDA_LOG_LEVEL_ENV } from '../../lib/internal/handler-environment';
import { METRIC_NAMESPACE, MetricName } from '../../lib/metrics';
import { systemClock } from '../../lambda/clock';
import { ConfigError, loadConfig } from '../../lambda/config';
import { CASES_SKIPPED_METRIC, createTelemetry, LogLevel, RunSummary } from '../../lambda/telemetry';

const VALID = {
  [E.STATE_TABLE_NAME]: 'watcher-state',
  [E.EVENT_BUS_NAME]: 'default',
  AWS_REGION: 'eu-west-1',
};

describe('loadConfig', () => {
  test('defaults', () => {
    expect(loadConfig(VALID)).toEqual({
      stateTableName: 'watcher-state',
      eventBusName: 'default',
      eventSource: 'security-ir.case-watcher',
      emitCreatedEvents: true,
      emitExistingCasesOnFirstRun: false,
      securityIrRegion: 'eu-west-1',
      securityIrRoleArn: undefined,
      securityIrAccountId: undefined,
      serviceName: 'security-ir-case-watcher',
      logLevel: 'INFO',
      awaitingCustomerReminderMinutes: [60, 240, 1440],
    });
  });

  test('every variable set', () => {
    expect(loadConfig({
      ...VALID,
      [E.EVENT_BUS_NAME]: 'arn:aws:events:us-east-1:111122223333:event-bus/sec-bus',
      [E.EVENT_SOURCE]: 'acme.security',
      [E.EMIT_CREATED_EVENTS]: 'false',
      [E.EMIT_EXISTING_CASES_ON_FIRST_RUN]: 'true',
      [E.SECURITY_IR_REGION]: 'us-east-1',
      [E.SECURITY_IR_ROLE_ARN]: 'arn:aws:iam::444455556666:role/path/SecurityIrReader',
      [E.SERVICE_NAME]: 'prod-watcher',
      [E.LOG_LEVEL]: 'debug',
      [E.AWAITING_CUSTOMER_REMINDER_MINUTES]: '1, 30,43200',
    })).toEqual({
      stateTableName: 'watcher-state',
      eventBusName: 'arn:aws:events:us-east-1:111122223333:event-bus/sec-bus',
      eventSource: 'acme.security',
      emitCreatedEvents: false,
      emitExistingCasesOnFirstRun: true,
      securityIrRegion: 'us-east-1',
      securityIrRoleArn: 'arn:aws:iam::444455556666:role/path/SecurityIrReader',
      securityIrAccountId: '444455556666',
      serviceName: 'prod-watcher',
      logLevel: 'DEBUG',
      awaitingCustomerReminderMinutes: [1, 30, 43200],
    });
  });

  test('an empty reminder list turns the reminders off', () => {
    expect(loadConfig({ ...VALID, [E.AWAITING_CUSTOMER_REMINDER_MINUTES]: '' }).awaitingCustomerReminderMinutes).toEqual([]);
  });

  test.each([
    ['TRACE', 'DEBUG'], ['DEBUG', 'DEBUG'], ['INFO', 'INFO'], ['WARN', 'WARN'], ['ERROR', 'ERROR'], ['FATAL', 'ERROR'],
  ])("Lambda's application log level %s wins over LOG_LEVEL and writes %s lines and above", (lambdaLevel, expected) => {
    expect(loadConfig({ ...VALID, [E.LOG_LEVEL]: 'ERROR', [LAMBDA_LOG_LEVEL_ENV]: lambdaLevel }).logLevel).toBe(expected);
  });

  test('an explicit account id wins over the role\'s account', () => {
    const config = loadConfig({ ...VALID, [E.SECURITY_IR_ROLE_ARN]: 'arn:aws:iam::444455556666:role/r', [E.SECURITY_IR_ACCOUNT_ID]: '777788889999' });
    expect(config.securityIrAccountId).toBe('777788889999');
  });

  test.each([
    [{ [E.STATE_TABLE_NAME]: undefined }, E.STATE_TABLE_NAME, /is not set/],
    [{ [E.STATE_TABLE_NAME]: '  ' }, E.STATE_TABLE_NAME, /is not set/],
    [{ [E.STATE_TABLE_NAME]: 'a' }, E.STATE_TABLE_NAME, /table name/],
    [{ [E.EVENT_BUS_NAME]: undefined }, E.EVENT_BUS_NAME, /is not set/],
    [{ [E.EVENT_BUS_NAME]: 'bad bus' }, E.EVENT_BUS_NAME, /event bus/],
    [{ [E.EVENT_BUS_NAME]: 'arn:aws:sqs:us-east-1:111122223333:queue' }, E.EVENT_BUS_NAME, /event bus/],
    [{ [E.EVENT_SOURCE]: 'aws.security-ir' }, E.EVENT_SOURCE, /aws\./],
    [{ [E.EVENT_SOURCE]: 'AWS.security-ir' }, E.EVENT_SOURCE, /aws\./],
    [{ [E.EMIT_CREATED_EVENTS]: 'yes' }, E.EMIT_CREATED_EVENTS, /"true" or "false"/],
    [{ [E.EMIT_CREATED_EVENTS]: 'TRUE' }, E.EMIT_CREATED_EVENTS, /"true" or "false"/],
    [{ [E.EMIT_EXISTING_CASES_ON_FIRST_RUN]: '1' }, E.EMIT_EXISTING_CASES_ON_FIRST_RUN, /"true" or "false"/],
    [{ [E.SECURITY_IR_REGION]: 'US-EAST-1' }, E.SECURITY_IR_REGION, /region/],
    [{ [E.SECURITY_IR_REGION]: undefined, AWS_REGION: undefined }, E.SECURITY_IR_REGION, /is not set/],
    [{ AWS_REGION: 'nowhere' }, 'AWS_REGION', /region/],
    [{ [E.SECURITY_IR_ROLE_ARN]: 'arn:aws:iam::123:role/x' }, E.SECURITY_IR_ROLE_ARN, /role ARN/],
    [{ [E.SECURITY_IR_ROLE_ARN]: 'arn:aws:iam::111122223333:user/x' }, E.SECURITY_IR_ROLE_ARN, /role ARN/],
    [{ [E.SECURITY_IR_ACCOUNT_ID]: '12345' }, E.SECURITY_IR_ACCOUNT_ID, /account/],
    [{ [E.LOG_LEVEL]: 'verbose' }, E.LOG_LEVEL, /must be one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL, not "verbose"/],
    [{ [LAMBDA_LOG_LEVEL_ENV]: 'loud' }, LAMBDA_LOG_LEVEL_ENV, /must be one of/],
    [{ [E.AWAITING_CUSTOMER_REMINDER_MINUTES]: '60,60' }, E.AWAITING_CUSTOMER_REMINDER_MINUTES, /strictly increasing/],
    [{ [E.AWAITING_CUSTOMER_REMINDER_MINUTES]: '240,60' }, E.AWAITING_CUSTOMER_REMINDER_MINUTES, /strictly increasing/],
    [{ [E.AWAITING_CUSTOMER_REMINDER_MINUTES]: '0' }, E.AWAITING_CUSTOMER_REMINDER_MINUTES, /whole minutes from 1/],
    [{ [E.AWAITING_CUSTOMER_REMINDER_MINUTES]: '1.5' }, E.AWAITING_CUSTOMER_REMINDER_MINUTES, /whole minutes/],
    [{ [E.AWAITING_CUSTOMER_REMINDER_MINUTES]: '43201' }, E.AWAITING_CUSTOMER_REMINDER_MINUTES, /to 43200/],
    [{ [E.AWAITING_CUSTOMER_REMINDER_MINUTES]: '60,,240' }, E.AWAITING_CUSTOMER_REMINDER_MINUTES, /comma-separated/],
  ])('%o is rejected naming %s', (overrides, variable, message) => {
    let error: unknown;
    try {
      loadConfig({ ...VALID, ...overrides });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message).toContain(variable);
    expect((error as Error).message).toMatch(message);
  });
});

describe('telemetry', () => {
  const summary: RunSummary = {
    outcome: 'succeeded', casesSeen: 30, casesSkipped: 0, pages: 2, listCasesCalls: 3, eventsPublished: 4,
    publishFailures: 0, casesRecorded: 4, durationMs: 812,
  };

  function capture(serviceName = 'svc', level?: LogLevel) {
    const lines: string[] = [];
    const telemetry = createTelemetry({ serviceName, level, fields: { requestId: 'req-1' }, write: (l) => lines.push(l), clock: { ...systemClock, now: () => Date.parse('2026-11-23T09:13:00Z') } });
    return { telemetry, parsed: () => lines.map((l) => JSON.parse(l)), lines };
  }

  test('log lines are JSON with level, message, time, service and the base fields', () => {
    const { telemetry, parsed } = capture();
    telemetry.log('WARN', 'careful', { caseIds: ['1'] });
    expect(parsed()).toEqual([{
      level: 'WARN', message: 'careful', timestamp: '2026-11-23T09:13:00.000Z', service: 'svc', requestId: 'req-1', caseIds: ['1'],
    }]);
  });

  test('a run writes one summary line and one EMF document with every metric', () => {
    const { telemetry, parsed, lines } = capture('prod-watcher');
    telemetry.runCompleted(summary);
    expect(lines).toHaveLength(2);
    const [log, emf] = parsed();
    expect(log).toMatchObject({ level: 'INFO', summary });
    expect(emf._aws).toEqual({
      Timestamp: Date.parse('2026-11-23T09:13:00Z'),
      CloudWatchMetrics: [{
        Namespace: METRIC_NAMESPACE,
        Dimensions: [['service']],
        Metrics: expect.arrayContaining([...Object.values(MetricName), CASES_SKIPPED_METRIC].map((name) => ({ Name: name, Unit: expect.any(String) }))),
      }],
    });
    expect(emf._aws.CloudWatchMetrics[0].Metrics).toHaveLength(Object.values(MetricName).length + 1);
    expect(emf).toMatchObject({
      service: 'prod-watcher',
      CasesSeen: 30, CasesSkipped: 0, ListCasesCalls: 3, EventsPublished: 4, PublishFailures: 0, PollDurationMs: 812, PollSucceeded: 1,
    });
  });

  test('lines below the configured level are not written; DEBUG is off by default', () => {
    const atDefault = capture();
    atDefault.telemetry.log('DEBUG', 'detail');
    atDefault.telemetry.log('INFO', 'news');
    expect(atDefault.parsed().map((l) => l.message)).toEqual(['news']);
    expect(atDefault.telemetry.enabled('DEBUG')).toBe(false);

    const atDebug = capture('svc', 'DEBUG');
    atDebug.telemetry.log('DEBUG', 'detail');
    expect(atDebug.parsed().map((l) => [l.level, l.message])).toEqual([['DEBUG', 'detail']]);
    expect(atDebug.telemetry.enabled('DEBUG')).toBe(true);
  });

  test('at ERROR a successful run writes no log line but still its metrics (the heartbeat)', () => {
    const { telemetry, parsed } = capture('svc', 'ERROR');
    telemetry.log('WARN', 'careful');
    telemetry.runCompleted(summary);
    expect(parsed()).toEqual([expect.objectContaining({ PollSucceeded: 1 })]);
    telemetry.runCompleted({ ...summary, outcome: 'failed' });
    expect(parsed().slice(1).map((l) => l.level ?? 'EMF')).toEqual(['ERROR', 'EMF']);
  });

  test('PollSucceeded is 0 for a failed run, 1 for a skipped one', () => {
    for (const [outcome, heartbeat, level] of [['failed', 0, 'ERROR'], ['skipped', 1, 'INFO']] as const) {
      const { telemetry, parsed } = capture();
      telemetry.runCompleted({ ...summary, outcome });
      expect(parsed()[0].level).toBe(level);
      expect(parsed()[1].PollSucceeded).toBe(heartbeat);
    }
  });
});
