import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Aws, CfnParameter, Duration, Lazy } from 'aws-cdk-lib';
import { HANDLER_ENTRY_FILE, locateHandlerAsset } from '../../lib/private/handler-asset';
import { SecurityIrCaseWatcherProps } from '../../lib';
import { watcherStack } from '../support/watcher-synth';

const create = (props: Parameters<typeof watcherStack>[0]) => watcherStack(props).watcher;

/** Each rejected value, and the prop its error message must name. */
const rejected: Array<[string, SecurityIrCaseWatcherProps, RegExp]> = [
  ['a poll interval under a minute', { pollInterval: Duration.seconds(30) }, /^pollInterval must be a whole number of minutes, at least 1, got 30 seconds$/],
  ['a poll interval that is not whole minutes', { pollInterval: Duration.seconds(90) }, /^pollInterval must be a whole number of minutes, at least 1, got 1 minute 30 seconds$/],
  ['a poll interval in milliseconds', { pollInterval: Duration.millis(1500) }, /^pollInterval must be a whole number of minutes/],
  ['a timeout equal to the interval', { timeout: Duration.minutes(1) }, /^timeout \(1 minute\) must be below the pollInterval \(1 minute\)/],
  ['a timeout above the interval', { pollInterval: Duration.minutes(5), timeout: Duration.minutes(6) }, /^timeout .*below the pollInterval \(5 minutes\)/],
  ['a timeout above Lambda’s 15 minutes', { pollInterval: Duration.hours(1), timeout: Duration.minutes(16) }, /^timeout must be from 1 second/],
  ['a source starting with aws.', { eventSource: 'aws.securityir' }, /^eventSource must not start with "aws\."/],
  ['a source starting with AWS.', { eventSource: 'AWS.SecurityIr' }, /^eventSource must not start/],
  ['an empty source', { eventSource: '' }, /^eventSource must be 1 to 256 characters/],
  ['a source over 256 characters', { eventSource: 'x'.repeat(257) }, /^eventSource must be 1 to 256 characters long, got 257/],
  ['a user ARN as role', { securityIrRoleArn: 'arn:aws:iam::111122223333:user/alice' }, /^securityIrRoleArn must be an IAM role ARN/],
  ['a role ARN with a short account', { securityIrRoleArn: 'arn:aws:iam::1111:role/Reader' }, /^securityIrRoleArn /],
  ['a role name instead of an ARN', { securityIrRoleArn: 'SecurityIrReader' }, /^securityIrRoleArn /],
  ['an upper-case region', { securityIrRegion: 'US-EAST-1' }, /^securityIrRegion must be an AWS region code/],
  ['a region without dashes', { securityIrRegion: 'useast1' }, /^securityIrRegion /],
  ['memory below 128 MB', { memorySize: 64 }, /^memorySize must be a whole number of MB from 128 to 10240, got 64/],
  ['memory above 10240 MB', { memorySize: 10241 }, /^memorySize /],
  ['fractional memory', { memorySize: 256.5 }, /^memorySize /],
  ['zero staleness periods', { stalenessPeriods: 0 }, /^stalenessPeriods must be a whole number of at least 1/],
  ['fractional staleness periods', { stalenessPeriods: 1.5 }, /^stalenessPeriods /],
  ['a staleness window over CloudWatch’s day', { stalenessPeriods: 1441 }, /^stalenessPeriods \(1441\) .* use at most 1440/],
  [
    'a staleness window over CloudWatch’s 7 days',
    { pollInterval: Duration.days(3), stalenessPeriods: 3 },
    /^stalenessPeriods \(3\) .* use at most 2/,
  ],
  ['a poll interval too long for any staleness alarm', { pollInterval: Duration.days(8) }, /^pollInterval: the staleness alarm cannot watch an interval above 7 days, got 8 days$/],
];

describe('invalid props fail at synth time, naming the prop', () => {
  test.each(rejected)('%s', (_what, props, message) => {
    expect(() => create(props)).toThrow(message);
  });
});

describe('valid edge values pass', () => {
  test.each<[string, SecurityIrCaseWatcherProps]>([
    ['a one-minute interval', { pollInterval: Duration.minutes(1) }],
    ['a timeout just below the interval', { timeout: Duration.seconds(59) }],
    ['an hourly interval with a 50-second timeout', { pollInterval: Duration.hours(1), timeout: Duration.seconds(50) }],
    ['a GovCloud region and role', { securityIrRegion: 'us-gov-west-1', securityIrRoleArn: 'arn:aws-us-gov:iam::111122223333:role/path/Reader' }],
    ['a 256-character source', { eventSource: 'x'.repeat(256) }],
    ['the memory bounds', { memorySize: 128 }],
    ['a default staleness window shrunk to fit 7 days', { pollInterval: Duration.days(4) }],
  ])('%s', (_what, props) => {
    expect(() => create(props)).not.toThrow();
  });
});

describe('values only deploy time knows are not judged', () => {
  test('tokens for source, region and role ARN', () => {
    expect(() =>
      create((stack) => ({
        eventSource: Lazy.string({ produce: () => 'aws.would-fail-if-checked' }),
        securityIrRegion: Aws.REGION,
        securityIrRoleArn: new CfnParameter(stack, 'RoleArn').valueAsString,
      })),
    ).not.toThrow();
  });

  test('a token poll interval is refused, naming the prop: every figure derived from it must be right', () => {
    expect(() => create((stack) => ({ pollInterval: Duration.minutes(new CfnParameter(stack, 'Minutes', { type: 'Number' }).valueAsNumber) })))
      .toThrow(/^pollInterval must be known at synth time \(the function timeout and the staleness alarm are derived from it\), got a token/);
  });
});

describe('rule helper filters', () => {
  test('an empty caseStatus or pendingAction list is rejected, naming the filter', () => {
    const watcher = create({});
    expect(() => watcher.onCaseStatusChanged('A', { caseStatus: [] })).toThrow(/^caseStatus must list at least one value/);
    expect(() => watcher.onPendingActionChanged('B', { pendingAction: [] })).toThrow(/^pendingAction must list at least one value/);
  });
});

describe('locateHandlerAsset', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'handler-asset-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  test('takes the first candidate directory that holds the bundle', () => {
    const [empty, bundled, alsoBundled] = ['empty', 'bundled', 'also'].map((name) => path.join(root, name));
    for (const dir of [empty, bundled, alsoBundled]) {
      fs.mkdirSync(dir);
    }
    fs.writeFileSync(path.join(bundled, HANDLER_ENTRY_FILE), '');
    fs.writeFileSync(path.join(alsoBundled, HANDLER_ENTRY_FILE), '');
    expect(locateHandlerAsset([empty, bundled, alsoBundled])).toBe(bundled);
  });

  test('without a bundle anywhere, says to run npm run bundle', () => {
    expect(() => locateHandlerAsset([path.join(root, 'missing')])).toThrow(/not found in .*missing.*npm run bundle/);
  });

  test('by default finds the bundle built from this repository', () => {
    expect(fs.existsSync(path.join(locateHandlerAsset(), HANDLER_ENTRY_FILE))).toBe(true);
  });
});

describe('a refused prop carries the path of the construct that refused it', () => {
  test.each<[string, () => unknown]>([
    ['a watcher prop', () => create({ memorySize: 64 })],
    ['a derived figure (the staleness window)', () => create({ stalenessPeriods: 1441 })],
    ['a rule helper filter', () => create({}).onCaseStatusChanged('A', { caseStatus: [] })],
  ])('%s', (_what, make) => {
    let thrown: unknown;
    try {
      make();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown).toMatchObject({ name: 'ValidationError', constructPath: 'Stack/Watcher' });
  });
});

describe('alarms: false', () => {
  test('refuses the props that only act on the alarms, naming them', () => {
    expect(() => create({ alarms: false, stalenessPeriods: 2 })).toThrow(/^stalenessPeriods act on the watcher's alarms, which alarms: false turns off/);
    const topic = { bind: () => ({ alarmActionArn: 'arn:aws:sns:us-east-1:111122223333:t' }) };
    expect(() => create({ alarms: false, alarmActions: [topic] })).toThrow(/^alarmActions act on the watcher's alarms/);
    expect(() => create({ alarms: false, alarmActions: [] })).not.toThrow();
  });
});

describe('awaitingCustomerReminders', () => {
  const marks = (props: SecurityIrCaseWatcherProps) => {
    const { template } = watcherStack(props);
    return Object.values(template.findResources('AWS::Lambda::Function'))[0].Properties.Environment.Variables.AWAITING_CUSTOMER_REMINDER_MINUTES;
  };

  test('reach the function as whole minutes, comma-separated: the defaults, a list of ours, an empty list (off)', () => {
    expect(marks({})).toBe('60,240,1440');
    expect(marks({ awaitingCustomerReminders: [Duration.minutes(30), Duration.hours(2), Duration.days(30)] })).toBe('30,120,43200');
    expect(marks({ awaitingCustomerReminders: [] })).toBe('');
  });

  test('a default mark shorter than the poll interval is left out, not refused', () => {
    expect(marks({ pollInterval: Duration.hours(2) })).toBe('240,1440');
    expect(marks({ pollInterval: Duration.days(2) })).toBe('');
  });

  test.each<[string, SecurityIrCaseWatcherProps, RegExp]>([
    ['seconds', { awaitingCustomerReminders: [Duration.seconds(90)] }, /^awaitingCustomerReminders \[0\] must be a whole number of minutes, at least 1, got 1 minute 30 seconds$/],
    ['zero', { awaitingCustomerReminders: [Duration.minutes(0)] }, /^awaitingCustomerReminders \[0\] must be a whole number of minutes/],
    ['over 30 days', { awaitingCustomerReminders: [Duration.hours(1), Duration.days(31)] }, /^awaitingCustomerReminders \[1\] must be at most 30 days, got 31 days$/],
    ['not increasing', { awaitingCustomerReminders: [Duration.hours(4), Duration.hours(1)] }, /^awaitingCustomerReminders must be strictly increasing, got 4 hours then 1 hour$/],
    ['a repeated mark', { awaitingCustomerReminders: [Duration.hours(1), Duration.minutes(60)] }, /^awaitingCustomerReminders must be strictly increasing/],
    ['a mark shorter than the interval', { pollInterval: Duration.minutes(30), awaitingCustomerReminders: [Duration.minutes(10)] },
      /^awaitingCustomerReminders \[0\] \(10 minutes\) is shorter than the pollInterval \(30 minutes\)/],
  ])('refused, naming the prop: %s', (_what, props, message) => {
    expect(() => create(props)).toThrow(message);
  });

  test('a token mark is refused: the function gets whole minutes', () => {
    expect(() => create((stack) => ({ awaitingCustomerReminders: [Duration.minutes(new CfnParameter(stack, 'Mark', { type: 'Number' }).valueAsNumber)] })))
      .toThrow(/^awaitingCustomerReminders \[0\] must be known at synth time/);
  });

  test('a mark equal to the interval is kept', () => {
    expect(marks({ pollInterval: Duration.minutes(30), awaitingCustomerReminders: [Duration.minutes(30)] })).toBe('30');
  });
});

describe('onAwaitingCustomer', () => {
  test('refused when it could never match: reminders off, or minMinutes beyond the last mark; a negative minMinutes names it', () => {
    expect(() => create({ awaitingCustomerReminders: [] }).onAwaitingCustomer('A'))
      .toThrow(/^onAwaitingCustomer\('A'\): awaitingCustomerReminders is empty: this watcher sends no reminder, so the rule would never match$/);
    expect(() => create({}).onAwaitingCustomer('B', { minMinutes: 1441 }))
      .toThrow(/^onAwaitingCustomer\('B'\): minMinutes \(1441\) is beyond the last awaitingCustomerReminders mark \(1440 minutes\)/);
    expect(() => create({}).onAwaitingCustomer('C', { minMinutes: -1 })).toThrow(/^minMinutes must be a number of minutes, at least 0, got -1$/);
    expect(() => create({}).onAwaitingCustomer('D', { minMinutes: 1440 })).not.toThrow();
  });
});
