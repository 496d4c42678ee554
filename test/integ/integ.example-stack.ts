/**
 * The example stack in a real account, in aws-cdk's integration-test convention (@aws-cdk/integ-tests-alpha):
 * deploying it (README, "Development") deploys the stack and an assertion stack whose AWS API calls
 * check what can be checked without a Security IR membership: the schedule invokes the function and its
 * log shows the poll reached Security IR and got the answer an account without membership gets; the state
 * table, the archive and a schema exist; a `PutEvents` with the watcher's source by another role of
 * the account (the assertions' own) is refused. With `-c integ:membership=true` (an account with a
 * membership), the poll succeeded and recorded its baseline in the table instead.
 *
 * `npm test` synthesises it and compares the templates with the committed snapshot
 * (`integ-snapshot.test.ts`); it never deploys.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, AppProps, Duration } from 'aws-cdk-lib';
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { CaseWatcherExampleStack } from '../../bin/example-stack';
import { CASE_STATUS_CHANGED_DETAIL_TYPE } from '../../lib/events';

export const INTEG_STACK_ID = 'SecurityIrCaseWatcherInteg';
/** The context key that says the account has a Security IR membership in the region. */
export const MEMBERSHIP_CONTEXT = 'integ:membership';

/** How long the assertions wait for the schedule's first polls (one a minute). */
const POLL_WAIT = { totalTimeout: Duration.minutes(6), interval: Duration.seconds(30) };

/**
 * The integration test's app: the example stack and its assertions, with the repository's cdk.json
 * context (what `cdk deploy` from here uses). `props` for the snapshot's synthesis (its folder).
 */
export function integApp(props: AppProps = {}): App {
  const cdkJson = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  const app = new App({ ...props, context: { ...cdkJson.context, ...props.context } });
  const stack = new CaseWatcherExampleStack(app, INTEG_STACK_ID);
  const { watcher } = stack;
  const membership = app.node.tryGetContext(MEMBERSHIP_CONTEXT) === 'true' || app.node.tryGetContext(MEMBERSHIP_CONTEXT) === true;
  const integ = new IntegTest(app, 'CaseWatcherIntegTest', { testCases: [stack] });
  const { assertions } = integ;

  // The schedule invoked the function, and the poll reached Security IR: without a membership it answers
  // SecurityIncidentResponseNotActiveException, which the function logs; with one, the poll succeeds.
  const polled = assertions.awsApiCall('CloudWatchLogs', 'filterLogEvents', {
    logGroupName: watcher.logGroup.logGroupName,
    filterPattern: membership ? '{ $.outcome = "succeeded" }' : '"SecurityIncidentResponseNotActiveException"',
    limit: 1,
  }).expect(ExpectedResult.objectLike({ events: Match.arrayWith([Match.objectLike({ logStreamName: Match.stringLikeRegexp('.+') })]) }))
    .waitForAssertions(POLL_WAIT);

  assertions.awsApiCall('DynamoDB', 'describeTable', { TableName: watcher.table.tableName })
    .expect(ExpectedResult.objectLike({ Table: { TableStatus: 'ACTIVE', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }] } }));
  if (membership) {
    // The baseline: the first successful poll recorded the listing (its meta item, and a case item per case).
    polled.next(assertions.awsApiCall('DynamoDB', 'scan', { TableName: watcher.table.tableName, Limit: 1 })
      .expect(ExpectedResult.objectLike({ Count: 1 })));
  }

  assertions.awsApiCall('EventBridge', 'describeArchive', { ArchiveName: watcher.archive!.archiveName })
    .expect(ExpectedResult.objectLike({ State: 'ENABLED', RetentionDays: 30, EventPattern: Match.serializedJson({ source: [watcher.eventSource] }) }));

  assertions.awsApiCall('Schemas', 'describeSchema', { RegistryName: watcher.schemaRegistryName!, SchemaName: watcher.schemas[0].attrSchemaName })
    .expect(ExpectedResult.objectLike({ Type: 'OpenApi3', SchemaName: watcher.schemas[0].attrSchemaName }));

  // Another role of the account forging a case event: the assertion provider's, which integ-tests allows
  // events:PutEvents on "*". The bus policy's deny refuses the entry.
  assertions.awsApiCall('EventBridge', 'putEvents', {
    Entries: [{ Source: watcher.eventSource, DetailType: CASE_STATUS_CHANGED_DETAIL_TYPE, Detail: '{"forged":true}', EventBusName: watcher.eventBus.eventBusArn }],
  }).expect(ExpectedResult.objectLike({ FailedEntryCount: 1 }));
  return app;
}

if (require.main === module) {
  integApp().synth();
}
