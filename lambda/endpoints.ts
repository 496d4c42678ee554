/**
 * Endpoint resolution following the AWS SDKs' service-specific endpoint convention:
 * `AWS_ENDPOINT_URL_<SERVICE_ID>`, then `AWS_ENDPOINT_URL`, then the service's default URL.
 * `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` turns both variables off, as it does in the SDKs.
 */
import { trimmedOrUndefined } from './strings';

/**
 * The endpoint a client of `serviceEnvId` should call.
 *
 * @param serviceEnvId the SDK service id in environment-variable form, e.g. `SECURITY_IR`
 *   (`Security IR` is accepted too: spaces and dashes become underscores, letters upper case)
 * @param defaultUrl the URL used when no override is configured
 * @param env the environment to read, `process.env` by default
 */
export function resolveEndpoint(serviceEnvId: string, defaultUrl: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.trim().toLowerCase() === 'true') {
    return defaultUrl;
  }
  const serviceVariable = `AWS_ENDPOINT_URL_${serviceEnvId.trim().toUpperCase().replace(/[\s-]+/g, '_')}`;
  return trimmedOrUndefined(env[serviceVariable]) ?? trimmedOrUndefined(env.AWS_ENDPOINT_URL) ?? defaultUrl;
}
