import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, NagRuleCompliance, rules } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { createExampleApp, ExampleContext } from '../../bin/example-stack';
import { SecurityIrCaseWatcher, SecurityIrCaseWatcherProps } from '../../lib';

// cdk-nag 3.0.2's EventBusOpenAccess rule reads CfnEventBusPolicy#principal, which aws-cdk-lib marks
// deprecated, on every bus policy (the watcher of another account's cases has one): without this, each
// such check prints aws-cdk-lib's deprecation notice. The rule still runs and finds the policy scoped.
process.env.JSII_DEPRECATED = 'quiet';

const ROLE_ARN = 'arn:aws:iam::444455556666:role/SecurityIrReader';

function watcherApp(props: (stack: Stack) => SecurityIrCaseWatcherProps = () => ({})) {
  const app = new App();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new Stack(app, 'Stack');
  const watcher = new SecurityIrCaseWatcher(stack, 'Watcher', props(stack));
  return { app, stack, watcher };
}

/** Unacknowledged findings, as `RuleId @ construct path`. */
function findings(app: App): string[] {
  return new AwsSolutionsChecks()
    .validateScope(app)
    .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} @ ${r.constructPath}`));
}

/** What the CDK validation report (written by synth) lists as violations. */
function reportedViolations(app: App): unknown[] {
  const assembly = app.synth();
  const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
  return report.pluginReports.flatMap((r: { violations: unknown[] }) => r.violations);
}

/** Every acknowledgement in the tree: construct path -> { rule id: reason }. */
function acknowledgements(root: IConstruct): Record<string, Record<string, string>> {
  const found: Record<string, Record<string, string>> = {};
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) {
        const ids = Object.entries(entry.data as Record<string, string>).map(([id, reason]) => [id.replace(/^Annotation::/i, ''), reason]);
        found[construct.node.path] = { ...found[construct.node.path], ...Object.fromEntries(ids) };
      }
    }
  }
  return found;
}

describe('AwsSolutions checks', () => {
  test('default props: no unacknowledged finding, synth passes with an empty report', () => {
    const { app } = watcherApp();
    expect(findings(app)).toEqual([]);
    expect(reportedViolations(app)).toEqual([]);
  });

  test('with a KMS key and a Security IR role: no unacknowledged finding', () => {
    const { app } = watcherApp((stack) => ({
      encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
      securityIrRoleArn: ROLE_ARN,
    }));
    expect(findings(app)).toEqual([]);
    expect(reportedViolations(app)).toEqual([]);
  });

  test('the example app with every context value (notifyEmail included): no unacknowledged finding', () => {
    const { app } = createExampleApp({
      context: {
        [ExampleContext.NOTIFY_EMAIL]: 'secops@example.com',
        [ExampleContext.EVENT_BUS_NAME]: 'security-events',
        [ExampleContext.SECURITY_IR_ROLE_ARN]: ROLE_ARN,
      },
    });
    expect(findings(app)).toEqual([]);
    expect(reportedViolations(app)).toEqual([]);
    // The example app acknowledges nothing of its own: only the library's constructs do.
    expect(Object.keys(acknowledgements(app)).filter((p) => !p.includes('/CaseWatcher/') && !p.includes('/Notifications/'))).toEqual([]);
  });

  test('the checks do catch findings in this set-up (control)', () => {
    const { app, stack } = watcherApp();
    new sqs.Queue(stack, 'Plain', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    expect(findings(app)).toEqual(
      expect.arrayContaining(['AwsSolutions-SQS3 @ Stack/Plain/Resource', 'AwsSolutions-SQS4 @ Stack/Plain/Resource']),
    );
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS2/);
  });

  test('the CDK\'s built-in CloudFormation validation runs here too: its findings reach the report (control)', () => {
    // The other test files turn it off (test/support/test-app.ts); the empty reports above include it.
    const { app, stack } = watcherApp();
    new CfnResource(stack, 'Invalid', { type: 'AWS::CloudWatch::Dashboard', properties: { DashboardBody: 42 } });
    const warnings = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(reportedViolations(app)).toEqual([
        expect.objectContaining({ violatingConstructs: [expect.objectContaining({ constructPath: 'Stack/Invalid' })] }),
      ]);
      expect(warnings).toHaveBeenCalledWith(expect.stringContaining('(CloudFormation Validate)'));
    } finally {
      warnings.mockRestore();
    }
  });
});

describe('acknowledgements of the construct', () => {
  const GET_CASE_RESOURCES = 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:security-ir:<AWS::Region>:<AWS::AccountId>:case/*]';

  test('exactly three, each naming its finding, with a reason', () => {
    const { stack } = watcherApp();
    const acks = acknowledgements(stack);
    expect(Object.keys(acks).sort()).toEqual(['Stack/Watcher/DeadLetterQueue', 'Stack/Watcher/ServiceRole']);
    expect(Object.keys(acks['Stack/Watcher/ServiceRole'])).toEqual(['AwsSolutions-IAM5[Resource::*]', GET_CASE_RESOURCES]);
    expect(acks['Stack/Watcher/ServiceRole']['AwsSolutions-IAM5[Resource::*]']).toMatch(/ListCases .*resource-level/);
    expect(acks['Stack/Watcher/ServiceRole'][GET_CASE_RESOURCES]).toMatch(/GetCase is granted on case\/\* of the watched account and region/);
    expect(Object.keys(acks['Stack/Watcher/DeadLetterQueue'])).toEqual(['AwsSolutions-SQS3']);
    expect(acks['Stack/Watcher/DeadLetterQueue']['AwsSolutions-SQS3']).toMatch(/itself the dead-letter queue/);
  });

  test('each one silences a finding that is really there', () => {
    const { watcher } = watcherApp();
    expect(rules.iam.IAMNoWildcardPermissions(watcher.role.node.defaultChild as CfnResource)).toEqual([
      'Resource::*', 'Resource::arn:<AWS::Partition>:security-ir:<AWS::Region>:<AWS::AccountId>:case/*',
    ]);
    expect(rules.sqs.SQSQueueDLQ(watcher.deadLetterQueue.node.defaultChild as CfnResource)).toBe(NagRuleCompliance.NON_COMPLIANT);
  });

  test('in a stack with a known account and region, the GetCase acknowledgement names them', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: { account: '111122223333', region: 'eu-west-1' } });
    const watcher = new SecurityIrCaseWatcher(stack, 'Watcher');
    const id = 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:security-ir:eu-west-1:111122223333:case/*]';
    expect(Object.keys(acknowledgements(stack)['Stack/Watcher/ServiceRole'])).toContain(id);
    expect(rules.iam.IAMNoWildcardPermissions(watcher.role.node.defaultChild as CfnResource)).toContain(id.slice('AwsSolutions-IAM5['.length, -1));
    expect(findings(app)).toEqual([]);
  });

  test('with a Security IR role there is no wildcard, and no wildcard acknowledgement', () => {
    const { stack, watcher } = watcherApp(() => ({ securityIrRoleArn: ROLE_ARN }));
    expect(rules.iam.IAMNoWildcardPermissions(watcher.role.node.defaultChild as CfnResource)).toBe(NagRuleCompliance.COMPLIANT);
    // The bus policy that receives the forwarded hints is not open: one account, one source.
    const busPolicy = watcher.node.findChild('ForwardedHintsPolicy') as CfnResource;
    expect(rules.eventbridge.EventBusOpenAccess(busPolicy)).toBe(NagRuleCompliance.COMPLIANT);
    expect(Object.keys(acknowledgements(stack))).toEqual(['Stack/Watcher/DeadLetterQueue']);
  });
});
