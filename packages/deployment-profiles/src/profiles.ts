import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { ProfilesDataInvalid, UnknownTier } from './errors.ts';
import type { FieldIssue } from './errors.ts';
import { LABELS } from './labels.ts';
import type { Label } from './labels.ts';
import { schemaIssues } from './schema-issues.ts';

/** The three tiers, most constrained first. `src/deployment-profiles.json` holds one profile for each. */
export const TIER_IDS = ['disconnected-edge', 'internal-datacenter', 'connected'] as const;
export type TierId = (typeof TIER_IDS)[number];

export type Network = 'none' | 'internal' | 'internet';
export type EndpointKind = 'self-hosted' | 'hosted-api';
export type RegistryKind = 'site-local' | 'internal-mirror' | 'public';
export type UpdateChannel = 'transfer-media' | 'internal-mirror' | 'public-registry';
export type TelemetryDestination = 'on-site' | 'internal' | 'external';
export type ServingId = 'llama.cpp' | 'ollama' | 'vllm' | 'sglang' | 'hosted-api';

/** A model server a profile may name, with its public project page (null for a hosted API). */
export interface ServingSoftware {
  readonly id: ServingId;
  readonly name: string;
  readonly url: string | null;
  readonly fit: string;
}

/** Hardware of a public specification, used by the fit table; memory as the vendor states it, read as 10^9 bytes. */
export interface ReferenceHardware {
  readonly accelerator: string;
  readonly count: number;
  readonly memoryGBEach: number;
  readonly sources: readonly string[];
}

/** One deployment tier: what a deployment in it may reach, hold, run and send, and what fails first. */
export interface DeploymentProfile {
  readonly id: TierId;
  readonly tier: 1 | 2 | 3;
  readonly name: string;
  readonly network: Network;
  /** Tiers whose endpoints a caller in this tier may call, its own first, in order of preference; the boundary no route or fallback crosses. */
  readonly reaches: readonly TierId[];
  /** The highest label data in this tier, and any endpoint in it, may carry. */
  readonly clearanceCeiling: Label;
  readonly hardware: {
    readonly class: string;
    /** Accelerators one deployment may declare; null when the profile sets no limit. */
    readonly maxAccelerators: number | null;
    readonly reference: ReferenceHardware | null;
  };
  readonly serving: readonly ServingId[];
  readonly endpointKinds: readonly EndpointKind[];
  readonly registries: readonly RegistryKind[];
  readonly imagePinning: 'digest' | 'tag-or-digest';
  readonly updateChannels: readonly UpdateChannel[];
  readonly telemetryDestinations: readonly TelemetryDestination[];
  readonly firstFailure: string;
  readonly agentResponse: string;
}

/** The whole profiles file: the label lattice, the serving software and the three profiles. */
export interface ProfilesData {
  readonly labels: readonly Label[];
  readonly servingSoftware: readonly ServingSoftware[];
  readonly profiles: readonly DeploymentProfile[];
}

/** Where the data and its JSON Schema live, for tools (such as a doc check) that read them directly. */
export const PROFILES_PATH = fileURLToPath(new URL('./deployment-profiles.json', import.meta.url));
export const PROFILES_SCHEMA_PATH = fileURLToPath(new URL('../schema/deployment-profiles.schema.json', import.meta.url));

const NETWORK_ORDER: readonly Network[] = ['none', 'internal', 'internet'];

/** True when a deployment that uses `network` stays within a profile whose widest network is `allowed`. */
export function networkWithin(network: Network, allowed: Network): boolean {
  return NETWORK_ORDER.indexOf(network) <= NETWORK_ORDER.indexOf(allowed);
}

export function isTierId(value: unknown): value is TierId {
  return typeof value === 'string' && (TIER_IDS as readonly string[]).includes(value);
}

/** Returns `value` as a `TierId`, or throws `UnknownTier` naming `field`. */
export function parseTier(value: unknown, field: string): TierId {
  if (isTierId(value)) return value;
  throw new UnknownTier(field, value, TIER_IDS);
}

let cached: { data: ProfilesData; byId: ReadonlyMap<TierId, DeploymentProfile> } | undefined;

/** The profiles kept in this package, validated against their schema on first use and frozen. */
export function deploymentProfiles(): ProfilesData {
  return loaded().data;
}

/** The profile of one tier. */
export function profileFor(tier: TierId): DeploymentProfile {
  const profile = loaded().byId.get(tier);
  if (profile === undefined) throw new UnknownTier('tier', tier, TIER_IDS);
  return profile;
}

function loaded(): { data: ProfilesData; byId: ReadonlyMap<TierId, DeploymentProfile> } {
  if (cached === undefined) {
    const data = validateProfilesData(JSON.parse(readFileSync(PROFILES_PATH, 'utf8')), 'src/deployment-profiles.json');
    cached = { data, byId: new Map(data.profiles.map((profile) => [profile.id, profile])) };
  }
  return cached;
}

let validateSchema: ReturnType<Ajv['compile']> | undefined;

/**
 * Checks profiles data against `schema/deployment-profiles.schema.json` and against the rules
 * a schema cannot say: one profile per tier in order, each tier reaching itself, a
 * network-less tier that sends and fetches nothing off site, and no serving software or
 * endpoint kind that contradicts another field. Returns a frozen copy; throws
 * `ProfilesDataInvalid` listing every problem with its field path.
 */
export function validateProfilesData(value: unknown, file: string): ProfilesData {
  validateSchema ??= new Ajv({ allErrors: true, strict: true, verbose: true }).compile(JSON.parse(readFileSync(PROFILES_SCHEMA_PATH, 'utf8')) as object);
  if (!validateSchema(value)) throw new ProfilesDataInvalid(file, schemaIssues(validateSchema.errors ?? []));
  const data = value as ProfilesData;
  const issues: FieldIssue[] = [];
  if (data.labels.some((label, index) => label !== LABELS[index])) {
    issues.push({ path: 'labels', message: `must list the lattice lowest first: ${LABELS.join(', ')}` });
  }
  const served = new Set(data.servingSoftware.map((software) => software.id));
  data.profiles.forEach((profile, index) => {
    const at = `profiles[${index}]`;
    if (profile.id !== TIER_IDS[index] || profile.tier !== index + 1) {
      issues.push({ path: `${at}.id`, message: `profile ${index + 1} must be tier ${index + 1}, "${TIER_IDS[index] ?? ''}" (got tier ${profile.tier}, "${profile.id}")` });
    }
    if (profile.reaches[0] !== profile.id) issues.push({ path: `${at}.reaches`, message: `must list the tier itself, "${profile.id}", first: a caller prefers its own tier` });
    for (const serving of profile.serving) {
      if (!served.has(serving)) issues.push({ path: `${at}.serving`, message: `"${serving}" is not in servingSoftware` });
    }
    if (profile.serving.includes('hosted-api') !== profile.endpointKinds.includes('hosted-api')) {
      issues.push({ path: `${at}.serving`, message: 'lists hosted-api exactly when endpointKinds lists hosted-api' });
    }
    if (profile.network === 'none') issues.push(...offSiteProblems(profile, at));
  });
  if (issues.length > 0) throw new ProfilesDataInvalid(file, issues);
  return deepFreeze(structuredClone(data));
}

// A tier without a network can only use what is on the site: anything else in its profile
// would be a promise the network cannot keep.
function offSiteProblems(profile: DeploymentProfile, at: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (profile.reaches.some((tier) => tier !== profile.id)) issues.push({ path: `${at}.reaches`, message: 'a tier with network "none" reaches no other tier' });
  if (profile.registries.some((registry) => registry !== 'site-local')) issues.push({ path: `${at}.registries`, message: 'a tier with network "none" pulls only from a site-local registry' });
  if (profile.telemetryDestinations.some((destination) => destination !== 'on-site')) issues.push({ path: `${at}.telemetryDestinations`, message: 'a tier with network "none" keeps telemetry on site' });
  if (profile.updateChannels.some((channel) => channel !== 'transfer-media')) issues.push({ path: `${at}.updateChannels`, message: 'a tier with network "none" receives updates on transfer media only' });
  if (profile.endpointKinds.some((kind) => kind !== 'self-hosted')) issues.push({ path: `${at}.endpointKinds`, message: 'a tier with network "none" calls self-hosted endpoints only' });
  return issues;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
