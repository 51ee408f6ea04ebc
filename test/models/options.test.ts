import t from 'tap';
import * as bn from '../../lib';
import { closest } from '../../lib/options';

// Options are read strictly: a typo is an error naming the closest option, a Keras option
// blasnet does not implement is refused by name, both spellings work, and `lr` means learningRate.

t.test('a misspelled option names the closest one, in the spelling used', async (t) => {
  t.throws(() => bn.layers.dense({ units: 3, activaton: 'relu' } as never), { name: 'ValueError', message: /^dense: unknown option 'activaton' — did you mean 'activation'\?/ });
  t.throws(() => bn.layers.conv2d({ filters: 2, kernel_sise: 3 } as never), /unknown option 'kernel_sise' — did you mean 'kernel_size'\?/);
  t.throws(() => bn.layers.lstm({ units: 2, return_sequence: true } as never), /unknown option 'return_sequence' — did you mean 'return_sequences'\?/);
  t.throws(() => bn.layers.dense({ units: 3, name: 'head', colour: 'red' } as never), /^head: unknown option 'colour' \(options: name, /);
  t.equal(closest('unitz', ['units', 'activation']), 'units');
  t.equal(closest('zzzzzzzz', ['units']), null, 'nothing close, no suggestion');
});

t.test('compile, fit, evaluate, predict, sequential, model and input refuse unknown options', async (t) => {
  const m = bn.sequential([bn.layers.dense({ units: 2, inputShape: [3] })]);
  t.throws(() => m.compile({ optimizer: 'sgd', loss: 'mse', metric: ['accuracy'] } as never), /compile: unknown option 'metric' — did you mean 'metrics'\?/);
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  const x = bn.zeros([4, 3]), y = bn.zeros([4, 2]);
  await t.rejects(m.fit(x, y, { batchsize: 7 } as never), /fit: unknown option 'batchsize' — did you mean 'batchSize'\?/);
  await t.rejects(m.fit(x, y, { stepsPerEpoch: 2 } as never), /fit: option 'stepsPerEpoch' is not supported by blasnet yet/);
  await t.rejects(m.evaluate(x, y, { batch_sise: 2 } as never), /evaluate: unknown option 'batch_sise' — did you mean 'batch_size'\?/);
  t.throws(() => m.predict(x, { bachSize: 2 } as never), /predict: unknown option 'bachSize' — did you mean 'batchSize'\?/);
  t.same(m.predict(x, { batch_size: 2 } as never).shape, [4, 2], 'snake_case works');
  t.throws(() => bn.sequential({ layer: [] } as never), /sequential: unknown option 'layer' — did you mean 'layers'\?/);
  t.throws(() => bn.input({ shap: [3] } as never), /input: unknown option 'shap' — did you mean 'shape'\?/);
  t.throws(() => bn.model({ inputs: bn.input({ shape: [1] }), outputs: [], nmae: 'x' } as never), /unknown option 'nmae' — did you mean 'name'\?/);
});

t.test('Keras options blasnet does not implement are refused by name unless at their defaults', async (t) => {
  t.throws(() => bn.layers.dense({ units: 3, loraRank: 4 } as never), /dense: option 'loraRank' is not supported by blasnet yet \(got 4\); remove it or leave it at null/);
  t.doesNotThrow(() => bn.layers.dense({ units: 3, kernel_regularizer: null, bias_constraint: null } as never), "Keras's defaults (as in saved configs) are fine");
  t.throws(() => bn.layers.conv2d({ filters: 4, kernelSize: 3, groups: 2 } as never), /option 'groups' is not supported by blasnet yet \(got 2\); remove it or leave it at 1/);
  t.throws(() => bn.optimizers.adam({ use_ema: true } as never), /adam: option 'use_ema' is not supported by blasnet yet/);
  t.throws(() => bn.optimizers.adam({ amsgrad: true } as never), /adam: option 'amsgrad' is not supported/);
  t.throws(() => bn.layers.dense({ units: 3, dtype: 'float64' }), /dtype "float64" is not supported; blasnet layers compute in float32/);
});

t.test("Keras's deprecated lr means learningRate; a key given twice is refused", async (t) => {
  const adam = bn.optimizers.adam({ lr: 0.01 } as never) as bn.Adam;
  t.equal(adam.learningRate, 0.01, 'lr is read as learningRate');
  t.throws(() => bn.optimizers.sgd({ lr: 0.1, learning_rate: 0.2 } as never), /sgd: option 'learningRate' is given twice \('lr' and 'learning_rate'\)/);
  t.equal((bn.optimizers.adam({ beta_1: 0.8 } as never) as bn.Adam).beta1, 0.8, "Keras's beta_1");
});
