import { Arn, ArnFormat, Aws, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { validateRegion, validateRoleArn } from './validation';

/** Whose cases a watcher lists, worked out once from its props and its stack. */
export interface WatchedScope {
  /** The account whose cases are watched: the role's, else this stack's. */
  readonly account: string;
  /** The region whose cases are watched. */
  readonly region: string;
  /** The role the function assumes to read the cases, when set. */
  readonly roleArn?: string;
  /** Whether the role's account is (or may be, with tokens) another than this stack's. */
  readonly crossAccount: boolean;
  /** Whether the cases are (or may be) in another account or region than this stack: their hints are there. */
  readonly elsewhere: boolean;
  /** Every case of the watched account and region, as an IAM resource. */
  readonly caseArnPattern: string;
  /** The scope in words, for warnings: "account 444455556666, region eu-west-1". */
  readonly description: string;
}

export function watchedScope(scope: Construct, securityIrRoleArn: string | undefined, securityIrRegion: string | undefined): WatchedScope {
  const stack = Stack.of(scope);
  validateRoleArn(scope, securityIrRoleArn);
  const region = securityIrRegion ?? stack.region;
  validateRegion(scope, 'securityIrRegion', region);
  const account = securityIrRoleArn === undefined ? stack.account : Arn.split(securityIrRoleArn, ArnFormat.SLASH_RESOURCE_NAME).account!;
  const crossAccount = securityIrRoleArn !== undefined
    && (Token.isUnresolved(stack.account) || Token.isUnresolved(account) || account !== stack.account);
  const accountWords = securityIrRoleArn === undefined ? 'this account' : `account ${account}`;
  return {
    account,
    region,
    roleArn: securityIrRoleArn,
    crossAccount,
    elsewhere: crossAccount || region !== stack.region,
    caseArnPattern: `arn:${Aws.PARTITION}:security-ir:${region}:${account}:case/*`,
    description: `${accountWords}, region ${Token.isUnresolved(region) ? 'set at deploy time' : region}`,
  };
}
