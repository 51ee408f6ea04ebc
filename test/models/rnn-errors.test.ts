import t from 'tap';
import * as bn from '../../lib/index';

// Recurrent layers refuse bad configurations and input shapes at add() time, with
// messages that name the layer, show the shape and say how to fix it.

t.test('rank-4 input (a Conv2D output) into an LSTM fails at add() with the reshape to use', async (t) => {
  const model = bn.sequential();
  model.add(bn.layers.conv2d({ filters: 32, kernelSize: 3, inputShape: [28, 28, 1] }));
  const lstm = bn.layers.lstm({ name: 'lstm', units: 16 });
  t.throws(() => model.add(lstm), {
    name: 'ShapeError',
    message: 'lstm (LSTM): expected input of shape [null, timesteps, features], got [null, 26, 26, 32]. ' +
      'Add bn.layers.reshape({targetShape: [26, 832]}) (or timeDistributed(flatten())) before it.',
  });
  t.equal(model.layers.length, 1, 'the LSTM was not added');

  // The suggested fix works.
  model.add(bn.layers.reshape({ targetShape: [26, 832] }));
  model.add(bn.layers.lstm({ units: 16 }));
  t.same(model.outputShape, [16]);
  t.same(model.predict(bn.zeros([2, 28, 28, 1])).shape, [2, 16]);
});

t.test('other ranks and layers', async (t) => {
  t.throws(() => bn.sequential({ layers: [bn.layers.gru({ name: 'g', units: 4, inputShape: [100] })] }),
    /g \(GRU\): expected input of shape \[null, timesteps, features\], got \[null, 100\]\. Add bn\.layers\.reshape\(\{targetShape: \[100, 1\]\}\) before it to read 100 timesteps of 1 feature/);
  t.throws(() => bn.sequential({ layers: [bn.layers.gru({ name: 'g2', units: 4, inputShape: [4, 5, 6] })] }),
    /g2 \(GRU\): .*got \[null, 4, 5, 6\]\. Add bn\.layers\.reshape\(\{targetShape: \[4, 30\]\}\)/);
  t.throws(() => bn.sequential({ layers: [bn.layers.bidirectional({ name: 'bi', layer: bn.layers.lstm({ units: 4 }), inputShape: [2, 3, 4] })] }),
    /bi \(Bidirectional\): expected input of shape \[null, timesteps, features\], got \[null, 2, 3, 4\]\. Add bn\.layers\.reshape\(\{targetShape: \[2, 12\]\}\) \(or timeDistributed\(flatten\(\)\)\) before the Bidirectional layer/);
});

t.test('returnState is accepted but a Sequential model takes one output', async (t) => {
  const lstm = bn.layers.lstm({ name: 'ls', units: 4, returnState: true });
  t.equal(lstm.getConfig().return_state, true);
  t.throws(() => bn.sequential({ layers: [bn.layers.lstm({ name: 'ls2', units: 4, returnState: true, inputShape: [3, 2] })] }),
    /ls2 \(LSTM\): returnState: true would give several outputs .*blasnet layers give one output each/);
  t.throws(() => bn.sequential({ layers: [bn.layers.bidirectional({ name: 'b2', layer: lstm, inputShape: [3, 2] })] }),
    /b2 \(Bidirectional\): the wrapped ls \(LSTM\) has returnState: true, which would give several outputs .*blasnet layers give one output each/);
});

t.test('bad configurations', async (t) => {
  t.throws(() => bn.layers.lstm({ name: 'u', units: 0 }), /u \(LSTM\): units must be a positive integer, got 0/);
  t.throws(() => bn.layers.gru({ name: 'a', units: 2, activation: 'softmax' }), /a \(GRU\): activation must act elementwise; softmax is not supported/);
  t.throws(() => bn.layers.lstm({ name: 'r', units: 2, recurrentActivation: 'sigmod' as 'sigmoid' }), /r \(LSTM\): recurrentActivation: Unknown activation 'sigmod'/);
  t.throws(() => bn.layers.lstm({ name: 's', units: 2, stateful: true }), /s \(LSTM\): stateful: true is not supported/);
  t.throws(() => bn.layers.lstm({ name: 'd', units: 2, dropout: 1 }), /d \(LSTM\): dropout must be a number in \[0, 1\), got 1/);
  t.throws(() => bn.layers.gru({ name: 'rd', units: 2, recurrentDropout: -0.1 }), /rd \(GRU\): recurrentDropout must be a number in \[0, 1\), got -0\.1/);
  t.throws(() => bn.layers.bidirectional({ name: 'bx', layer: bn.layers.dense({ units: 2 }) as unknown as bn.LSTM }), /bx \(Bidirectional\): layer must be an LSTM or GRU layer/);
  t.throws(() => bn.layers.bidirectional({ name: 'bm', layer: bn.layers.lstm({ units: 2 }), mergeMode: 'max' as 'sum' }), /bm \(Bidirectional\): mergeMode must be one of 'concat', 'sum', 'mul', 'ave', got "max"/);
  t.throws(() => bn.layers.bidirectional({ name: 'bn', layer: bn.layers.lstm({ units: 2 }), mergeMode: null }), /bn \(Bidirectional\): mergeMode null returns the two directions as two outputs/);
});

t.test('Keras config fields and defaults', async (t) => {
  const lstm = bn.layers.lstm({ units: 3, inputShape: [5, 2] });
  const model = bn.sequential({ layers: [lstm] });
  const c = lstm.getConfig();
  t.match(c, {
    units: 3, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true, unit_forget_bias: true,
    kernel_initializer: { class_name: 'GlorotUniform' }, recurrent_initializer: { class_name: 'Orthogonal' },
    bias_initializer: { class_name: 'Zeros' }, return_sequences: false, return_state: false, go_backwards: false,
    stateful: false, unroll: false, dropout: 0, recurrent_dropout: 0, seed: null, implementation: 2, batch_input_shape: [null, 5, 2],
  });
  t.same(Array.from(model.getWeights()[2].data), [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0], 'unit_forget_bias: [0(U), 1(U), 0(2U)]');
  const gru = bn.layers.gru({ units: 3, recurrent_activation: 'hard_sigmoid', reset_after: false } as bn.GRUArgs);
  t.match(gru.getConfig(), { reset_after: false, recurrent_activation: 'hard_sigmoid' });
  const g2 = bn.layers.gru({ units: 3, inputShape: [4, 2] });
  bn.sequential({ layers: [g2] });
  t.same(g2.weights.map((p) => p.value.shape), [[2, 9], [3, 9], [2, 9]], 'reset_after: bias [2, 3U]');
});

t.test("Bidirectional takes Keras 3's backwardLayer (the wrapped layer flipped) and refuses any other", async (t) => {
  const layer = bn.layers.lstm({ units: 2, name: 'forward_l' });
  t.doesNotThrow(() => bn.layers.bidirectional({ layer, backwardLayer: bn.layers.lstm({ units: 2, name: 'backward_l', goBackwards: true }) }));
  t.throws(() => bn.layers.bidirectional({ layer, backwardLayer: bn.layers.lstm({ units: 3, goBackwards: true }) }), /backwardLayer must be the wrapped layer with goBackwards flipped/);
  t.throws(() => bn.layers.bidirectional({ layer, backwardLayer: bn.layers.lstm({ units: 2 }) }), /backwardLayer must be the wrapped layer with goBackwards flipped/);
  t.throws(() => bn.layers.bidirectional({ layer, backwardLayer: bn.layers.gru({ units: 2, goBackwards: true }) }), /backwardLayer must be the wrapped layer with goBackwards flipped/);
});
