/**
 * A small seeded PRNG for the demo household: SFC32 (Chris Doty-Humphrey's "small fast counting"
 * generator, 128 bits of state), seeded through SplitMix32 from a number or a text. Same seed, same
 * sequence, on every engine: only 32-bit integer arithmetic (Math.imul, >>>) decides the stream.
 */

/** FNV-1a over the UTF-16 code units of a text, as an unsigned 32-bit number. */
export function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function splitMix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `seed` is any text or safe integer; `stream` names an independent sub-stream of the same seed. */
  constructor(seed: string | number, stream = '') {
    if (typeof seed === 'number' && !Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer or a text, got ${seed}`);
    const mix = splitMix32(hashText(`${String(seed)}\u0000${stream}`));
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    for (let i = 0; i < 15; i += 1) this.u32(); // let the state spread before first use
  }

  /** Next unsigned 32-bit integer. */
  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Whole number in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('cannot pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Index drawn with the given non-negative weights (total > 0). */
  weighted(weights: ArrayLike<number>, total: number): number {
    let x = this.next() * total;
    for (let i = 0; i < weights.length; i += 1) {
      x -= weights[i]!;
      if (x < 0) return i;
    }
    return weights.length - 1;
  }

  /** Standard normal (Box–Muller, one value per call). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given mean and spread of the underlying normal (sigma). */
  logNormal(mean: number, sigma: number): number {
    return mean * Math.exp(sigma * this.normal() - (sigma * sigma) / 2);
  }

  /** `n` random lowercase hex digits (n ≤ 8). */
  hex(n: number): string {
    const v = this.u32();
    return (HEX[v >>> 24]! + HEX[(v >>> 16) & 255]! + HEX[(v >>> 8) & 255]! + HEX[v & 255]!).slice(0, n);
  }

  /**
   * A UUIDv7-shaped id: 48-bit Unix ms timestamp, version 7, RFC 4122 variant, 74 bits from this
   * stream. Deterministic for a seed, and sorting by id sorts by `ms`.
   */
  uuid7(ms: number): string {
    if (!Number.isSafeInteger(ms) || ms < 0 || ms >= 2 ** 48) throw new RangeError(`uuid7 timestamp out of range: ${ms}`);
    const t = ms.toString(16).padStart(12, '0');
    const variant = (0x8000 | (this.u32() & 0x3fff)).toString(16);
    return `${t.slice(0, 8)}-${t.slice(8)}-7${this.hex(3)}-${variant}-${this.hex(8)}${this.hex(4)}`;
  }
}
