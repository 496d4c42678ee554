/**
 * The event contract as EventBridge schema-registry documents: one OpenAPI 3.0 document per
 * detail-type, in the shape AWS gives its own services' events (and schema discovery infers):
 * `components.schemas.AWSEvent` is the whole event envelope, tagged with `x-amazon-events-source`
 * and `x-amazon-events-detail-type`, whose `detail` refers to the detail's own schema, named after
 * the contract's interface (the class name code bindings generate).
 *
 * OpenAPI 3.0 rather than JSON Schema draft 4 because the registry's consumers read that shape: the
 * AWS SAM CLI's schema-based templates look the event up under `components.schemas.AWSEvent`, and a
 * field that may be null is `nullable: true` there, where draft 4 needs a type array
 * (`["string", "null"]`) that OpenAPI-based generators do not read.
 */
import { ContractField, detailFields, EventContract, FieldType } from './contract-reader';

/** The registry's name for the format (`AWS::EventSchemas::Schema` `Type`). */
export const SCHEMA_TYPE = 'OpenApi3';

/** The envelope fields EventBridge puts around every event, all always present. */
const ENVELOPE_REQUIRED = ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail'];

export interface EventSchemaDocument {
  readonly detailType: string;
  /** The detail's interface and schema component name, e.g. `CaseStatusChangedDetail`. */
  readonly detailInterface: string;
  /** The registry name for the default source, e.g. `security-ir.case-watcher@SecurityIRCaseStatusChanged`. */
  readonly schemaName: string;
  /** The file name in `dist/schemas`, e.g. `security-ir-case-status-changed.json`. */
  readonly fileName: string;
  readonly document: OpenApiDocument;
}

export interface OpenApiDocument {
  readonly openapi: '3.0.0';
  readonly info: { readonly version: string; readonly title: string; readonly description: string };
  readonly paths: Record<string, never>;
  readonly components: { readonly schemas: Record<string, SchemaObject> };
}

/** The subset of the OpenAPI 3.0 Schema Object these documents use. */
export interface SchemaObject {
  readonly type?: 'object' | 'string' | 'number' | 'boolean' | 'array';
  readonly description?: string;
  readonly nullable?: boolean;
  readonly enum?: readonly (string | number | boolean | null)[];
  readonly format?: string;
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly required?: readonly string[];
  readonly properties?: Record<string, SchemaObject>;
  readonly items?: SchemaObject;
  readonly $ref?: string;
  readonly 'x-amazon-events-source'?: string;
  readonly 'x-amazon-events-detail-type'?: string;
}

/** `Security IR Case Status Changed` -> `SecurityIRCaseStatusChanged` (the registry's naming of AWS events). */
export function schemaNameSuffix(detailType: string): string {
  return detailType.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}

/** The registry documents of every detail-type of `contract`, in the contract's order. */
export function eventSchemaDocuments(contract: EventContract): EventSchemaDocument[] {
  return contract.detailTypes.map(({ detailType, detailInterface }) => {
    const detail = detailSchema(contract, detailInterface);
    const document: OpenApiDocument = {
      openapi: '3.0.0',
      info: {
        version: `${contract.schemaVersion}.0.0`,
        title: schemaNameSuffix(detailType),
        description: `The \`${detailType}\` event of the Security IR case watcher (detail schema version ${contract.schemaVersion}).`,
      },
      paths: {},
      components: {
        schemas: {
          AWSEvent: {
            'type': 'object',
            'required': ENVELOPE_REQUIRED,
            'x-amazon-events-detail-type': detailType,
            'x-amazon-events-source': contract.defaultSource,
            'properties': {
              'version': { type: 'string' },
              'id': { type: 'string' },
              'detail-type': { type: 'string', enum: [detailType] },
              'source': { type: 'string' },
              'account': { type: 'string' },
              'time': { type: 'string', format: 'date-time' },
              'region': { type: 'string' },
              'resources': { type: 'array', items: { type: 'string' } },
              'detail': { $ref: `#/components/schemas/${detailInterface}` },
            },
          },
          [detailInterface]: detail,
        },
      },
    };
    return {
      detailType,
      detailInterface,
      schemaName: `${contract.defaultSource}@${schemaNameSuffix(detailType)}`,
      fileName: `${detailType.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean).join('-')}.json`,
      document,
    };
  });
}

/**
 * The detail's schema: every field required (the contract's "always present"), `nullable` where the
 * type admits null. Unknown properties are not refused, because new fields are added without a new
 * schema version; the suite checks the exact set of fields separately.
 */
function detailSchema(contract: EventContract, detailInterface: string): SchemaObject {
  const fields = detailFields(contract, detailInterface);
  const doc = contract.interfaces[detailInterface].doc;
  return {
    type: 'object',
    ...(doc ? { description: doc } : {}),
    required: fields.map((f) => f.name),
    properties: Object.fromEntries(fields.map((f) => [f.name, fieldSchema(f)])),
  };
}

function fieldSchema(field: ContractField): SchemaObject {
  const literals = field.types.filter((t): t is Extract<FieldType, { kind: 'literal' }> => t.kind === 'literal');
  const type = literals.length > 0 ? (typeof literals[0].value as 'string' | 'number' | 'boolean') : (field.types[0].kind as 'string' | 'number' | 'boolean');
  return {
    type,
    ...(field.doc ? { description: field.doc } : {}),
    ...(field.nullable ? { nullable: true } : {}),
    ...(literals.length > 0 ? { enum: [...literals.map((l) => l.value), ...(field.nullable ? [null] : [])] } : {}),
    ...field.constraints,
  };
}
