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
  /** `fix`: wrong, to be fixed in the construct; `accepted`: AWS's own policies do the same. */
  readonly status: 'fix' | 'accepted';
  readonly reason: string;
}

export const KNOWN_FINDINGS: readonly KnownFinding[] = [
  {
    where: /AWS::IAM::Role \S*ServiceRole\S* identity statement PutCaseEvents/,
    problem: /^StringEquals events:(source|detail-type): .* is multivalued \(ArrayOfString\)/,
    status: 'fix',
    reason:
      'The Service Authorization Reference types events:source and events:detail-type as ArrayOfString (one PutEvents ' +
      'carries up to 10 entries), and IAM requires a set operator on a multivalued key: iam-simulate evaluates the ' +
      'synthesised StringEquals as matching no request, so the watcher\'s PutEvents is denied there. ' +
      'ForAllValues:StringEquals is right whether EventBridge authorises per entry or per call (the EventBridge guide\'s ' +
      'cross-account example uses it); the evaluation test shows the fixed statement allows every recorded call.',
  },
  {
    where: /AWS::Events::EventBusPolicy \S*ForwardedHintsPolicy\S* resource statement AllowSecurityIrCaseEventsFromTheMembershipAccount/,
    problem: /^StringEquals events:(source|detail-type): .* is multivalued \(ArrayOfString\)/,
    status: 'fix',
    reason:
      'Same key types on the bus policy that lets the membership account\'s forwarder deliver Security IR\'s events: ' +
      'under IAM\'s rules the StringEquals never matches, so the cross-account fast path would be refused; ' +
      'ForAllValues:StringEquals (as in the EventBridge guide\'s cross-account example).',
  },
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
