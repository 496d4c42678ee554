/**
 * The templates whose IAM the checks of this folder read: the watcher with default props, reading
 * another account's cases (`securityIrRoleArn`: the bus policy that lets the forwarder's account
 * deliver hints), encrypted with a customer managed key, without the fast path, the forwarder in the
 * member account, and the example app of `bin/` with every context value (the notifier's topic and
 * key, a named bus). Each is synthesised once per test file, on first use.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CaseWatcherExampleStack, EXAMPLE_STACK_ID, ExampleContext } from '../../bin/example-stack';
import { SecurityIrCaseWatcher, SecurityIrCaseWatcherProps, SecurityIrEventForwarder } from '../../lib';
import { CfnTemplate } from '../support/cloud-assembly';
import { once, testApp } from '../support/test-app';

export const SECURITY_IR_ROLE_ARN = 'arn:aws:iam::444455556666:role/SecurityIrReader';
export const MEMBER_ACCOUNT = '444455556666';

function watcherTemplate(props: (stack: Stack) => SecurityIrCaseWatcherProps = () => ({})): CfnTemplate {
  const stack = new Stack(testApp(), 'WatcherStack');
  new SecurityIrCaseWatcher(stack, 'Watcher', props(stack));
  return Template.fromStack(stack).toJSON() as CfnTemplate;
}

export const CONFIGURATIONS: Record<string, () => CfnTemplate> = {
  'default props': once(() => watcherTemplate()),
  'another account\'s cases (securityIrRoleArn)': once(() => watcherTemplate(() => ({ securityIrRoleArn: SECURITY_IR_ROLE_ARN }))),
  'encrypted with a customer managed key': once(() => watcherTemplate((stack) => ({ encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) }))),
  'without the fast path': once(() => watcherTemplate(() => ({ fastPath: false }))),
  'the forwarder in the member account': once(() => {
    const stack = new Stack(testApp(), 'ForwarderStack', { env: { account: MEMBER_ACCOUNT, region: 'us-east-1' } });
    new SecurityIrEventForwarder(stack, 'Forwarder', { watcherAccount: '111122223333' });
    return Template.fromStack(stack).toJSON() as CfnTemplate;
  }),
  // The example app's stack without its cdk-nag plugin (nag.test.ts runs it): the same resources.
  'the example app with every context value': once(() => {
    const app = testApp({
      context: {
        [ExampleContext.NOTIFY_EMAIL]: 'secops@example.com',
        [ExampleContext.EVENT_BUS_NAME]: 'security-events',
        [ExampleContext.SECURITY_IR_ROLE_ARN]: SECURITY_IR_ROLE_ARN,
      },
    });
    return Template.fromStack(new CaseWatcherExampleStack(app, EXAMPLE_STACK_ID)).toJSON() as CfnTemplate;
  }),
};
