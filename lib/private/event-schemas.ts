import * as fs from 'node:fs';
import * as path from 'node:path';
import { Names, Stack, Token } from 'aws-cdk-lib';
import * as eventschemas from 'aws-cdk-lib/aws-eventschemas';
import { Construct } from 'constructs';
import { ValidationError } from './validation-error';

/**
 * Where the generated schema documents may be, relative to this file: `lib/private/` in the repository
 * (`../../dist/schemas`), `dist/lib/private/` in the published package (`../../schemas`).
 */
export const EVENT_SCHEMA_CANDIDATES: readonly string[] = [
  path.join(__dirname, '..', '..', 'dist', 'schemas'),
  path.join(__dirname, '..', '..', 'schemas'),
];

/** The file that lists the documents (written by `npm run schemas`). */
export const EVENT_SCHEMA_INDEX_FILE = 'index.json';

/** What the construct reads of `index.json`. */
interface SchemaIndex {
  readonly schemaType: string;
  /** The source the documents name; a watcher with another `eventSource` puts its own. */
  readonly defaultSource: string;
  readonly schemas: readonly { readonly detailType: string; readonly schemaName: string; readonly file: string }[];
}

/** A document shaped as EventBridge's own event schemas: the envelope names the source. */
interface SchemaDocument {
  readonly components: { readonly schemas: { readonly AWSEvent: Record<string, unknown> } };
}

/** The registry name rule EventBridge applies: 1 to 64 letters, digits, `.`, `-`, `_` or `@`. */
const REGISTRY_NAME = /^[A-Za-z0-9._@-]{1,64}$/;

/** The schemas a watcher published and the registry that holds them. */
export interface PublishedSchemas {
  readonly registryName: string;
  /** The registry the watcher created (none when `schemaRegistryName` names an existing one). */
  readonly registry?: eventschemas.CfnRegistry;
  readonly schemas: eventschemas.CfnSchema[];
}

export function validateSchemaRegistryName(scope: Construct, name: string): void {
  if (!Token.isUnresolved(name) && !REGISTRY_NAME.test(name)) {
    throw new ValidationError(`schemaRegistryName must be 1 to 64 letters, digits, ".", "-", "_" or "@", got "${name}"`, scope);
  }
}

/**
 * One `AWS::EventSchemas::Schema` (`OpenApi3`) per generated document, with `eventSource` as the
 * documents' source and in the schema names (`<source>@<DetailTypeName>`), in the registry named
 * `existingRegistryName` or in one created here.
 */
export function publishEventSchemas(scope: Construct, eventSource: string, existingRegistryName?: string): PublishedSchemas {
  const dir = locateEventSchemas();
  const index = JSON.parse(fs.readFileSync(path.join(dir, EVENT_SCHEMA_INDEX_FILE), 'utf8')) as SchemaIndex;
  const registry = existingRegistryName === undefined
    ? new eventschemas.CfnRegistry(scope, 'SchemaRegistry', {
      registryName: Names.uniqueResourceName(scope, { maxLength: 64, separator: '-', allowedSpecialCharacters: '.-_@' }),
      description: 'The events of the Security IR case watcher (generated from its event contract)',
    })
    : undefined;
  const registryName = registry?.attrRegistryName ?? existingRegistryName!;
  const stack = Stack.of(scope);
  const schemas = index.schemas.map(({ detailType, schemaName, file }) => {
    const document = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as SchemaDocument;
    const envelope = { ...document.components.schemas.AWSEvent, 'x-amazon-events-source': eventSource };
    const ours = { ...document, components: { ...document.components, schemas: { ...document.components.schemas, AWSEvent: envelope } } };
    return new eventschemas.CfnSchema(scope, `Schema${detailType.replace(/[^A-Za-z0-9]/g, '')}`, {
      registryName,
      schemaName: `${eventSource}@${schemaName.slice(schemaName.indexOf('@') + 1)}`,
      type: index.schemaType,
      content: stack.toJsonString(ours),
      description: `The ${detailType} event`,
    });
  });
  return { registryName, registry, schemas };
}

/** The first candidate directory that holds the documents; throws how to generate them if none does. */
export function locateEventSchemas(candidates: readonly string[] = EVENT_SCHEMA_CANDIDATES): string {
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, EVENT_SCHEMA_INDEX_FILE)));
  if (found === undefined) {
    throw new Error(
      `SecurityIrCaseWatcher: the event schemas (${EVENT_SCHEMA_INDEX_FILE}) were not found in ${candidates.join(' or ')}. ` +
        'Run `npm run schemas` (or `npm run build`) first, or set publishSchemas: false.',
    );
  }
  return found;
}
