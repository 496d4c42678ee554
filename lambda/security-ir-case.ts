/**
 * A case as `ListCases` returns it: what the Security IR client parses a listing into and what
 * change detection compares. A module of its own, holding only the type, so that change detection
 * can read it without depending on the client.
 */

/** Enums are plain strings: values unknown today pass through. */
export interface SecurityIrCase {
  readonly caseId: string;
  readonly caseArn?: string;
  readonly title?: string;
  readonly caseStatus?: string;
  readonly pendingAction?: string;
  readonly engagementType?: string;
  readonly resolverType?: string;
  readonly createdDate?: Date;
  readonly lastUpdatedDate?: Date;
  readonly closedDate?: Date;
}
