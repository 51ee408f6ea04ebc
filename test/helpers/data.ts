// Seeded synthetic data sets for end-to-end tests.
import { Tensor } from '../../lib/tensor';
import { rng } from './gradcheck';

/** Two interleaved spirals (2 classes, one-hot), with noise; a classic non-linear problem. */
export function twoSpirals(n: number, seed: number, noise = 0.05): { x: Tensor; y: Tensor } {
  const r = rng(seed);
  const x = new Float32Array(n * 2), y = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const cls = i % 2;
    const s = r(); // position along the arm
    const radius = 0.1 + 0.9 * s;
    const angle = 4 * Math.PI * s + Math.PI * cls;
    x[2 * i] = radius * Math.cos(angle) + noise * (r() - 0.5);
    x[2 * i + 1] = radius * Math.sin(angle) + noise * (r() - 0.5);
    y[2 * i + cls] = 1;
  }
  return { x: new Tensor(x, [n, 2]), y: new Tensor(y, [n, 2]) };
}
