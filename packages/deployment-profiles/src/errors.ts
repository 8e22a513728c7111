import { describeValue } from '@12-factor-agentops/core';

/** A tier id that is not one of the three profiles. `field` is the path of the value (`tier`, `endpoints[3].tier`). */
export class UnknownTier extends Error {
  override readonly name = 'UnknownTier';
  constructor(
    readonly field: string,
    readonly received: unknown,
    known: readonly string[],
  ) {
    super(`${field}: ${describeValue(received)} is not a deployment tier; use one of ${known.join(', ')}.`);
  }
}

/** A sensitivity label that is not in the lattice PUBLIC < INTERNAL < RESTRICTED. */
export class UnknownLabel extends Error {
  override readonly name = 'UnknownLabel';
  constructor(
    readonly field: string,
    readonly received: unknown,
  ) {
    super(`${field}: ${describeValue(received)} is not a label of the lattice; use PUBLIC, INTERNAL or RESTRICTED (upper case).`);
  }
}

/** A routing request that is not plain data of the expected shape; `field` names the part. */
export class InvalidRouteRequest extends Error {
  override readonly name = 'InvalidRouteRequest';
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}.`);
  }
}

/** One problem in a catalogue entry or a data file, at a field path such as `endpoints[3].clearance`. */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** A model endpoint catalogue the router refuses to use; lists every problem found, each with its field path. */
export class InvalidCatalogue extends Error {
  override readonly name = 'InvalidCatalogue';
  constructor(readonly issues: readonly FieldIssue[]) {
    super(`the endpoint catalogue is not usable; fix each entry and load it again:\n${issues.map((issue) => `  ${issue.path}: ${issue.message}`).join('\n')}`);
  }
}

/** The profiles data kept in this package does not match its JSON Schema (a packaging defect, not user input). */
export class ProfilesDataInvalid extends Error {
  override readonly name = 'ProfilesDataInvalid';
  constructor(
    readonly file: string,
    readonly issues: readonly FieldIssue[],
  ) {
    super(`${file} does not match schema/deployment-profiles.schema.json:\n${issues.map((issue) => `  ${issue.path || '(document)'}: ${issue.message}`).join('\n')}`);
  }
}

/** Why a file is not a resource at all: broken YAML, an alias expansion refused, or a schema violation. */
export type ResourceProblemKind = 'yaml-syntax' | 'yaml-aliases' | 'schema';

/** One problem in a resource file, with its line (1-based) and field path (`''` for the whole document). */
export interface ResourceIssue {
  readonly kind: ResourceProblemKind;
  readonly path: string;
  readonly line: number;
  readonly message: string;
}

/**
 * A YAML file that is not a valid resource of its kind (`AgentDeployment` or `Agent`): not
 * YAML, an alias expansion past the limit, or a field its CustomResourceDefinition refuses.
 * Each issue reads `source:line: field.path: message`.
 */
export class ResourceFileInvalid extends Error {
  override readonly name = 'ResourceFileInvalid';
  constructor(
    readonly source: string,
    readonly kind: string,
    readonly issues: readonly ResourceIssue[],
  ) {
    super(
      `${source}: not a valid ${kind}:\n` +
        issues.map((issue) => `  ${source}:${issue.line}: ${issue.path === '' ? '(document)' : issue.path}: ${issue.message}`).join('\n'),
    );
  }
}
