/**
 * Local stand-in for AWS STS `AssumeRole` (awsQuery protocol, SigV4 signing name `sts`), so the
 * cross-account path of the watcher (SECURITY_IR_ROLE_ARN) runs for real: the handler assumes the
 * role here, and the Security IR simulator accepts only the temporary keys this server issued.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { TEST_CREDENTIALS } from './credentials';
import { FaultInjector } from './faults';
import { AccessKey, AwsServiceError, AwsSimServer, awsQueryProtocol, escapeXml, queryFormOf, RecordedCall, recordedCall, SimResponse, startAwsSimServer } from './http-server';

export interface IssuedCredentials extends AccessKey {
  readonly sessionToken: string;
  readonly roleArn: string;
  readonly roleSessionName: string;
}

export interface StsSimulator {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Action 'sts:AssumeRole'. */
  readonly calls: RecordedCall[];
  readonly faults: FaultInjector;
  /** Every set of temporary credentials issued, in order. */
  readonly issued: IssuedCredentials[];
  close(): Promise<void>;
}

export interface StsSimulatorOptions {
  /** Roles that may be assumed; any other RoleArn is AccessDenied. */
  readonly assumableRoleArns: readonly string[];
  /** Keys allowed to call AssumeRole. @default [TEST_CREDENTIALS] */
  readonly credentials?: AccessKey[];
  /**
   * Where issued keys are added, so that another simulator (started with this same array as its
   * `credentials`) accepts them. @default a private list
   */
  readonly grantTo?: AccessKey[];
}

const XML_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

export async function startStsSimulator(opts: StsSimulatorOptions): Promise<StsSimulator> {
  const calls: RecordedCall[] = [];
  const issued: IssuedCredentials[] = [];
  const faults = new FaultInjector();
  const grantTo = opts.grantTo ?? [];
  const server: AwsSimServer = await startAwsSimServer({
    service: 'sts',
    credentials: opts.credentials ?? [TEST_CREDENTIALS],
    protocol: awsQueryProtocol(XML_NS),
    faults,
    operationOf: (req) => (req.method === 'POST' ? queryFormOf(req).get('Action') ?? undefined : undefined),
    handle: (req, operation) => {
      if (operation !== 'AssumeRole') {
        throw new AwsServiceError(400, 'InvalidAction', `Could not find operation ${operation}`);
      }
      return assumeRole(queryFormOf(req));
    },
    record: (outcome) => calls.push(recordedCall(outcome, 'sts')),
  });

  function assumeRole(form: URLSearchParams): SimResponse {
    const roleArn = form.get('RoleArn') ?? '';
    const roleSessionName = form.get('RoleSessionName') ?? '';
    if (!/^[\w+=,.@-]{2,64}$/.test(roleSessionName)) {
      throw new AwsServiceError(400, 'ValidationError', 'RoleSessionName must be 2 to 64 characters of [\\w+=,.@-]');
    }
    if (!opts.assumableRoleArns.includes(roleArn)) {
      throw new AwsServiceError(403, 'AccessDenied', `User is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    }
    const credentials: IssuedCredentials = {
      accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(20).toString('base64'),
      sessionToken: randomBytes(32).toString('base64'),
      roleArn,
      roleSessionName,
    };
    issued.push(credentials);
    grantTo.push(credentials);
    const [, , , , account, resource] = roleArn.split(':');
    const roleName = resource.split('/').pop();
    const expiration = new Date(Date.now() + 3600_000).toISOString();
    return {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body: `<AssumeRoleResponse xmlns="${XML_NS}"><AssumeRoleResult>`
        + `<Credentials><AccessKeyId>${credentials.accessKeyId}</AccessKeyId><SecretAccessKey>${escapeXml(credentials.secretAccessKey)}</SecretAccessKey>`
        + `<SessionToken>${escapeXml(credentials.sessionToken)}</SessionToken><Expiration>${expiration}</Expiration></Credentials>`
        + `<AssumedRoleUser><AssumedRoleId>AROA${account}:${escapeXml(roleSessionName)}</AssumedRoleId>`
        + `<Arn>arn:aws:sts::${account}:assumed-role/${escapeXml(roleName ?? '')}/${escapeXml(roleSessionName)}</Arn></AssumedRoleUser>`
        + `</AssumeRoleResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    };
  }

  return { url: server.url, calls, faults, issued, close: () => server.close() };
}
