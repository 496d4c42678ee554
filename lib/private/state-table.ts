import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ValidationError } from './validation-error';

/** The key schema the handler reads and writes: string partition key `pk`, string sort key `sk`. */
const KEY_SCHEMA = { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING }, sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING } };

/**
 * The table the watcher keeps its state in: `existing` (the `stateTable` prop, e.g. the retained
 * table of an earlier deployment) when given, else a new one. A table of this app whose keys are not
 * the handler's is refused; an imported one cannot be inspected, which the prop's doc says.
 */
export function stateTable(
  scope: Construct,
  existing: dynamodb.ITable | undefined,
  removalPolicy: RemovalPolicy,
  key: kms.IKey | undefined,
): dynamodb.ITable {
  if (existing !== undefined) {
    if (existing instanceof dynamodb.Table) {
      const schema = existing.schema();
      const same = (a: dynamodb.Attribute | undefined, b: dynamodb.Attribute) => a?.name === b.name && a.type === b.type;
      if (!same(schema.partitionKey, KEY_SCHEMA.partitionKey) || !same(schema.sortKey, KEY_SCHEMA.sortKey)) {
        throw new ValidationError(
          `stateTable must have the string partition key "pk" and the string sort key "sk" the watcher's state uses, got ` +
            `${describeKey(schema.partitionKey)} / ${describeKey(schema.sortKey)}`,
          scope,
        );
      }
    }
    return existing;
  }
  return new dynamodb.Table(scope, 'StateTable', {
    ...KEY_SCHEMA,
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: key ? dynamodb.TableEncryption.CUSTOMER_MANAGED : dynamodb.TableEncryption.DEFAULT,
    encryptionKey: key,
    removalPolicy,
  });
}

function describeKey(attribute: dynamodb.Attribute | undefined): string {
  return attribute === undefined ? 'none' : `"${attribute.name}" (${attribute.type})`;
}
