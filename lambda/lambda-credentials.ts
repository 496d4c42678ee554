/**
 * The credential chain of the bundled handler, put in place of the SDK's default chain
 * (`@aws-sdk/credential-provider-node`) by `scripts/bundle.mjs`: Lambda hands a function its role's
 * credentials in environment variables (or, where it uses a credentials endpoint, through
 * `AWS_CONTAINER_CREDENTIALS_*`). Profiles, SSO, `credential_process`, web identity and instance
 * metadata never apply there, and leaving them out keeps about 81 KiB out of the bundle.
 * It exports what the SDK imports from the module it replaces: `defaultProvider`.
 */
import { createCredentialChain, fromEnv, fromHttp } from '@aws-sdk/credential-providers';
import { doesIdentityRequireRefresh, isIdentityExpired, memoizeIdentityProvider } from '@smithy/core';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * Credentials from the environment, else from the container credentials endpoint; kept until
 * shortly before they expire (as the SDK's chain keeps them: a client asks on every request).
 */
export function defaultProvider(init: Parameters<typeof fromHttp>[0] = {}): AwsCredentialIdentityProvider {
  return keptUntilExpiry(createCredentialChain(fromEnv(init), fromHttp(init)));
}

/** `provider`'s credentials, asked again only shortly before they expire. */
export function keptUntilExpiry(provider: AwsCredentialIdentityProvider): AwsCredentialIdentityProvider {
  return memoizeIdentityProvider(provider, isIdentityExpired, doesIdentityRequireRefresh)!;
}
