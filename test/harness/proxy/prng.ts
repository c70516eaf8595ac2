/** mulberry32: a tiny, fast, seeded PRNG. Same seed → same sequence of numbers in [0, 1). */
export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * An independent stream derived from one seed, so that e.g. reorg timing (driven by block
 * production) never shifts the per-request fault sequence.
 */
export function streamRng(seed: number, stream: string): Rng {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < stream.length; i++) {
    h = Math.imul(h ^ stream.charCodeAt(i), 0x01000193) >>> 0;
  }
  return mulberry32(h);
}

/** Integer in [min, max] (inclusive) from a draw in [0, 1). */
export const intIn = (u: number, min: number, max: number): number =>
  min + Math.floor(u * (max - min + 1));
