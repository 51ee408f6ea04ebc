import t from 'tap';
import { getLoss, losses, Loss } from '../../lib/losses';
import { sampleWeights } from '../../lib/models/weights';
import { Tensor } from '../../lib/tensor';
import { Arr, read, tensor, worst, relError } from './helpers';

// Every loss family with Keras's sample weights (tools/goldens/weights_keras.py): per sample [N]
// on [N, K], per timestep [N, T] and [N, 1] (broadcast) on [N, T, K]; the value and the gradient
// with respect to the prediction (the logits where a softmax or sigmoid is fused).
interface Case {
  id: string;
  bn: { name?: string; factory?: string; args?: Record<string, unknown> };
  fused: 'softmax' | 'sigmoid' | null;
  y_true: Arr;
  y_pred: Arr;
  sample_weight: Arr;
  loss: number;
  grad: number[];
}
const fixture = read<{ cases: Case[] }>('losses.json');
const tolerance = 1e-6;

function makeLoss(spec: Case['bn']): Loss {
  if (spec.name) return getLoss(spec.name);
  return (losses as unknown as Record<string, (a: unknown) => Loss>)[spec.factory!](spec.args);
}

for (const c of fixture.cases) {
  t.test(`loss ${c.id}`, async (t) => {
    const loss = makeLoss(c.bn);
    const input = tensor(c.y_pred);
    const outputShape = input.shape.slice(1);
    const y = loss.prepareTargets(tensor(c.y_true), outputShape, 'test');
    // The weights as fit takes them: matched to the loss positions as Keras does.
    const [w] = sampleWeights(tensor(c.sample_weight), [{ name: 'out', shape: outputShape }], input.shape[0], 'test');
    const weights = w!.data as Float32Array;
    const fromLogits = c.fused !== null;
    const grad = new Tensor(new Float32Array(input.size), input.shape);
    const value = loss.compute(input, y, grad, fromLogits, 1, weights);
    t.ok(relError(value, c.loss) <= tolerance, `loss ${value} vs Keras ${c.loss}`);
    const g = worst(grad.data, c.grad);
    t.ok(g.error <= tolerance, `gradient: worst rel error ${g.error.toExponential(2)} at ${g.index} (${grad.data[g.index]} vs ${c.grad[g.index]})`);
    t.equal(loss.compute(input, y, null, fromLogits, 1, weights), value, 'the same value without a gradient');
    const scaled = new Tensor(new Float32Array(input.size), input.shape);
    loss.compute(input, y, scaled, fromLogits, 0.5, weights);
    t.ok(worst(scaled.data, Array.from(grad.data, (v) => 0.5 * v)).error <= 1e-6, 'gradScale scales the weighted gradient');
  });
}

t.test('Keras refuses [N] weights on a sequence loss (it broadcasts them on the timestep axis)', async (t) => {
  t.equal((read<{ keras_refuses_per_sample_weights_on_sequence_losses: boolean }>('losses.json')).keras_refuses_per_sample_weights_on_sequence_losses, true);
  t.throws(() => sampleWeights(new Tensor(new Float32Array(5), [5]), [{ name: 'out', shape: [3, 4] }], 5, 'fit'),
    { name: 'ShapeError', message: 'fit: sampleWeight has shape [5], expected [5, 3] (one weight per sample and timestep, or 1 on an axis to share it): the output has shape [null, 3, 4]' });
});

t.test('weights of the wrong length are refused by every loss', async (t) => {
  const input = new Tensor(new Float32Array(12).fill(0.25), [3, 4]);
  for (const name of ['mse', 'mae', 'categoricalCrossentropy', 'binaryCrossentropy', 'kld', 'huber']) {
    const loss = getLoss(name);
    const y = loss.prepareTargets(new Tensor(Float32Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]), [3, 4]), [4], 'test');
    t.throws(() => loss.compute(input, y, null, false, 1, new Float32Array(4)), { name: 'ShapeError', message: /weights has 4 values, expected one per loss position \(every axis but the last\) = 3/ }, name);
  }
  const sparse = getLoss('sparseCategoricalCrossentropy');
  t.throws(() => sparse.compute(input, new Tensor(Int32Array.from([0, 1, 2]), [3]), null, false, 1, new Float32Array(12)), /expected one per loss position/);
});
