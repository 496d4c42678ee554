/**
 * The generated schema-registry documents (`dist/schemas`), loaded as the package ships them, and a
 * validator (ajv) of whole events against them: an event is valid when its document's `AWSEvent`
 * accepts it and its detail has exactly the fields the document names (the documents themselves
 * accept added fields, which the contract allows without a new schema version).
 *
 * Ajv 8 reads OpenAPI 3.0 Schema Objects as they are (`nullable` is one of its keywords); the
 * documents' own validity is checked against the OpenAPI 3.0 meta-schema, a draft-04 schema, with
 * ajv-draft-04 (ajv 8 reads draft-06 and later only).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { ensureEventSchemas, SCHEMA_INDEX_FILE, SchemaIndex, SCHEMAS_DIR } from '../../scripts/event-schemas/files';
import type { OpenApiDocument } from '../../scripts/event-schemas/openapi';

/** The keywords of a registry document that are not JSON Schema: EventBridge's tags and the OpenAPI document's fields. */
const DOCUMENT_KEYWORDS = ['x-amazon-events-source', 'x-amazon-events-detail-type', 'openapi', 'info', 'paths', 'components'];

export interface LoadedSchemas {
  readonly index: SchemaIndex;
  /** The documents by detail-type. */
  readonly documents: ReadonlyMap<string, OpenApiDocument>;
}

/** Reads `dir` (by default `dist/schemas`, regenerated first when stale). */
export function loadEventSchemas(dir = SCHEMAS_DIR): LoadedSchemas {
  if (dir === SCHEMAS_DIR) ensureEventSchemas();
  const index: SchemaIndex = JSON.parse(readFileSync(join(dir, SCHEMA_INDEX_FILE), 'utf8'));
  const documents = new Map(index.schemas.map((s) => [s.detailType, JSON.parse(readFileSync(join(dir, s.file), 'utf8')) as OpenApiDocument]));
  return { index, documents };
}

/** Validates whole events (the envelope a rule's target receives) against a set of documents. */
export class EventValidator {
  private readonly validators = new Map<string, { validate: ValidateFunction; fields: string[] }>();

  constructor(documents: ReadonlyMap<string, OpenApiDocument>) {
    const ajv = new Ajv({ strict: true, allErrors: true });
    addFormats(ajv, ['date-time']);
    ajv.addVocabulary(DOCUMENT_KEYWORDS);
    for (const [detailType, document] of documents) {
      const id = `urn:case-watcher-schema:${encodeURIComponent(detailType)}`;
      ajv.addSchema(document, id);
      const validate = ajv.getSchema(`${id}#/components/schemas/AWSEvent`);
      if (!validate) throw new Error(`${detailType}: the document has no components.schemas.AWSEvent`);
      const detailRef = document.components.schemas.AWSEvent.properties?.detail?.$ref ?? '';
      const detail = document.components.schemas[detailRef.replace('#/components/schemas/', '')];
      if (!detail?.properties) throw new Error(`${detailType}: AWSEvent.detail does not refer to a schema of the document`);
      this.validators.set(detailType, { validate, fields: Object.keys(detail.properties) });
    }
  }

  /** The detail-types there is a document for. */
  public get detailTypes(): string[] {
    return [...this.validators.keys()];
  }

  /** What is wrong with `event` (empty when it is valid). */
  public problems(event: Record<string, any>): string[] {
    const found = this.validators.get(event['detail-type']);
    if (!found) return [`no schema for the detail-type ${JSON.stringify(event['detail-type'])}`];
    const problems = found.validate(event) ? [] : (found.validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && 'allowedValues' in e.params ? ` ${JSON.stringify(e.params.allowedValues)}` : ''}`);
    const detail = event.detail && typeof event.detail === 'object' ? Object.keys(event.detail) : [];
    const extra = detail.filter((f) => !found.fields.includes(f));
    if (extra.length > 0) problems.push(`/detail has fields the schema does not name: ${extra.join(', ')}`);
    return problems;
  }
}

let shipped: EventValidator | undefined;

/** The validator of the shipped documents, built once per test file. */
export function shippedEventValidator(): EventValidator {
  return (shipped ??= new EventValidator(loadEventSchemas().documents));
}
