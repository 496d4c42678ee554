/**
 * The generated schema files: `dist/schemas/<detail-type>.json` (one OpenAPI 3.0 document per
 * detail-type) and `dist/schemas/index.json`, which lists them for the construct and for tools.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readEventContract } from './contract-reader';
import { eventSchemaDocuments, SCHEMA_TYPE } from './openapi';

const REPO_ROOT = join(__dirname, '..', '..');
export const CONTRACT_FILE = join(REPO_ROOT, 'lib', 'events.ts');
export const SCHEMAS_DIR = join(REPO_ROOT, 'dist', 'schemas');
export const SCHEMA_INDEX_FILE = 'index.json';

/** What `index.json` holds. */
export interface SchemaIndex {
  /** `AWS::EventSchemas::Schema` `Type` of every document. */
  readonly schemaType: string;
  readonly schemaVersion: number;
  /** The source the documents' `x-amazon-events-source` names; a watcher with another `eventSource` replaces it. */
  readonly defaultSource: string;
  readonly schemas: readonly { readonly detailType: string; readonly detailInterface: string; readonly schemaName: string; readonly file: string }[];
}

/** Generates the documents from `contractFile` into `outDir` (emptied first); returns the files written. */
export function writeEventSchemas(contractFile = CONTRACT_FILE, outDir = SCHEMAS_DIR): string[] {
  const contract = readEventContract(readFileSync(contractFile, 'utf8'), contractFile);
  const documents = eventSchemaDocuments(contract);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const { fileName, document } of documents) writeFileSync(join(outDir, fileName), `${JSON.stringify(document, null, 2)}\n`);
  const index: SchemaIndex = {
    schemaType: SCHEMA_TYPE,
    schemaVersion: contract.schemaVersion,
    defaultSource: contract.defaultSource,
    schemas: documents.map((d) => ({ detailType: d.detailType, detailInterface: d.detailInterface, schemaName: d.schemaName, file: d.fileName })),
  };
  writeFileSync(join(outDir, SCHEMA_INDEX_FILE), `${JSON.stringify(index, null, 2)}\n`);
  return [...documents.map((d) => d.fileName), SCHEMA_INDEX_FILE];
}

/** What the files are made of: the contract and the generator's own sources. */
function generatorInputs(contractFile: string): string[] {
  return [contractFile, ...readdirSync(__dirname).filter((f) => f.endsWith('.ts')).map((f) => join(__dirname, f))];
}

/** Regenerates the files when the index is missing or older than the contract or the generator. */
export function ensureEventSchemas(contractFile = CONTRACT_FILE, outDir = SCHEMAS_DIR): void {
  const index = join(outDir, SCHEMA_INDEX_FILE);
  const newestInput = Math.max(...generatorInputs(contractFile).map((f) => statSync(f).mtimeMs));
  if (existsSync(index) && statSync(index).mtimeMs >= newestInput) return;
  writeEventSchemas(contractFile, outDir);
}
