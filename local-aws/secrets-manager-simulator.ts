/**
 * Local stand-in for AWS Secrets Manager `GetSecretValue` (awsJson1_1, SigV4 signing name
 * `secretsmanager`): secrets named by name or ARN, `ResourceNotFoundException` for any other.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { TEST_ACCOUNT_ID, TEST_CREDENTIALS, TEST_REGION } from './credentials';
import { FaultInjector } from './faults';
import { AccessKey, AwsServiceError, awsJsonProtocol, jsonResponse, parseJsonBody, RecordedCall, recordedCall, startAwsSimServer } from './http-server';

export interface SecretsManagerSimulator {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Action 'secretsmanager:GetSecretValue'. */
  readonly calls: RecordedCall[];
  readonly faults: FaultInjector;
  /** Stores (or replaces) a secret's string value; returns its ARN (with the random suffix Secrets Manager adds). */
  putSecret(name: string, value: string): string;
  /** Forgets a secret: a later read is `ResourceNotFoundException`. */
  deleteSecret(name: string): void;
  close(): Promise<void>;
}

const TARGET = 'secretsmanager.GetSecretValue';
const CONTENT_TYPE = 'application/x-amz-json-1.1';

interface StoredSecret {
  readonly name: string;
  readonly arn: string;
  value: string;
  versionId: string;
}

export async function startSecretsManagerSimulator(opts: { credentials?: AccessKey[] } = {}): Promise<SecretsManagerSimulator> {
  const calls: RecordedCall[] = [];
  const faults = new FaultInjector();
  const secrets = new Map<string, StoredSecret>();
  const find = (id: string) => [...secrets.values()].find((s) => s.name === id || s.arn === id);

  const server = await startAwsSimServer({
    service: 'secretsmanager',
    credentials: opts.credentials ?? [TEST_CREDENTIALS],
    protocol: awsJsonProtocol('1.1'),
    faults,
    operationOf: (req) => (req.method === 'POST' && req.path === '/' && req.headers['x-amz-target'] === TARGET ? 'GetSecretValue' : undefined),
    handle: (req) => {
      if (!String(req.headers['content-type'] ?? '').startsWith(CONTENT_TYPE)) {
        throw new AwsServiceError(400, 'SerializationException', `Content-Type must be ${CONTENT_TYPE}`);
      }
      const body = parseJsonBody(req) as { SecretId?: unknown };
      if (typeof body.SecretId !== 'string' || body.SecretId.length === 0 || body.SecretId.length > 2048) {
        throw new AwsServiceError(400, 'InvalidParameterException', 'SecretId must be a string of 1 to 2048 characters');
      }
      const secret = find(body.SecretId);
      if (secret === undefined) {
        throw new AwsServiceError(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
      }
      return jsonResponse(200, {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: secret.versionId,
        SecretString: secret.value,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: Date.now() / 1000,
      }, CONTENT_TYPE);
    },
    record: (outcome) => calls.push(recordedCall(outcome, 'secretsmanager')),
  });

  return {
    url: server.url,
    calls,
    faults,
    putSecret(name, value) {
      const existing = secrets.get(name);
      if (existing) {
        existing.value = value;
        existing.versionId = randomUUID();
        return existing.arn;
      }
      const arn = `arn:aws:secretsmanager:${TEST_REGION}:${TEST_ACCOUNT_ID}:secret:${name}-${randomBytes(6).toString('base64url').replace(/[-_]/g, 'x').slice(0, 6)}`;
      secrets.set(name, { name, arn, value, versionId: randomUUID() });
      return arn;
    },
    deleteSecret(name) {
      secrets.delete(name);
    },
    close: () => server.close(),
  };
}
