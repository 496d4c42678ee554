/**
 * The few DynamoDB attribute conversions the state items need, written out: `@aws-sdk/util-dynamodb`
 * would add about 5.4 KB to a bundle kept under 392 KB for what is a dozen lines here.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export function stringOrNull(value: string | null): AttributeValue {
  return value === null ? { NULL: true } : { S: value };
}

export function numberOf(value: AttributeValue | undefined): number | undefined {
  return value?.N === undefined ? undefined : Number(value.N);
}
