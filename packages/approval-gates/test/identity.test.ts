// One person, one identity: the gate compares people by their normalised id, so another
// spelling of the same id (case, a compatibility form, an invisible character) neither counts
// as a second approver nor lets the plan's author approve it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ApprovalGate,
  ExecutionRefused,
  InMemoryAuditSink,
  InvalidGateArgument,
  ManualClock,
  SelfApprovalRefused,
  normalizeIdentity,
  type PlanData,
} from '../src/index.ts';
import { failure } from './support.ts';

const START = Date.UTC(2025, 2, 4, 9, 0, 0);
const AUTHOR = 'agent-7';
const plan: PlanData = { goal: 'rotate certificates', steps: [{ tool: 'cert.rotate', arguments: { days: 90 } }] };

function newGate(author: string, approvers: readonly string[], requiredApprovals = 1) {
  const audit = new InMemoryAuditSink();
  const gate = new ApprovalGate({ planId: 'p', author, plan, policy: { approvers, requiredApprovals }, audit, clock: new ManualClock(START) });
  return { gate, audit };
}

describe('normalizeIdentity', () => {
  it.each([
    ['case', 'Reviewer-A', 'reviewer-a'],
    ['a zero-width space suffix', 'reviewer-a\u200B', 'reviewer-a'],
    ['a soft hyphen inside', 're\u00ADviewer-a', 'reviewer-a'],
    ['a zero-width joiner and a byte-order mark', '\uFEFFreviewer\u200D-a', 'reviewer-a'],
    ['fullwidth compatibility forms', '\uFF32\uFF45\uFF56\uFF49\uFF45\uFF57\uFF45\uFF52\uFF0D\uFF41', 'reviewer-a'],
    ['decomposed and composed accents', 'Rene\u0301', 'ren\u00E9'],
    ['a mark that stripping brings next to its letter', 'rene\u200D\u0301', 'ren\u00E9'],
    ['a ligature', '\uFB01nance', 'finance'],
  ])('folds %s', (_label, variant, normalized) => {
    expect(normalizeIdentity(variant)).toBe(normalized);
  });

  it.each([
    ['German sharp s: ß is not ss', 'straße', 'strasse'],
    ['Turkish dotless ı is not i', 'ayd\u0131n', 'aydin'],
    ['Cyrillic а is not Latin a (a confusable)', '\u0430dmin', 'admin'],
    ['Greek final sigma is not sigma', 'σοφός', 'σοφοσ'],
  ])('does not fold %s', (_label, left, right) => {
    expect(normalizeIdentity(left)).not.toBe(normalizeIdentity(right));
  });

  it('is idempotent: a normalised id normalises to itself (property)', () => {
    const piece = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 4 }),
      fc.constantFrom('\u200B', '\u200D', '\u00AD', '\uFEFF', '\u034F', '\u0301', '\u0307', 'İ', 'ß', 'ẞ', 'Ω', '\uFB01', '\uFF21'),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 6 }), (pieces) => {
        const once = normalizeIdentity(pieces.join(''));
        expect(normalizeIdentity(once)).toBe(once);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('identities at the gate', () => {
  it('counts two spellings of one approver as one person', async () => {
    const { gate } = newGate(AUTHOR, ['reviewer-a', 'Reviewer-A', 'reviewer-b'], 2);
    await gate.submit(AUTHOR);
    await gate.approve('reviewer-a');
    await gate.approve('REVIEWER-A\u200B');
    const refused = await failure(gate.execute('runner-1', plan));
    expect(refused).toBeInstanceOf(ExecutionRefused);
    expect(refused).toMatchObject({ reason: 'approvals-insufficient', validApprovers: ['reviewer-a'] });
    await gate.approve('Reviewer-B');
    expect((await gate.execute('runner-1', plan)).approvers).toEqual(['reviewer-a', 'reviewer-b']);
  });

  it.each([
    ['in another case', 'Agent-7'],
    ['with a zero-width suffix', 'agent-7\u200B'],
    ['in fullwidth forms', '\uFF41\uFF47\uFF45\uFF4E\uFF54-7'],
  ])('refuses the author approving their own plan %s, and records it under the one identity', async (_label, spelling) => {
    const { gate, audit } = newGate(AUTHOR, [spelling, 'reviewer-a']);
    await gate.submit(AUTHOR);
    const refused = await failure(gate.approve(spelling));
    expect(refused).toBeInstanceOf(SelfApprovalRefused);
    expect(refused.message).toBe('agent-7 cannot approve plan "p": they wrote or revised it; the decision belongs to someone else');
    expect(audit.events.at(-1)).toMatchObject({ kind: 'approval.refused', actor: AUTHOR });
    expect(await failure(gate.execute('runner-1', plan))).toMatchObject({ reason: 'approvals-insufficient' });
  });

  it('treats another spelling of a reviser as the reviser', async () => {
    const { gate } = newGate(AUTHOR, ['reviewer-a', 'reviewer-b']);
    await gate.revise('Reviewer-B', { ...plan, goal: 'rotate certificates now' });
    await gate.submit(AUTHOR);
    expect(await failure(gate.approve('reviewer-b\u2060'))).toBeInstanceOf(SelfApprovalRefused);
    expect(gate.snapshot().contributors).toEqual([AUTHOR, 'reviewer-b']);
  });

  it('refuses an id that is empty once normalised, and the reserved system actor in any spelling', () => {
    expect(() => newGate('\u200B\u200D', ['reviewer-a'])).toThrow(InvalidGateArgument);
    expect(() => newGate('\u200B\u200D', ['reviewer-a'])).toThrow(/author.*nothing is left once normalised/);
    expect(() => newGate(AUTHOR, ['SYSTEM'])).toThrow(/policy\.approvers\[0\].*reserved/);
  });

  it('lets a caller whose ids are already canonical (from its identity provider) keep them exactly', async () => {
    const gate = new ApprovalGate({
      planId: 'p', author: 'U-0001', plan, policy: { approvers: ['U-0002'] }, audit: new InMemoryAuditSink(), clock: new ManualClock(START),
      normalizeIdentity: (id) => id,
    });
    await gate.submit('U-0001');
    expect(await failure(gate.approve('u-0002'))).toMatchObject({ name: 'ApproverNotEligible' });
    await gate.approve('U-0002');
    expect((await gate.execute('runner-1', plan)).approvers).toEqual(['U-0002']);
  });
});

// Spellings of one id that normalizeIdentity must fold together: case, fullwidth forms,
// invisible characters, decomposed accents. Built here without calling the code under test.
const INVISIBLES = ['\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD', '\u034F'];
function spelling(id: string, choices: readonly number[]): string {
  let out = '';
  [...id.normalize('NFD')].forEach((char, index) => {
    const choice = choices[index % choices.length] ?? 0;
    const code = char.codePointAt(0) ?? 0;
    if (choice % 4 === 1) out += char.toUpperCase();
    else if (choice % 4 === 2 && code >= 0x21 && code <= 0x7e) out += String.fromCodePoint(code + 0xfee0); // fullwidth form
    else out += char;
    if (choice % 3 === 0) out += INVISIBLES[choice % INVISIBLES.length];
  });
  return choices[0] !== undefined && choices[0] % 2 === 0 ? out.normalize('NFC') : out;
}

describe('spellings of one identity at the gate (property)', () => {
  const PEOPLE = ['ren\u00E9', 'reviewer-a', 'lead-b'];
  const choicesArb = fc.array(fc.nat(11), { minLength: 1, maxLength: 6 });

  it('never counts one person twice and never lets the author approve, however the ids are spelled', async () => {
    let executed = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.array(choicesArb, { minLength: 4, maxLength: 4 }),
        fc.array(fc.record({ person: fc.constantFrom(AUTHOR, ...PEOPLE), choices: choicesArb }), { maxLength: 8 }),
        async (requiredApprovals, listSpellings, approvals) => {
          // The author is listed as an approver too, under some spelling.
          const listed = [...PEOPLE, AUTHOR].map((person, index) => spelling(person, listSpellings[index] ?? [0]));
          const { gate } = newGate(AUTHOR, listed, requiredApprovals);
          await gate.submit(spelling(AUTHOR, [1]));
          const approvedBy = new Set<string>();
          for (const { person, choices } of approvals) {
            const outcome = await gate.approve(spelling(person, choices)).then(() => 'ok', (error: Error) => error.name);
            expect(outcome).toBe(person === AUTHOR ? 'SelfApprovalRefused' : 'ok');
            if (person !== AUTHOR) approvedBy.add(person);
          }
          const result = await gate.execute('runner-1', plan).then((permit) => permit.approvers, (error: ExecutionRefused) => error.validApprovers);
          expect([...result].sort()).toEqual([...approvedBy].sort());
          expect(result).not.toContain(AUTHOR);
          if (approvedBy.size >= requiredApprovals) {
            expect(gate.phase).toBe('EXECUTE');
            executed += 1;
          } else {
            expect(gate.phase).toBe('COMMIT');
          }
        },
      ),
      { numRuns: 300 },
    );
    expect(executed).toBeGreaterThan(30);
  });
});
