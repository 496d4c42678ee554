/**
 * The one identity every local stand-in accepts and every test, the demo and the bench sign with.
 * Nothing here is a real AWS secret: the simulators only ever listen on 127.0.0.1.
 */

/** Access key pair the simulators know (verified with SigV4 like AWS would). */
export const TEST_CREDENTIALS: { accessKeyId: string; secretAccessKey: string } = {
  accessKeyId: 'AKIDLOCALTEST',
  secretAccessKey: 'local-test-secret',
};

export const TEST_REGION = 'us-east-1';
export const TEST_ACCOUNT_ID = '111122223333';

/**
 * Environment for a process (or `process.env`) that points every AWS client at the local stand-ins,
 * using the SDK's own `AWS_ENDPOINT_URL_<SERVICE_ID>` convention. Endpoints left out are not set.
 */
export function localAwsEnv(endpoints: { securityIr?: string; eventBridge?: string; dynamoDb?: string }): Record<string, string> {
  const env: Record<string, string> = {
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_REGION: TEST_REGION,
  };
  if (endpoints.securityIr) env.AWS_ENDPOINT_URL_SECURITY_IR = endpoints.securityIr;
  if (endpoints.eventBridge) env.AWS_ENDPOINT_URL_EVENTBRIDGE = endpoints.eventBridge;
  if (endpoints.dynamoDb) env.AWS_ENDPOINT_URL_DYNAMODB = endpoints.dynamoDb;
  return env;
}
