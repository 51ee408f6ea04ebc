import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import * as bn from '../../lib';

// Weight regularizers as Keras 3: the penalty joins the logged loss and its gradient the step.

t.test('an l2 kernel regularizer and an l1 bias regularizer, by hand', async (t) => {
  const m = bn.sequential([bn.layers.dense({ units: 1, inputShape: [2], kernel_regularizer: bn.regularizers.l2({ l2: 0.1 }), biasRegularizer: 'l1' } as never)]);
  m.setWeights([bn.tensor([[0.5], [-1]]), bn.tensor([0.25])]);
  m.compile({ optimizer: bn.optimizers.sgd({ learningRate: 0.1 }), loss: 'mse' });
  const x = [[1, 2], [3, -1]], y = [1, 0];
  // Predictions 0.5*x0 - x1 + 0.25: -1.25 and 2.75; mse = ((-2.25)^2 + 2.75^2) / 2.
  const mse = (2.25 ** 2 + 2.75 ** 2) / 2;
  const penalty = 0.1 * (0.25 + 1) + 0.01 * 0.25;
  const logs = m.trainOnBatch(bn.tensor(x), bn.tensor([[1], [0]]));
  t.ok(Math.abs(logs.loss - (mse + penalty)) < 1e-6, `loss ${logs.loss} = mse ${mse} + penalty ${penalty}`);
  const err = [-1.25 - y[0], 2.75 - y[1]];
  const dw = [0, 1].map((j) => (err[0] * x[0][j] + err[1] * x[1][j]) + 2 * 0.1 * [0.5, -1][j]);
  const db = err[0] + err[1] + 0.01;
  const [w, b] = m.getWeights();
  t.ok(Math.abs(w.data[0] - (0.5 - 0.1 * dw[0])) < 1e-6 && Math.abs(w.data[1] - (-1 - 0.1 * dw[1])) < 1e-6, `kernel ${Array.from(w.data)}`);
  t.ok(Math.abs(b.data[0] - (0.25 - 0.1 * db)) < 1e-6, `bias ${b.data[0]}`);
  const evaluated = await m.evaluate(bn.tensor(x), bn.tensor([[1], [0]]));
  t.ok(evaluated.loss > 0, 'evaluate includes the penalty too');
});

t.test('regularizers save and load; bad ones are refused', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'blasnet-reg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const m = bn.sequential([bn.layers.lstm({ units: 2, inputShape: [3, 2], recurrentRegularizer: bn.regularizers.l1l2({ l1: 0.001, l2: 0.002 }) }),
    bn.layers.dense({ units: 1, kernelRegularizer: 'l2' })]);
  await m.save(dir);
  const loaded = await bn.loadLayersModel(dir);
  t.match(loaded.layers[0].getConfig(), { recurrent_regularizer: { class_name: 'L1L2', config: { l1: 0.001, l2: 0.002 } }, kernel_regularizer: null });
  t.match(loaded.layers[1].getConfig(), { kernel_regularizer: { class_name: 'L2', config: { l2: 0.01 } } });
  t.equal(loaded.layers[0].regularized.length, 1);
  t.throws(() => bn.layers.dense({ units: 1, kernelRegularizer: 'l3' as never }), /kernelRegularizer: unknown regularizer "l3"/);
  t.throws(() => bn.regularizers.l2({ l2: -1 }), /l2 must be a finite number >= 0/);
});
