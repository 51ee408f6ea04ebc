// One seeded generator for initialisation, shuffling and dropout, so that
// bn.setSeed(n) makes a whole training run reproducible.

/** mulberry32: small, fast, and good enough for initialisation and shuffling. */
class Generator {
  private state: number;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal (Box-Muller, caching the second value). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * this.uniform();
    this.spareNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }
}

let generator = new Generator((Math.random() * 2 ** 32) >>> 0);

/** Seeds the generator used for weight initialisation, shuffling and dropout. */
export function setSeed(seed: number): void {
  if (!Number.isFinite(seed)) throw new RangeError(`setSeed: seed must be a finite number, got ${seed}`);
  generator = new Generator(seed);
}

export const random = {
  uniform: (): number => generator.uniform(),
  normal: (): number => generator.normal(),
  /** Fisher-Yates shuffle in place. */
  shuffle(indices: Int32Array): void {
    for (let i = indices.length - 1; i > 0; i--) {
      const j = Math.floor(generator.uniform() * (i + 1));
      const t = indices[i];
      indices[i] = indices[j];
      indices[j] = t;
    }
  },
};

/** A generator of its own, unaffected by setSeed: for a layer given an explicit `seed` as in Keras. */
export function seededRandom(seed: number): { uniform(): number; normal(): number } {
  const g = new Generator(seed);
  return { uniform: () => g.uniform(), normal: () => g.normal() };
}
