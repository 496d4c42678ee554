/**
 * The construct tests' shared ways to build a watcher and read what it synthesises: one stack with
 * one watcher, the one resource of a type, the function role's statements.
 */
import { App, Environment, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SecurityIrCaseWatcher, SecurityIrCaseWatcherProps } from '../../lib';
import { testApp } from './test-app';

/** The environment of the construct tests that need a concrete account and region. */
export const TEST_ENV = { account: '111122223333', region: 'us-east-1' } as const;

/** A role in another account, the cross-account tests' `securityIrRoleArn`. */
export const READER_ROLE_ARN = 'arn:aws:iam::444455556666:role/SecurityIrReader';

export interface WatcherStackOptions {
  /** The app the stack goes in. @default a new testApp() */
  readonly app?: App;
  readonly stackId?: string;
  /** @default - env-agnostic */
  readonly env?: Environment;
}

export interface WatcherStack {
  readonly app: App;
  readonly stack: Stack;
  readonly watcher: SecurityIrCaseWatcher;
  /** The stack's template, synthesised on first read. */
  readonly template: Template;
}

/** A stack with one watcher `Watcher`; `props` may read the stack (for keys, parameters, buses made in it). */
export function watcherStack(
  props: SecurityIrCaseWatcherProps | ((stack: Stack) => SecurityIrCaseWatcherProps) = {},
  options: WatcherStackOptions = {},
): WatcherStack {
  const app = options.app ?? testApp();
  const stack = new Stack(app, options.stackId ?? 'Stack', { env: options.env });
  const watcher = new SecurityIrCaseWatcher(stack, 'Watcher', typeof props === 'function' ? props(stack) : props);
  let template: Template | undefined;
  return {
    app,
    stack,
    watcher,
    get template() {
      return (template ??= Template.fromStack(stack));
    },
  };
}

/** The one value of a record (a template's `findResources`); fails the test unless there is exactly one. */
export function only<T>(record: Record<string, T>): T {
  const values = Object.values(record);
  expect(values).toHaveLength(1);
  return values[0];
}

/** The properties of the template's one resource of `type`. */
export function onlyResource(template: Template, type: string): Record<string, any> {
  return only(template.findResources(type)).Properties;
}

/** A statement of an IAM policy document as the template holds it. */
export interface PolicyStatement {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, string[]>>;
  Effect: string;
}

/** The function's role (the one Lambda assumes) and the statements of its one inline policy. */
export function functionRole(template: Template): { logicalId: string; properties: Record<string, any>; statements: PolicyStatement[] } {
  const roles = Object.entries(template.findResources('AWS::IAM::Role'))
    .filter(([, r]) => r.Properties.AssumeRolePolicyDocument.Statement.some((st: any) => st.Principal?.Service === 'lambda.amazonaws.com'));
  expect(roles).toHaveLength(1);
  const [logicalId, role] = roles[0];
  expect(role.Properties.Policies).toHaveLength(1);
  return { logicalId, properties: role.Properties, statements: role.Properties.Policies[0].PolicyDocument.Statement };
}
