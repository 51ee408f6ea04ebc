import t from 'tap';
import { native } from '../../lib/native';

// Every index is checked before the kernel runs, and the first bad one is named with its position.
const N = 4, L = 20, V = 10000, D = 2;
const table = new Float32Array(V * D);
const out = new Float32Array(N * L * D);

t.test('out-of-range indices are RangeErrors naming value and position', async (t) => {
  for (const [bad, pos] of [[10000, [3, 17]], [-1, [0, 0]], [2147483647, [1, 19]]] as const) {
    const idx = new Int32Array(N * L);
    idx[pos[0] * L + pos[1]] = bad;
    const message = `index ${bad} at [${pos[0]}, ${pos[1]}] is outside [0, ${V})`;
    t.throws(() => native.embeddingForward(out, idx, table, N, L, V, D), new RangeError(`embeddingForward: ${message}`));
    const dtable = new Float32Array(V * D);
    t.throws(() => native.embeddingBackward(dtable, out, idx, N, L, V, D), new RangeError(`embeddingBackward: ${message}`));
    t.ok(dtable.every((v) => v === 0), 'nothing was written before the check failed');
  }
  const idx = new Int32Array(N * L);
  idx[5] = V - 1;
  t.doesNotThrow(() => native.embeddingForward(out, idx, table, N, L, V, D), 'index V-1 is in range');
});

t.test('a frozen table: dtable null is accepted, and the indices are still checked', async (t) => {
  const idx = new Int32Array(N * L).fill(V - 1);
  t.doesNotThrow(() => native.embeddingBackward(null, out, idx, N, L, V, D));
  idx[7] = V;
  t.throws(() => native.embeddingBackward(null, out, idx, N, L, V, D),
    new RangeError(`embeddingBackward: index ${V} at [0, 7] is outside [0, ${V})`));
  t.throws(() => native.embeddingBackward(new Int32Array(V * D) as never, out, idx, N, L, V, D),
    new TypeError('embeddingBackward: dtable must be a Float32Array or null'));
});

t.test('wrong kinds and lengths', async (t) => {
  const idx = new Int32Array(N * L);
  t.throws(() => native.embeddingForward(out, new Float32Array(N * L) as never, table, N, L, V, D),
    new TypeError('embeddingForward: idx must be a Int32Array'));
  t.throws(() => native.embeddingForward(out, idx, new Float32Array(5), N, L, V, D),
    new RangeError(`embeddingForward: table has 5 elements, expected V*D = ${V * D}`));
  t.throws(() => native.embeddingForward(new Float32Array(3), idx, table, N, L, V, D),
    new RangeError(`embeddingForward: out has 3 elements, expected N*L*D = ${N * L * D}`));
  t.throws(() => native.embeddingForward(out, new Int32Array(3), table, N, L, V, D),
    new RangeError(`embeddingForward: idx has 3 elements, expected N*L = ${N * L}`));
  t.throws(() => native.embeddingBackward(table, new Float32Array(1), idx, N, L, V, D),
    new RangeError(`embeddingBackward: dout has 1 elements, expected N*L*D = ${N * L * D}`));
  t.throws(() => native.embeddingForward(out, idx, table, 0, L, V, D), RangeError, 'N = 0');
  t.throws(() => native.embeddingForward(out, idx, table, N, L, V, 1.5), RangeError, 'fractional D');
  t.throws(() => (native.embeddingForward as (...a: unknown[]) => void)(out, idx, table, N, L, V), TypeError, 'too few arguments');
});
