import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import * as bn from '../../lib';
import { randomArray } from '../helpers/gradcheck';

// A compiled model saves its compile settings and optimizer state: saved after epoch 1, loaded
// and trained for epoch 2, it reaches the weights of two uninterrupted epochs bit for bit.

const root = mkdtempSync(path.join(tmpdir(), 'blasnet-resume-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));

for (const [name, optimizer] of [
  ['adam with a schedule and clipping', () => bn.optimizers.adam({ learningRate: bn.optimizers.schedules.exponentialDecay({ initialLearningRate: 0.01, decaySteps: 3, decayRate: 0.5 }), clipnorm: 1 })],
  ['sgd with nesterov momentum', () => bn.optimizers.sgd({ learningRate: 0.05, momentum: 0.9, nesterov: true })],
  ['rmsprop, centered', () => bn.optimizers.rmsprop({ learningRate: 0.01, centered: true, momentum: 0.5 })],
] as [string, () => bn.Optimizer][]) {
  t.test(name, async (t) => {
    const make = (): bn.Sequential => {
      bn.setSeed(7);
      const m = bn.sequential([bn.layers.dense({ units: 6, activation: 'relu', inputShape: [4] }), bn.layers.dense({ units: 3, activation: 'softmax' })]);
      m.compile({ optimizer: optimizer(), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      return m;
    };
    const x = bn.tensor(randomArray(40, 1), [10, 4]), y = bn.tensor(Array.from({ length: 10 }, (_, i) => i % 3), [10]);
    const args = { batchSize: 4, shuffle: false, verbose: 0 };

    const straight = make();
    await straight.fit(x, y, { ...args, epochs: 2 });

    const first = make();
    await first.fit(x, y, { ...args, epochs: 1 });
    const dir = path.join(root, name.replace(/\W+/g, '-'));
    await first.save(dir);
    const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
    t.match(json.trainingConfig, { loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] }, 'the compile settings are saved');
    t.ok(json.weightsManifest[0].weights.some((w: { group?: string }) => w.group === 'optimizer'), 'and the optimizer state');

    const resumed = await bn.loadLayersModel(dir);
    t.equal(resumed.optimizer.iterations, 3, 'iterations restored');
    await resumed.fit(x, y, { ...args, epochs: 2, initialEpoch: 1 });
    resumed.getWeights().forEach((w, i) => t.same(Array.from(w.data), Array.from(straight.getWeights()[i].data), `weight ${i} bit for bit`));
  });
}
