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
    // A table of this app shows its key schema; an imported one has no resource here to read.
    const keys = (existing.node.defaultChild as dynamodb.CfnTable | undefined)?.keySchema;
    if (Array.isArray(keys)) {
      const types = (existing.node.defaultChild as dynamodb.CfnTable).attributeDefinitions;
      const typeOf = (name: string) => Array.isArray(types) ? (types as dynamodb.CfnTable.AttributeDefinitionProperty[]).find((d) => d.attributeName === name)?.attributeType : undefined;
      const key = (kind: string) => (keys as dynamodb.CfnTable.KeySchemaProperty[]).find((k) => k.keyType === kind);
      const describe = (kind: string) => {
        const found = key(kind);
        return found === undefined ? 'none' : `"${found.attributeName}" (${typeOf(found.attributeName)})`;
      };
      const expected = [['HASH', 'pk'], ['RANGE', 'sk']];
      if (keys.length !== 2 || expected.some(([kind, name]) => key(kind)?.attributeName !== name || typeOf(name) !== 'S')) {
        throw new ValidationError(
          'stateTable must have the string partition key "pk" and the string sort key "sk" the watcher\'s state uses, got ' +
            `${describe('HASH')} / ${describe('RANGE')}`,
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
