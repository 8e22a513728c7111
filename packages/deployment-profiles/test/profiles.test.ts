import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LABELS,
  PROFILES_PATH,
  ProfilesDataInvalid,
  TIER_IDS,
  UnknownLabel,
  UnknownTier,
  clears,
  deploymentProfiles,
  joinLabels,
  labelRank,
  parseLabel,
  parseTier,
  profileFor,
  validateProfilesData,
} from '../src/index.ts';
import type { FieldIssue } from '../src/index.ts';

const RAW = JSON.parse(readFileSync(PROFILES_PATH, 'utf8')) as { profiles: Record<string, unknown>[]; labels: string[]; servingSoftware: Record<string, unknown>[] };

function problems(mutate: (data: typeof RAW) => void): readonly FieldIssue[] {
  const data = structuredClone(RAW);
  mutate(data);
  try {
    validateProfilesData(data, 'broken.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ProfilesDataInvalid);
    return (error as ProfilesDataInvalid).issues;
  }
  throw new Error('expected the profiles data to be refused');
}

const profile = (data: typeof RAW, index: number): Record<string, unknown> => data.profiles[index] ?? {};

describe('the three deployment profiles as data', () => {
  it('loads the one profiles file, valid against its schema, one profile per tier in order', () => {
    const data = deploymentProfiles();
    expect(data.profiles.map((entry) => [entry.tier, entry.id])).toEqual([[1, 'disconnected-edge'], [2, 'internal-datacenter'], [3, 'connected']]);
    expect(data.labels).toEqual(LABELS);
    expect(Object.isFrozen(data.profiles[0]?.reaches)).toBe(true);
  });

  it('keeps the disconnected edge off every network: nothing reached, pulled, sent or updated from off site', () => {
    const edge = profileFor('disconnected-edge');
    expect(edge).toMatchObject({ network: 'none', reaches: ['disconnected-edge'], registries: ['site-local'], telemetryDestinations: ['on-site'], updateChannels: ['transfer-media'], endpointKinds: ['self-hosted'] });
    expect(edge.hardware.maxAccelerators).toBe(1);
  });

  it('lets the connected tier hold data up to INTERNAL only, and reach the datacenter but not the edge', () => {
    const connected = profileFor('connected');
    expect(connected.clearanceCeiling).toBe('INTERNAL');
    expect(connected.reaches).toEqual(['connected', 'internal-datacenter']);
    expect(profileFor('internal-datacenter').reaches).toEqual(['internal-datacenter']);
  });

  it('cites a public specification for every reference hardware figure and a project page for all serving software but the hosted API', () => {
    for (const entry of deploymentProfiles().profiles) {
      for (const source of entry.hardware.reference?.sources ?? []) expect(source).toMatch(/^https:\/\/www\.nvidia\.com\//);
    }
    for (const software of deploymentProfiles().servingSoftware) {
      if (software.id === 'hosted-api') expect(software.url).toBeNull();
      else expect(software.url).toMatch(/^https:\/\/github\.com\//);
    }
  });

  it.each([
    ['a field the schema requires', (data: typeof RAW) => { delete profile(data, 0)['firstFailure']; }, { path: 'profiles[0].firstFailure', message: 'is required' }],
    ['a network that is not one of the three', (data: typeof RAW) => { profile(data, 1)['network'] = 'wifi'; }, { path: 'profiles[1].network', message: 'must be one of "none", "internal", "internet" (got "wifi")' }],
    ['labels out of order', (data: typeof RAW) => { data.labels.reverse(); }, { path: 'labels', message: 'must list the lattice lowest first: PUBLIC, INTERNAL, RESTRICTED' }],
    ['profiles out of order', (data: typeof RAW) => { data.profiles.reverse(); }, { path: 'profiles[0].id', message: 'profile 1 must be tier 1, "disconnected-edge" (got tier 3, "connected")' }],
    ['a tier that does not prefer itself', (data: typeof RAW) => { profile(data, 2)['reaches'] = ['internal-datacenter', 'connected']; }, { path: 'profiles[2].reaches', message: 'must list the tier itself, "connected", first: a caller prefers its own tier' }],
    ['an edge that sends telemetry off site', (data: typeof RAW) => { profile(data, 0)['telemetryDestinations'] = ['on-site', 'internal']; }, { path: 'profiles[0].telemetryDestinations', message: 'a tier with network "none" keeps telemetry on site' }],
    ['an edge that reaches another tier', (data: typeof RAW) => { profile(data, 0)['reaches'] = ['disconnected-edge', 'connected']; }, { path: 'profiles[0].reaches', message: 'a tier with network "none" reaches no other tier' }],
    ['an edge that pulls from a mirror', (data: typeof RAW) => { profile(data, 0)['registries'] = ['site-local', 'internal-mirror']; }, { path: 'profiles[0].registries', message: 'a tier with network "none" pulls only from a site-local registry' }],
    ['an edge updated from a mirror', (data: typeof RAW) => { profile(data, 0)['updateChannels'] = ['internal-mirror']; }, { path: 'profiles[0].updateChannels', message: 'a tier with network "none" receives updates on transfer media only' }],
    ['a hosted API endpoint without hosted serving', (data: typeof RAW) => { profile(data, 1)['endpointKinds'] = ['self-hosted', 'hosted-api']; }, { path: 'profiles[1].serving', message: 'lists hosted-api exactly when endpointKinds lists hosted-api' }],
    ['serving software not described', (data: typeof RAW) => { data.servingSoftware = data.servingSoftware.filter((software) => software['id'] !== 'sglang'); }, { path: 'profiles[1].serving', message: '"sglang" is not in servingSoftware' }],
    ['a reference figure without a source', (data: typeof RAW) => { ((profile(data, 0)['hardware'] as Record<string, Record<string, unknown>>)['reference'] ?? {})['sources'] = []; }, { path: 'profiles[0].hardware.reference.sources', message: 'must NOT have fewer than 1 items' }],
  ])('refuses profiles data with %s, naming the field', (_case, mutate, expected) => {
    expect(problems(mutate)).toContainEqual(expected);
  });
});

describe('the label lattice and the tier names', () => {
  it('orders PUBLIC < INTERNAL < RESTRICTED and clears a label at or below the clearance', () => {
    expect(LABELS.map(labelRank)).toEqual([0, 1, 2]);
    expect(clears('RESTRICTED', 'PUBLIC')).toBe(true);
    expect(clears('INTERNAL', 'INTERNAL')).toBe(true);
    expect(clears('INTERNAL', 'RESTRICTED')).toBe(false);
  });

  it('joins labels to the least label at or above all of them', () => {
    const label = fc.constantFrom(...LABELS);
    fc.assert(
      fc.property(fc.array(label, { maxLength: 6 }), (labels) => {
        const joined = joinLabels(labels);
        for (const input of labels) expect(clears(joined, input)).toBe(true);
        expect(joined === 'PUBLIC' || labels.includes(joined)).toBe(true);
      }),
    );
  });

  it('refuses a label or a tier it does not know with a typed error naming the field', () => {
    expect(() => parseLabel('restricted', 'request.label')).toThrow(new UnknownLabel('request.label', 'restricted'));
    expect(() => parseLabel(Number.NaN, 'label')).toThrow('label: NaN (number) is not a label of the lattice; use PUBLIC, INTERNAL or RESTRICTED (upper case).');
    expect(() => parseTier('tier-1', 'spec.profile')).toThrow(new UnknownTier('spec.profile', 'tier-1', TIER_IDS));
    expect(parseTier('connected', 'tier')).toBe('connected');
  });
});
