import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, entryHash, sealEntry, splitLine, type AuditRecord } from '../src/entry.ts';
import { encodeEntry } from '../src/entry-json.ts';
import { CanonicalEncodingError, canonicalJson, type JsonValue } from '../src/index.ts';
import { createHash } from 'node:crypto';
import { openFixture } from './support.ts';

// Single UTF-16 code units, lone surrogates included, weighted towards what JSON must escape.
const codeUnit = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)),
  fc.constantFrom('"', '\\', '\n', '\u0000', '\u001f', '\u007f', '\u2028', '\ud800', '\udfff', 'é', 'a'),
);
const text = fc.oneof(fc.string({ unit: codeUnit, maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 8 }));
const json = fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }) as fc.Arbitrary<JsonValue>;
const number = fc.oneof(fc.double(), fc.constant(-0), fc.nat());

const recordArbitrary: fc.Arbitrary<AuditRecord> = fc.oneof(
  fc.record({ kind: fc.constant('intent' as const), callId: text, tool: text, args: json, actor: text, at: text }),
  fc.record(
    { kind: fc.constant('outcome' as const), callId: text, tool: text, status: fc.constantFrom('succeeded' as const, 'failed' as const),
      durationMs: number, result: json, error: text, actor: text, at: text },
    { requiredKeys: ['kind', 'callId', 'tool', 'status', 'durationMs', 'actor', 'at'] },
  ),
  fc.record({ kind: fc.constant('gate' as const), event: text, planId: text, planHash: text, actor: text, at: text,
    detail: fc.dictionary(text, fc.oneof(text, number, fc.boolean(), fc.constant(null)), { maxKeys: 4 }) }),
  fc.record({ outcome: fc.constantFrom('routed' as const, 'refused' as const), rest: fc.dictionary(text, json, { maxKeys: 4 }), actor: text, at: text })
    .map(({ outcome, rest, actor, at }): AuditRecord => {
      const decision = { ...rest, decision: outcome };
      return { kind: 'routing', decisionId: idOf(decision), decision, actor, at };
    }),
);

// The id a routing record must carry: the SHA-256 of its decision's canonical JSON (any 64 hex digits when it has none).
function idOf(decision: unknown): string {
  const encoded = encodedBy(() => canonicalJson(decision));
  return 'bytes' in encoded ? createHash('sha256').update(encoded.bytes, 'utf8').digest('hex') : 'f'.repeat(64);
}

// An array with nothing at index 1, which JSON.stringify would write as null.
function withHole(): unknown[] {
  const holey: unknown[] = [1];
  holey[2] = 3;
  return holey;
}

// Records the writer accepts: every number finite, and an outcome's duration 0 or more.
const writableRecord = recordArbitrary.filter((record) => (record.kind !== 'outcome' || record.durationMs >= 0) && 'bytes' in encodedBy(() => canonicalJson(record)));

// What no JSON value can hold, and a JSON value with one of them buried at a generated path.
const notJson = fc.constantFrom<unknown>(new Date(0), Number.NaN, Number.POSITIVE_INFINITY, undefined, 10n, new Map(), () => 1, Symbol('s'), withHole());
const buried = fc.tuple(fc.array(fc.oneof(text, fc.nat({ max: 2 })), { maxLength: 4 }), notJson, json).map(([path, bad, filler]) =>
  path.reduceRight<unknown>((inner, step) => (typeof step === 'number' ? [...Array<JsonValue>(step).fill(filler), inner] : { other: filler, [step]: inner }), bad));

type Encoded = { readonly bytes: string } | { readonly path: string; readonly reason: string };

function encodedBy(encode: () => string): Encoded {
  try {
    return { bytes: encode() };
  } catch (error) {
    if (error instanceof CanonicalEncodingError) return { path: error.path, reason: error.reason };
    throw error;
  }
}

// Rebuilds every object with its keys in reverse insertion order, so only the encoder's own
// sorting can make the two encodings agree.
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
  }
  return value;
}

function intent(args: unknown): AuditRecord {
  return { kind: 'intent', callId: 'c-1', tool: 'read_file', args: args as JsonValue, actor: 'agent-1', at: '2026-01-05T09:00:00.000Z' };
}

function bodyOf(line: string): string {
  return (splitLine(line) as { body: string }).body;
}

describe('the canonical JSON of an entry', () => {
  it('is byte for byte what the generic encoder gives for the whole entry, for any record', () => {
    fc.assert(fc.property(recordArbitrary, fc.nat(), text, (record, index, prevHash) => {
      expect(encodedBy(() => encodeEntry(record, index, prevHash))).toEqual(encodedBy(() => canonicalJson({ ...record, index, prevHash })));
    }), { numRuns: 400 });
  });

  it('fails as the generic encoder does, at the same path and for the same reason, when a value has no JSON form', () => {
    fc.assert(fc.property(recordArbitrary, buried, fc.nat(), (record, bad, index) => {
      const spoiled = { ...record, ...(record.kind === 'intent' ? { args: bad } : record.kind === 'outcome' ? { result: bad } : record.kind === 'gate' ? { detail: { note: bad } } : { decision: { decision: 'routed', note: bad } }) } as AuditRecord;
      const specialised = encodedBy(() => encodeEntry(spoiled, index, GENESIS_HASH));
      expect(specialised).toEqual(encodedBy(() => canonicalJson({ ...spoiled, index, prevHash: GENESIS_HASH })));
      expect(specialised).toMatchObject({ path: expect.stringMatching(/^\$\.(args|result|detail|decision|durationMs)/) as unknown });
    }), { numRuns: 300 });
  });

  it('writes keys sorted by UTF-16 code unit at every depth and no whitespace, in the stored line', () => {
    const { line, hash } = sealEntry(intent({ b: 1, a: { z: [true, null], B: 'x' }, '10': 0, '9': 0, é: 'ü' }), 3, 'ab'.repeat(32));
    const body = '{"actor":"agent-1","args":{"10":0,"9":0,"a":{"B":"x","z":[true,null]},"b":1,"é":"ü"},"at":"2026-01-05T09:00:00.000Z",' +
      `"callId":"c-1","index":3,"kind":"intent","prevHash":"${'ab'.repeat(32)}","tool":"read_file"}`;
    expect(line).toBe(`{"entry":${body},"hash":"${entryHash(body)}"}`);
    expect(hash).toBe(entryHash(body));
  });

  it('escapes strings as JSON does, so a newline never reaches the stored line', () => {
    const { line } = sealEntry({ ...intent({ note: 'line one\nline "two"\u0001' }), actor: 'agent\n"7"\ud800' }, 0, GENESIS_HASH);
    expect(line).not.toContain('\n');
    expect(line).toContain('"args":{"note":"line one\\nline \\"two\\"\\u0001"}');
    expect(line).toContain('{"actor":"agent\\n\\"7\\"\\ud800",');
  });

  it('gives equal bytes for equal records whatever order their keys were inserted in', () => {
    fc.assert(fc.property(writableRecord, (record) => {
      expect(sealEntry(reverseKeys(record) as AuditRecord, 1, GENESIS_HASH).line).toBe(sealEntry(record, 1, GENESIS_HASH).line);
    }), { numRuns: 200 });
  });

  it('is stable: re-encoding the parsed entry gives the same bytes', () => {
    fc.assert(fc.property(writableRecord, (record) => {
      const body = bodyOf(sealEntry(record, 7, GENESIS_HASH).line);
      expect(canonicalJson(JSON.parse(body))).toBe(body);
    }), { numRuns: 200 });
  });

  it.each([
    [{ when: new Date(0) }, '$.args.when', 'a Date is not plain data'],
    [[1, Number.NaN], '$.args[1]', 'NaN is not a JSON number'],
    [{ limit: Number.POSITIVE_INFINITY }, '$.args.limit', 'Infinity is not a JSON number'],
    [{ missing: undefined }, '$.args.missing', 'undefined is not JSON'],
    [{ big: 10n }, '$.args.big', 'a bigint is not a JSON number'],
    [{ seen: new Map() }, '$.args.seen', 'a Map is not plain data'],
    [[() => 1], '$.args[0]', 'a function is not'],
    [{ 'two words': withHole() }, '$.args["two words"][1]', 'array hole'],
  ])('refuses arguments %o, naming the path in the entry and the reason', (args, path, reason) => {
    const error = (() => {
      try {
        sealEntry(intent(args), 0, GENESIS_HASH);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(CanonicalEncodingError);
    expect((error as CanonicalEncodingError).path).toBe(path);
    expect((error as CanonicalEncodingError).message).toContain(`cannot encode ${path} canonically: ${reason}`);
  });

  it('refuses arguments that contain themselves instead of looping, naming where the cycle closes', () => {
    const node: Record<string, unknown> = { name: 'root' };
    node.children = [{ parent: node }];
    expect(() => sealEntry(intent(node), 0, GENESIS_HASH)).toThrow('cannot encode $.args.children[0].parent canonically: cycle: this refers back to $.args');
  });

  it('agrees with the generic encoder on the edges of plain data: no prototype, symbol keys, deep nesting', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { b: [1, 'x'], a: null });
    let deep: unknown = { leaf: true };
    for (let depth = 0; depth < 40; depth++) deep = depth % 2 === 0 ? [deep] : { down: deep };
    const cases = [bare, { [Symbol('s')]: 1, a: 1 }, { a: [{ [Symbol('t')]: 2 }] }, deep, { inner: Object.create(bare) as unknown }];
    for (const args of cases) {
      expect(encodedBy(() => encodeEntry(intent(args), 2, GENESIS_HASH))).toEqual(encodedBy(() => canonicalJson({ ...intent(args), index: 2, prevHash: GENESIS_HASH })));
    }
    expect(encodedBy(() => encodeEntry(intent(cases[1]), 2, GENESIS_HASH))).toMatchObject({ path: '$.args', reason: expect.stringContaining('symbol keys') as unknown });
    expect(encodedBy(() => encodeEntry(intent(bare), 2, GENESIS_HASH))).toMatchObject({ bytes: expect.stringContaining('"args":{"a":null,"b":[1,"x"]}') as unknown });
  });

  it('accepts the same object twice side by side, which is not a cycle', () => {
    const shared = { id: 1 };
    expect(bodyOf(sealEntry(intent({ a: shared, b: shared }), 0, GENESIS_HASH).line)).toContain('"args":{"a":{"id":1},"b":{"id":1}}');
  });

  it('refuses an outcome whose duration is not a finite number, and the trail writes nothing', async () => {
    const { trail, store } = await openFixture();
    const call = await trail.recordIntent({ tool: 'read_file', args: null, actor: 'agent-1' });
    const refused = trail.recordOutcome({ callId: call.callId as string, status: 'succeeded', durationMs: Number.NaN });
    await expect(refused).rejects.toThrow(CanonicalEncodingError);
    await expect(refused).rejects.toThrow('cannot encode $.durationMs canonically: NaN is not a JSON number');
    expect(await store.readLines()).toHaveLength(1);
    await trail.recordOutcome({ callId: call.callId as string, status: 'succeeded', durationMs: 2 });
    expect(await store.readLines()).toHaveLength(2);
  });
});
