/**
 * What the checks against AWS's own data found in the construct's policies and what was decided,
 * one entry per finding: the reference test fails on any finding not listed here, and on an entry
 * that no longer matches a finding (so the list shrinks as the construct is fixed).
 */
export interface KnownFinding {
  /** Matches the finding's place (`<type> <logical ID> <kind> statement <Sid>`). */
  readonly where: RegExp;
  /** Matches its problem text. */
  readonly problem: RegExp;
  /**
   * `fix`: wrong, to be fixed in the construct; `accepted`: AWS's own policies do the same. (Fixed so far: the
   * `StringEquals` on the multivalued `events:source` / `events:detail-type` of the watcher role's `PutCaseEvents`
   * and of the forwarded-hints bus policy, now `ForAllValues:StringEquals`.)
   */
  readonly status: 'fix' | 'accepted';
  readonly reason: string;
}

export const KNOWN_FINDINGS: readonly KnownFinding[] = [
  {
    where: /AWS::KMS::Key \S+ resource statement AllowCloudWatchLogsForCaseWatcher/,
    problem: /^ArnLike kms:EncryptionContext:aws:logs:arn: ArnLike does not compare String values/,
    status: 'accepted',
    reason:
      'The reference types kms:EncryptionContext:${EncryptionContextKey} as String, while AWS itself compares ' +
      'kms:EncryptionContext:aws:logs:arn with ArnLike (the AWS managed policy CloudWatchLogsAPIKeyAccess) and the ' +
      'CloudWatch Logs guide to encrypting log groups with ArnEquals / ArnLike: kept.',
  },
];
