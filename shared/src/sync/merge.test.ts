import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareHlc, compareStamps, formatHlc, HlcError, initialHlc, parseHlc, receive, tick, type Hlc } from './hlc.ts';
import { canonicalJson, jsonEqual, mergeDocs, type SyncDoc } from './merge.ts';

const node = fc.stringMatching(/^[0-9a-z-]{1,8}$/);
const hlcArb: fc.Arbitrary<Hlc> = fc.record({ ms: fc.integer({ min: 0, max: 4_000_000_000_000 }), counter: fc.integer({ min: 0, max: 0xfff0 }), node });

describe('hybrid logical clock', () => {
  it('prints and parses stamps both ways, and string order equals clock order', () => {
    fc.assert(
      fc.property(hlcArb, hlcArb, (a, b) => {
        expect(parseHlc(formatHlc(a))).toEqual(a);
        const byString = formatHlc(a) < formatHlc(b) ? -1 : formatHlc(a) > formatHlc(b) ? 1 : 0;
        if (a.node.length === b.node.length || a.ms !== b.ms || a.counter !== b.counter) expect(byString).toBe(compareHlc(a, b));
      }),
    );
  });

  it('tick always moves forward, even when the wall clock goes back', () => {
    fc.assert(
      fc.property(hlcArb, fc.array(fc.integer({ min: 0, max: 4_000_000_000_000 }), { maxLength: 20 }), (start, nows) => {
        let last = start;
        for (const now of nows) {
          const next = tick(last, now);
          expect(compareHlc(next, last)).toBe(1);
          expect(next.ms).toBeGreaterThanOrEqual(now);
          last = next;
        }
      }),
    );
  });

  it('receive moves past both the local and the remote stamp, keeping the local node id', () => {
    fc.assert(
      fc.property(hlcArb, hlcArb, fc.integer({ min: 0, max: 4_000_000_000_000 }), (local, remote, now) => {
        fc.pre(remote.ms - now <= 24 * 3600 * 1000);
        const next = receive(local, remote, now);
        expect(next.node).toBe(local.node);
        expect(next.ms > remote.ms || (next.ms === remote.ms && next.counter > remote.counter)).toBe(true);
        expect(compareHlc(next, local)).toBe(1);
      }),
    );
  });

  it('refuses a remote clock more than a day ahead and a counter overflow', () => {
    expect(() => receive(initialHlc('a'), { ms: 10 * 86_400_000, counter: 0, node: 'b' }, 0)).toThrow(HlcError);
    expect(() => tick({ ms: 5, counter: 0xffff, node: 'a' }, 5)).toThrow(/overflow/);
    expect(() => parseHlc('12:0000:a')).toThrow(HlcError);
  });

  it('a skewed clock stops winning once its stamp has been seen', () => {
    const skewed = { ms: 1_000_003_600_000, counter: 0, node: 'phone' }; // an hour fast
    const desktop = receive({ ms: 1_000_000_000_000, counter: 3, node: 'desktop' }, skewed, 1_000_000_000_500);
    expect(compareStamps(formatHlc(tick(desktop, 1_000_000_000_600)), formatHlc(skewed))).toBe(1);
  });
});

// --- merge -------------------------------------------------------------------------------------

const FIELDS = ['a', 'b', 'c', 'd', '_deleted'] as const;
const value = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom('x', 'y', null), fc.boolean(), fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 2 }), fc.record({ k: fc.integer({ min: 0, max: 2 }) }));
const fieldsArb = fc.record(Object.fromEntries(FIELDS.map((f) => [f, value])) as Record<(typeof FIELDS)[number], fc.Arbitrary<unknown>>, { requiredKeys: [] });
const stamp = (ms: number, n: string) => formatHlc({ ms, counter: 0, node: n });

/** A base and two edits of it: each edit changes a random subset of fields (or removes them). */
const scenario = fc
  .tuple(fieldsArb, fc.subarray([...FIELDS]), fc.subarray([...FIELDS]), fieldsArb, fieldsArb, fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 1000 }), fc.boolean())
  .map(([baseFields, oursEdits, theirsEdits, oursVals, theirsVals, oursMs, theirsMs, noBase]) => {
    const id = '0190a0b0-0000-7000-8000-000000000001';
    const base: SyncDoc = { id, hlc: stamp(0, 'base'), ...baseFields };
    const edit = (fields: string[], vals: Record<string, unknown>, ms: number, n: string): SyncDoc => {
      const d: SyncDoc = { ...base, hlc: stamp(ms, n) };
      for (const f of fields) {
        if (vals[f] === undefined) delete d[f];
        else d[f] = vals[f];
      }
      return d;
    };
    return { base: noBase ? null : base, ours: edit(oursEdits, oursVals, oursMs, 'ours'), theirs: edit(theirsEdits, theirsVals, theirsMs, 'theirs') };
  });

describe('three-way merge', () => {
  it('takes a field changed on one side only from that side', () => {
    const base = { id: 'd', hlc: stamp(1, 'n'), amount: 100, memo: 'lunch', date: '2026-01-01' };
    const ours = { ...base, hlc: stamp(5, 'phone'), amount: 120 };
    const theirs = { ...base, hlc: stamp(9, 'desk'), memo: 'team lunch' };
    const r = mergeDocs({ collection: 'transactions', base, ours, theirs });
    expect(r.doc).toEqual({ id: 'd', hlc: stamp(9, 'desk'), amount: 120, memo: 'team lunch', date: '2026-01-01' });
    expect(r.conflicts).toEqual([]);
  });

  it('merges a budget\'s raised alerts as a set: both devices\' alerts kept, once each (the earlier), no conflict, either order', () => {
    const at = (h: number) => `2026-06-0${h}T10:00:00.000Z`;
    const base = { id: 'b', hlc: stamp(1, 'n'), alerts: [{ period: '2026-06-01', kind: 'threshold', at: at(1) }] };
    const ours = { ...base, hlc: stamp(5, 'phone'), alerts: [...base.alerts, { period: '2026-06-01', kind: 'over', at: at(3) }, { period: '2026-06-01', kind: 'projected', at: at(4) }] };
    const theirs = { ...base, hlc: stamp(9, 'desk'), alerts: [...base.alerts, { period: '2026-06-01', kind: 'projected', at: at(2) }] };
    const expected = [
      { period: '2026-06-01', kind: 'over', at: at(3) },
      { period: '2026-06-01', kind: 'projected', at: at(2) },
      { period: '2026-06-01', kind: 'threshold', at: at(1) },
    ];
    for (const [a, b] of [[ours, theirs], [theirs, ours]] as const) {
      const r = mergeDocs({ collection: 'budgets', base, ours: a, theirs: b });
      expect(r.doc.alerts).toEqual(expected);
      expect(r.conflicts).toEqual([]);
    }
    // Another collection's list field is still one value: the later edit wins and the other is recorded.
    const other = mergeDocs({ collection: 'transactions', base, ours, theirs });
    expect(other.doc.alerts).toEqual(theirs.alerts);
    expect(other.conflicts).toHaveLength(1);
  });

  it('keeps the later stamp on a same-field clash and records the loser', () => {
    const base = { id: 'd', hlc: stamp(1, 'n'), memo: 'a' };
    const ours = { ...base, hlc: stamp(7, 'phone'), memo: 'phone says' };
    const theirs = { ...base, hlc: stamp(3, 'desk'), memo: 'desk says' };
    const r = mergeDocs({ collection: 'transactions', base, ours, theirs });
    expect(r.doc.memo).toBe('phone says');
    expect(r.conflicts).toEqual([{ collection: 'transactions', docId: 'd', field: 'memo', lostValue: 'desk says', lostHlc: stamp(3, 'desk'), keptHlc: stamp(7, 'phone') }]);
  });

  it('ignores RxDB bookkeeping fields', () => {
    const base = { id: 'd', hlc: stamp(1, 'n'), x: 1, _rev: '1-a' };
    const r = mergeDocs({ collection: 'c', base, ours: { ...base, _rev: '2-b', _meta: { lwt: 1 } }, theirs: { ...base, _rev: '3-c' } });
    expect(r.doc).toEqual({ id: 'd', hlc: stamp(1, 'n'), x: 1 });
  });

  it('is commutative: swapping the two sides gives the same document and the same conflict values', () => {
    fc.assert(
      fc.property(scenario, ({ base, ours, theirs }) => {
        const r1 = mergeDocs({ collection: 'c', base, ours, theirs });
        const r2 = mergeDocs({ collection: 'c', base, ours: theirs, theirs: ours });
        expect(canonicalJson(r1.doc)).toBe(canonicalJson(r2.doc));
        const norm = (cs: typeof r1.conflicts) => cs.map((c) => canonicalJson(c)).sort();
        expect(norm(r1.conflicts)).toEqual(norm(r2.conflicts));
      }),
    );
  });

  it('loses no edit: every changed field value is in the result or in a conflict record', () => {
    fc.assert(
      fc.property(scenario, ({ base, ours, theirs }) => {
        const r = mergeDocs({ collection: 'c', base, ours, theirs });
        for (const side of [ours, theirs]) {
          for (const f of new Set([...Object.keys(side), ...Object.keys(base ?? {})])) {
            if (f === 'id' || f === 'hlc') continue;
            const changed = !base || !jsonEqual(base[f], side[f]);
            if (!changed) continue;
            const inResult = jsonEqual(r.doc[f], side[f]);
            const inLog = r.conflicts.some((c) => c.field === f && jsonEqual(c.lostValue, side[f]) && c.lostHlc === side.hlc);
            expect(inResult || inLog, `field ${f} of ${side.hlc}`).toBe(true);
          }
        }
      }),
    );
  });

  it('is idempotent and keeps an unchanged side out of the way', () => {
    fc.assert(
      fc.property(scenario, ({ base, ours }) => {
        expect(mergeDocs({ collection: 'c', base, ours, theirs: ours })).toEqual({ doc: expect.anything(), conflicts: [] });
        if (base) {
          const r = mergeDocs({ collection: 'c', base, ours, theirs: base });
          expect(r.conflicts).toEqual([]);
          expect(jsonEqual({ ...r.doc, hlc: ours.hlc }, ours)).toBe(true);
        }
      }),
    );
  });

  it('refuses to merge two different documents', () => {
    expect(() => mergeDocs({ collection: 'c', base: null, ours: { id: 'a', hlc: stamp(1, 'n') }, theirs: { id: 'b', hlc: stamp(1, 'n') } })).toThrow(/different documents/);
  });
});
