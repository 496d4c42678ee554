/**
 * The integration test's committed snapshot matches what its app synthesises now (asset hashes
 * aside), so a change to what the example stack or its assertions deploy shows in review as a
 * snapshot change (`npm run integ:snapshot`). No AWS: nothing is deployed.
 */
import { committedSnapshot, maskAssetHashes, snapshotDifferences, synthesiseSnapshot } from '../support/integ-snapshot';

const fresh = synthesiseSnapshot();

test('the snapshot holds the example stack, the assertion stack and integ.json', () => {
  expect([...committedSnapshot().keys()]).toEqual([
    'CaseWatcherIntegTestDefaultTestDeployAssert5185C551.template.json',
    'SecurityIrCaseWatcherInteg.template.json',
    'integ.json',
  ]);
  const assertions = Object.values(JSON.parse(fresh.get('CaseWatcherIntegTestDefaultTestDeployAssert5185C551.template.json')!).Resources as Record<string, { Type: string }>)
    .map((r) => r.Type).filter((type) => type.startsWith('Custom::DeployAssert@SdkCall')).sort();
  expect(assertions).toEqual([
    'Custom::DeployAssert@SdkCallCloudWatchLogsfilterLogEvents',
    'Custom::DeployAssert@SdkCallDynamoDBdescribeTable',
    'Custom::DeployAssert@SdkCallEventBridgedescribeArchive',
    'Custom::DeployAssert@SdkCallEventBridgeputEvents',
    'Custom::DeployAssert@SdkCallSchemasdescribeSchema',
  ]);
});

test('a fresh synthesis equals the committed snapshot, asset hashes aside (npm run integ:snapshot to update it)', () => {
  expect(snapshotDifferences(fresh, committedSnapshot())).toEqual([]);
});

test('the comparison catches a changed resource, a missing one and a missing file, not a new asset hash or salt', () => {
  const committed = committedSnapshot();
  const stackFile = 'SecurityIrCaseWatcherInteg.template.json';
  const template = JSON.parse(committed.get(stackFile)!);
  const [archiveId] = Object.entries(template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>).find(([, r]) => r.Type === 'AWS::Events::Archive')!;
  const [denyId] = Object.entries(template.Resources as Record<string, { Type: string; Properties: { Statement?: { Effect?: string } } }>)
    .find(([, r]) => r.Type === 'AWS::Events::EventBusPolicy' && r.Properties.Statement?.Effect === 'Deny')!;
  const changed = structuredClone(template);
  changed.Resources[archiveId].Properties.RetentionDays = 7;
  delete changed.Resources[denyId];
  const edited = new Map(committed).set(stackFile, JSON.stringify(changed));
  expect(snapshotDifferences(edited, committed)).toEqual([`${stackFile}: Resources.${archiveId}`, `${stackFile}: Resources.${denyId}`].sort());
  const withoutIntegJson = new Map(committed);
  withoutIntegJson.delete('integ.json');
  expect(snapshotDifferences(withoutIntegJson, committed)).toEqual(['integ.json: in the snapshot only']);
  const rehashed = new Map(committed).set(stackFile, committed.get(stackFile)!.replace(/\b[0-9a-f]{64}\b/, 'f'.repeat(64)));
  expect(maskAssetHashes(committed.get(stackFile)!)).not.toEqual(committed.get(stackFile)); // there is a hash to mask
  expect(snapshotDifferences(rehashed, committed)).toEqual([]);
  const assertionsFile = 'CaseWatcherIntegTestDefaultTestDeployAssert5185C551.template.json';
  const resalted = new Map(committed).set(assertionsFile, committed.get(assertionsFile)!.replace(/"salt": *"\d+"/, '"salt": "1"'));
  expect(resalted.get(assertionsFile)).not.toEqual(committed.get(assertionsFile));
  expect(snapshotDifferences(resalted, committed)).toEqual([]);
});
