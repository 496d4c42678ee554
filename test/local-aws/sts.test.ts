import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { SecurityIrClient } from '../../lambda/security-ir-client';
import { TEST_CREDENTIALS, TEST_REGION } from '../../local-aws/credentials';
import { AccessKey } from '../../local-aws/http-server';
import { startSecurityIrSimulator, SecurityIrSimulator } from '../../local-aws/security-ir-simulator';
import { startStsSimulator, StsSimulator } from '../../local-aws/sts-simulator';

const ROLE_ARN = 'arn:aws:iam::444455556666:role/SecurityIrReader';

describe('STS simulator: the cross-account path runs on keys it issues', () => {
  let sts: StsSimulator;
  let securityIr: SecurityIrSimulator;
  const acceptedBySecurityIr: AccessKey[] = [];

  beforeEach(async () => {
    acceptedBySecurityIr.length = 0;
    sts = await startStsSimulator({ assumableRoleArns: [ROLE_ARN], grantTo: acceptedBySecurityIr });
    securityIr = await startSecurityIrSimulator({ accountId: '444455556666', credentials: acceptedBySecurityIr });
    securityIr.addCase();
  });
  afterEach(async () => {
    await Promise.all([sts.close(), securityIr.close()]);
  });

  function clientAssuming(roleArn: string): SecurityIrClient {
    return new SecurityIrClient({
      region: TEST_REGION,
      endpoint: securityIr.url,
      maxAttempts: 1,
      credentials: fromTemporaryCredentials({
        params: { RoleArn: roleArn, RoleSessionName: 'case-watcher-test' },
        clientConfig: { region: TEST_REGION, endpoint: sts.url, credentials: TEST_CREDENTIALS },
      }),
    });
  }

  test('the SDK assumes the role with its own STS client, and Security IR accepts the temporary keys', async () => {
    const page = await clientAssuming(ROLE_ARN).listCases();

    expect(page.items).toHaveLength(1);
    expect(sts.calls.map((c) => [c.action, c.status, c.accessKeyId])).toEqual([['sts:AssumeRole', 200, TEST_CREDENTIALS.accessKeyId]]);
    expect(sts.issued).toHaveLength(1);
    expect(sts.issued[0]).toMatchObject({ roleArn: ROLE_ARN, roleSessionName: 'case-watcher-test' });
    expect(securityIr.calls.map((c) => [c.action, c.status, c.accessKeyId])).toEqual([['security-ir:ListCases', 200, sts.issued[0].accessKeyId]]);
  });

  test('the caller\'s own keys are not accepted by a Security IR that only trusts the role', async () => {
    const direct = new SecurityIrClient({ region: TEST_REGION, endpoint: securityIr.url, maxAttempts: 1, credentials: async () => TEST_CREDENTIALS });
    await expect(direct.listCases()).rejects.toMatchObject({ statusCode: 403 });
  });

  test('a role that may not be assumed is AccessDenied, and no keys are issued', async () => {
    await expect(clientAssuming('arn:aws:iam::444455556666:role/Other').listCases()).rejects.toThrow(/not authorized to perform: sts:AssumeRole/);
    expect(sts.issued).toHaveLength(0);
    expect(sts.calls.map((c) => c.status)).toEqual([403]);
  });
});
