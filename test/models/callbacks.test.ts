import t from 'tap';
import * as bn from '../../lib';

// fit's callbacks: one object or a Keras-style list; every hook is called in order and
// awaited; a misspelled hook is refused; setting model.stopTraining stops after the epoch.

const make = (): bn.Sequential => {
  bn.setSeed(1);
  const m = bn.sequential([bn.layers.dense({ units: 1, inputShape: [2] })]);
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  return m;
};
const x = bn.tensor([[0, 1], [1, 0], [1, 1], [0, 0]]), y = bn.tensor([[1], [1], [2], [0]]);

t.test('a list of callbacks, class instances with state, snake_case hooks, setModel', async (t) => {
  const m = make();
  const events: string[] = [];
  class Counter {
    batches = 0;
    model: unknown = null;
    setModel(model: unknown): void { this.model = model; }
    onBatchEnd(): void { this.batches++; }
  }
  const counter = new Counter();
  await m.fit(x, y, {
    epochs: 2, batchSize: 2, verbose: 0, callbacks: [
      counter,
      { onTrainBegin: () => void events.push('train begin'), onEpochBegin: (e: number) => void events.push(`epoch ${e} begin`),
        onBatchBegin: (b: number) => void events.push(`batch ${b}`), onTrainEnd: (logs?: bn.Logs) => void events.push(`train end ${logs && 'loss' in logs}`) },
      { on_epoch_end: async (e: number, logs: bn.Logs) => { await new Promise((r) => setTimeout(r, 1)); events.push(`epoch ${e} end ${logs.loss > 0}`); } } as never,
    ],
  });
  t.equal(counter.batches, 4, 'the class instance counted 2 batches x 2 epochs');
  t.equal(counter.model, m, 'setModel received the model');
  t.same(events, ['train begin', 'epoch 0 begin', 'batch 0', 'batch 1', 'epoch 0 end true', 'epoch 1 begin', 'batch 0', 'batch 1', 'epoch 1 end true', 'train end true']);
});

t.test('model.stopTraining = true stops after the epoch; misspelled hooks are refused', async (t) => {
  const m = make();
  const history = await m.fit(x, y, { epochs: 10, verbose: 0, callbacks: { onEpochEnd: (e: number) => { if (e === 2) m.stopTraining = true; } } });
  t.same(history.epoch, [0, 1, 2], 'three epochs, then stopped');
  await t.rejects(m.fit(x, y, { verbose: 0, callbacks: [{ onEpochEnd: () => {} }, { onEpochEnds: () => {} } as never] }),
    /fit: callbacks\[1\]: unknown hook 'onEpochEnds' — did you mean 'onEpochEnd'\?/);
  await t.rejects(m.fit(x, y, { verbose: 0, callbacks: [new (class Nothing { x = 1; })() as never] }), /fit: callbacks\[0\] has none of the hooks/);
});
