import { ForecastInputError } from './types.ts';

/**
 * Seeded random numbers for the Monte Carlo (docs/forecasts.md):
 * - uniforms: sfc32 (Chris Doty-Humphrey's "small fast counting" generator, 128-bit state, 32-bit output)
 *   seeded through splitmix32 from the seed;
 * - standard normals: the ziggurat method (Marsaglia & Tsang 2000, 128 layers), with the layer index and
 *   the value taken from separate bits of one 32-bit output (the low 7 bits and the high 25), as Doornik
 *   (2005) recommends — about 98.8 % of normals cost one output, a compare and a multiply; the rest go
 *   through the wedge test or, beyond r ≈ 3.44, Marsaglia's exact tail method.
 * Integer arithmetic only (Math.imul, `| 0`, `>>> 0`), so the same seed gives the same numbers on every
 * JavaScript engine.
 */

/** Seeds sfc32's four words from `seed` through splitmix32. */
function seedState(seed: number): Int32Array {
  if (!Number.isFinite(seed)) throw new ForecastInputError(`seed must be a finite number, not ${String(seed)}`);
  let s = Math.trunc(seed) >>> 0;
  const state = new Int32Array(4);
  for (let k = 0; k < 4; k++) {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    state[k] = z ^ (z >>> 16);
  }
  return state;
}

/** One sfc32 step on `state` (a, b, c, d): the next 32-bit output, as a signed integer. */
function nextWord(state: Int32Array): number {
  const a = state[0]!;
  const b = state[1]!;
  const c = state[2]!;
  const d = state[3]!;
  const t = (a + b + d) | 0;
  state[3] = (d + 1) | 0;
  state[0] = b ^ (b >>> 9);
  state[2] = (((c << 21) | (c >>> 11)) + t) | 0;
  state[1] = (c + (c << 3)) | 0;
  return t;
}

/** A uniform in (0, 1) from one output: never 0, so its logarithm is finite. */
const openUniform = (t: number) => ((t >>> 0) + 0.5) / 4294967296;

/** A seeded uniform generator in [0, 1) (sfc32 seeded by splitmix32). */
export function createRandom(seed: number): () => number {
  const state = seedState(seed);
  return () => (nextWord(state) >>> 0) / 4294967296;
}

// ---- Ziggurat tables ------------------------------------------------------------------------------

const LAYERS = 128;
/** Where the tail starts, and the area of each layer (base strip included), for 128 layers of e^(−x²/2). */
const R = 3.442619855899;
const AREA = 9.91256303526217e-3;
/** The value part of an output: a signed 25-bit integer + ½ (symmetric about 0), scaled by 2^−24 to lie in (−1, 1). */
const VALUE_SCALE = 2 ** -24;

/** x[i]: the right edge of layer i (x[0] is the base strip's notional width AREA/f(R), x[1] = R, x[128] = 0). */
const edge = new Float64Array(LAYERS + 1);
/** |value| < inside[i] (in units of 2^−24) ⇒ the point is inside layer i's rectangle under the curve. */
const inside = new Float64Array(LAYERS);
/** value · width[i] is the candidate normal of layer i. */
const width = new Float64Array(LAYERS);
/** e^(−x[i]²/2). */
const height = new Float64Array(LAYERS + 1);

{
  const f = (x: number) => Math.exp(-0.5 * x * x);
  edge[0] = AREA / f(R);
  edge[1] = R;
  for (let i = 1; i < LAYERS - 1; i++) edge[i + 1] = Math.sqrt(-2 * Math.log(AREA / edge[i]! + f(edge[i]!)));
  edge[LAYERS] = 0;
  for (let i = 0; i <= LAYERS; i++) height[i] = f(edge[i]!);
  for (let i = 0; i < LAYERS; i++) {
    inside[i] = (edge[i + 1]! / edge[i]!) / VALUE_SCALE;
    width[i] = edge[i]! * VALUE_SCALE;
  }
}

/**
 * A normal for a draw (layer `i`, value `u`) that fell outside its layer's rectangle: Marsaglia's exact tail
 * beyond R for the base layer, else the wedge test, else a fresh draw — until one is accepted. Steps `state`
 * exactly as the inline fast path does, so the stream is one sequence of sfc32 outputs.
 */
function outsideRectangle(state: Int32Array, layer: number, value: number): number {
  let i = layer;
  let u = value;
  for (;;) {
    if (i === 0) {
      // Marsaglia (1964): x = −ln(U1)/R, y = −ln(U2) until 2y > x²; the normal is ±(R + x).
      let x: number;
      let y: number;
      do {
        x = -Math.log(openUniform(nextWord(state))) / R;
        y = -Math.log(openUniform(nextWord(state)));
      } while (y + y < x * x);
      return u < 0 ? -(R + x) : R + x;
    }
    const x = u * width[i]!;
    // The wedge between the rectangle and the curve: accept with probability (f(x) − f(x[i])) / (f(x[i+1]) − f(x[i])).
    const v = openUniform(nextWord(state));
    if (height[i]! + v * (height[i + 1]! - height[i]!) < Math.exp(-0.5 * x * x)) return x;
    const t = nextWord(state);
    i = t & 127;
    u = (t >> 7) + 0.5;
    if (Math.abs(u) < inside[i]!) return u * width[i]!;
  }
}

/**
 * Fills `out` with independent standard normals (ziggurat, see the file comment). The generator's state
 * is kept between calls, so consecutive calls continue one stream.
 */
export function createNormalFiller(seed: number): (out: Float64Array) => void {
  const state = seedState(seed);
  return (out: Float64Array) => {
    let a = state[0]!;
    let b = state[1]!;
    let c = state[2]!;
    let d = state[3]!;
    const n = out.length;
    for (let k = 0; k < n; k++) {
      const t = (a + b + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (c << 21) | (c >>> 11);
      c = (c + t) | 0;
      const i = t & 127;
      const u = (t >> 7) + 0.5;
      if (Math.abs(u) < inside[i]!) {
        out[k] = u * width[i]!;
        continue;
      }
      // Outside the rectangle (about 1.2 % of draws): the rare path works on the stored state.
      state[0] = a;
      state[1] = b;
      state[2] = c;
      state[3] = d;
      out[k] = outsideRectangle(state, i, u);
      a = state[0]!;
      b = state[1]!;
      c = state[2]!;
      d = state[3]!;
    }
    state[0] = a;
    state[1] = b;
    state[2] = c;
    state[3] = d;
  };
}
