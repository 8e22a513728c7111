import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidCatalogue, ModelRouter, validateCatalogue } from '../src/index.ts';
import type { FieldIssue } from '../src/index.ts';

const CATALOGUE = JSON.parse(readFileSync(new URL('../examples/endpoint-catalogue.json', import.meta.url), 'utf8')) as { endpoints: Record<string, unknown>[] };
const entry = (overrides: Record<string, unknown>): Record<string, unknown> => ({ id: 'edge-a', tier: 'disconnected-edge', kind: 'self-hosted', clearance: 'RESTRICTED', tasks: ['summarise'], model: 'm', ...overrides });

function issues(input: unknown): readonly FieldIssue[] {
  try {
    validateCatalogue(input);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidCatalogue);
    return (error as InvalidCatalogue).issues;
  }
  throw new Error('expected the catalogue to be refused');
}

describe('the endpoint catalogue', () => {
  it('accepts the example catalogue in its given order', () => {
    expect(validateCatalogue(CATALOGUE).endpoints.map((endpoint) => endpoint.id)).toEqual(CATALOGUE.endpoints.map((endpoint) => endpoint['id']));
  });

  it.each([
    ['an entry without a clearance', entry({ clearance: undefined }), { path: 'endpoints[0].clearance', message: 'is missing: every endpoint must declare the highest label it is cleared for (PUBLIC, INTERNAL or RESTRICTED); none is assumed' }],
    ['a label not in the lattice', entry({ clearance: 'SECRET' }), { path: 'endpoints[0].clearance', message: 'the string "SECRET" is not a label of the lattice; use PUBLIC, INTERNAL or RESTRICTED' }],
    ['a label in the wrong case', entry({ clearance: 'restricted' }), { path: 'endpoints[0].clearance', message: 'the string "restricted" is not a label of the lattice; use PUBLIC, INTERNAL or RESTRICTED' }],
    ['an unknown tier', entry({ tier: 'orbit' }), { path: 'endpoints[0].tier', message: 'the string "orbit" is not a deployment tier; use one of disconnected-edge, internal-datacenter, connected' }],
    ['a missing tier', entry({ tier: undefined }), { path: 'endpoints[0].tier', message: 'is missing; use one of disconnected-edge, internal-datacenter, connected' }],
    ['a hosted API in the edge tier', entry({ kind: 'hosted-api' }), { path: 'endpoints[0].kind', message: 'a hosted-api endpoint cannot run in the disconnected-edge tier, which allows self-hosted' }],
    ['a connected endpoint cleared for RESTRICTED', entry({ tier: 'connected', clearance: 'RESTRICTED' }), { path: 'endpoints[0].clearance', message: 'RESTRICTED is above the connected tier\'s ceiling INTERNAL; no endpoint in that tier may be cleared higher' }],
    ['a NaN id', entry({ id: Number.NaN }), { path: 'endpoints[0].id', message: 'must be 1-63 lower case letters, digits or "-", got NaN' }],
    ['no tasks', entry({ tasks: [] }), { path: 'endpoints[0].tasks', message: 'is empty: an endpoint serves at least one task kind' }],
    ['a task listed twice', entry({ tasks: ['summarise', 'summarise'] }), { path: 'endpoints[0].tasks[1]', message: '"summarise" is listed twice' }],
    ['a misspelt field', entry({ clearence: 'PUBLIC' }), { path: 'endpoints[0].clearence', message: 'is not a field of a catalogue entry (fields: id, tier, kind, clearance, tasks, model)' }],
    ['an entry that is not an object', 'edge-a', { path: 'endpoints[0]', message: 'must be a plain object, got the string "edge-a"' }],
  ])('refuses %s, naming the field path', (_case, bad, expected) => {
    expect(issues({ endpoints: [bad] })).toContainEqual(expected);
  });

  it('lists every problem at once, across entries', () => {
    const found = issues({ endpoints: [entry({ clearance: undefined }), entry({ id: 'edge-a', tier: 'nowhere' }), entry({ id: 'edge-b' }), entry({ id: 'edge-b' })] });
    expect(found.map((issue) => issue.path)).toEqual(['endpoints[0].clearance', 'endpoints[1].tier', 'endpoints[3].id']);
  });

  it('refuses a catalogue that is not a list of entries', () => {
    expect(issues(undefined)).toEqual([{ path: '(catalogue)', message: 'must be a plain object, got undefined; pass { endpoints: [...] }' }]);
    expect(issues({ endpoints: 'all of them' })).toEqual([{ path: 'endpoints', message: 'must be a list, got the string "all of them"' }]);
    expect(() => new ModelRouter({ endpoints: [entry({ clearance: undefined })] })).toThrow(InvalidCatalogue);
  });

  it('reads entries without running their getters or Proxy traps', () => {
    let ran = false;
    const getter = entry({});
    Object.defineProperty(getter, 'clearance', { enumerable: true, get: () => { ran = true; return 'RESTRICTED'; } });
    const trapped = new Proxy(entry({ id: 'edge-b' }), { get: () => { ran = true; return 'RESTRICTED'; }, ownKeys: () => { ran = true; return []; } });
    expect(issues({ endpoints: [getter, trapped] })).toEqual([
      { path: 'endpoints[0]', message: 'has an accessor (getter or setter) at "clearance"; pass plain data' },
      { path: 'endpoints[1]', message: 'is a Proxy; pass plain data' },
    ]);
    expect(ran).toBe(false);
  });

  it('names the catalogue by a hash of its canonical JSON: key order does not matter, a clearance does', () => {
    const reordered = { endpoints: CATALOGUE.endpoints.map((endpoint) => Object.fromEntries(Object.entries(endpoint).reverse())) };
    const hash = validateCatalogue(CATALOGUE).catalogueHash;
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(validateCatalogue(reordered).catalogueHash).toBe(hash);
    const lowered = { endpoints: CATALOGUE.endpoints.map((endpoint, index) => (index === 0 ? { ...endpoint, clearance: 'INTERNAL' } : endpoint)) };
    expect(validateCatalogue(lowered).catalogueHash).not.toBe(hash);
  });

  it('returns a frozen copy the caller cannot change afterwards', () => {
    const input = { endpoints: [entry({})] };
    const catalogue = validateCatalogue(input);
    (input.endpoints[0] as Record<string, unknown>)['clearance'] = 'PUBLIC';
    expect(catalogue.endpoints[0]?.clearance).toBe('RESTRICTED');
    expect(Object.isFrozen(catalogue.endpoints[0])).toBe(true);
    expect(Object.isFrozen(catalogue.endpoints[0]?.tasks)).toBe(true);
  });
});
