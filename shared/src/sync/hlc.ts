/**
 * Hybrid logical clock: wall-clock milliseconds, a counter for events within the same millisecond (or
 * while the wall clock lags a stamp already seen), and the node id as a final tie-break. Stamps are
 * printed as `${13-digit ms}:${4 hex}:${node}`, so comparing the strings compares the clocks.
 * Pure: the caller passes the wall clock in.
 */
export interface Hlc {
  readonly ms: number;
  readonly counter: number;
  readonly node: string;
}

export const MAX_COUNTER = 0xffff;
/** A remote stamp further ahead of our wall clock than this is refused rather than adopted. */
export const MAX_DRIFT_MS = 24 * 60 * 60 * 1000;

const STAMP = /^(\d{13}):([0-9a-f]{4}):([0-9a-z-]{1,36})$/;
const NODE = /^[0-9a-z-]{1,36}$/;

export class HlcError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HlcError';
  }
}

export function parseHlc(stamp: string): Hlc {
  const m = STAMP.exec(stamp);
  if (!m) throw new HlcError(`not an HLC stamp: ${JSON.stringify(stamp)}`);
  return { ms: Number(m[1]), counter: parseInt(m[2]!, 16), node: m[3]! };
}

export function formatHlc(h: Hlc): string {
  if (!Number.isSafeInteger(h.ms) || h.ms < 0 || h.ms > 9_999_999_999_999) throw new HlcError(`clock out of range: ${h.ms}`);
  if (!Number.isInteger(h.counter) || h.counter < 0 || h.counter > MAX_COUNTER) throw new HlcError(`counter out of range: ${h.counter}`);
  if (!NODE.test(h.node)) throw new HlcError(`node id must be 1-36 of [0-9a-z-]: ${JSON.stringify(h.node)}`);
  return `${String(h.ms).padStart(13, '0')}:${h.counter.toString(16).padStart(4, '0')}:${h.node}`;
}

/** The clock a node starts with. */
export function initialHlc(node: string): Hlc {
  return parseHlc(formatHlc({ ms: 0, counter: 0, node }));
}

function bump(ms: number, counter: number, node: string): Hlc {
  if (counter > MAX_COUNTER) throw new HlcError('HLC counter overflow: too many events within one millisecond');
  return { ms, counter, node };
}

/** A local event (an edit): the next stamp after `last`, never behind it even if the wall clock went back. */
export function tick(last: Hlc, nowMs: number): Hlc {
  if (nowMs > last.ms) return bump(nowMs, 0, last.node);
  return bump(last.ms, last.counter + 1, last.node);
}

/**
 * A stamp received from elsewhere (a pulled document): the local clock moves past both its own last
 * stamp and the remote one, so the next local edit sorts after everything this node has seen.
 */
export function receive(local: Hlc, remote: Hlc, nowMs: number): Hlc {
  if (remote.ms - nowMs > MAX_DRIFT_MS) throw new HlcError(`remote clock is ${remote.ms - nowMs} ms ahead of ours; refusing to adopt it`);
  const ms = Math.max(local.ms, remote.ms, nowMs);
  if (ms === local.ms && ms === remote.ms) return bump(ms, Math.max(local.counter, remote.counter) + 1, local.node);
  if (ms === local.ms) return bump(ms, local.counter + 1, local.node);
  if (ms === remote.ms) return bump(ms, remote.counter + 1, local.node);
  return bump(ms, 0, local.node);
}

/** Total order: time, then counter, then node id. */
export function compareHlc(a: Hlc, b: Hlc): -1 | 0 | 1 {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.counter !== b.counter) return a.counter < b.counter ? -1 : 1;
  if (a.node !== b.node) return a.node < b.node ? -1 : 1;
  return 0;
}

/** compareHlc on printed stamps. */
export function compareStamps(a: string, b: string): -1 | 0 | 1 {
  return compareHlc(parseHlc(a), parseHlc(b));
}
