import t from 'tap';
import * as bn from '../../lib/index';

// Convolution and pooling errors name the layer and the expected and actual shapes
// or sizes; bad configs are caught in the constructor.

t.test('conv2d on an input without a channel axis', async (t) => {
  t.throws(() => bn.sequential({ layers: [bn.layers.conv2d({ name: 'c1', filters: 4, kernelSize: 3, inputShape: [28, 28] })] }), {
    name: 'ShapeError',
    message: 'c1 (Conv2D): expected input of shape [null, height, width, channels], got [null, 28, 28]',
  });
  const model = bn.sequential({ layers: [bn.layers.dense({ units: 8, inputShape: [4] })] });
  t.throws(() => model.add(bn.layers.conv2d({ name: 'c2', filters: 2, kernelSize: 1 })),
    { name: 'ShapeError', message: 'c2 (Conv2D): expected input of shape [null, height, width, channels], got [null, 8]' });
  t.throws(() => bn.sequential({ layers: [bn.layers.conv1d({ name: 'c3', filters: 2, kernelSize: 3, inputShape: [10, 4, 1] })] }),
    { name: 'ShapeError', message: 'c3 (Conv1D): expected input of shape [null, steps, channels], got [null, 10, 4, 1]' });
  t.throws(() => bn.sequential({ layers: [bn.layers.maxPooling2d({ name: 'p', inputShape: [6, 6] })] }),
    { name: 'ShapeError', message: 'p (MaxPooling2D): expected input of shape [null, height, width, channels], got [null, 6, 6]' });
  t.throws(() => bn.sequential({ layers: [bn.layers.averagePooling1d({ name: 'p1', inputShape: [6] })] }),
    { name: 'ShapeError', message: 'p1 (AveragePooling1D): expected input of shape [null, steps, channels], got [null, 6]' });
});

t.test('kernels and pools larger than a valid-padded input', async (t) => {
  t.throws(() => bn.sequential({ layers: [bn.layers.conv2d({ name: 'big', filters: 2, kernelSize: [3, 5], inputShape: [4, 3, 1] })] }), {
    name: 'ShapeError',
    message: "big (Conv2D): kernel width 5 is larger than the input width 3 with padding 'valid' (input [null, 4, 3, 1])",
  });
  t.throws(() => bn.sequential({ layers: [bn.layers.conv1d({ name: 'dil', filters: 2, kernelSize: 3, dilationRate: 3, inputShape: [6, 2] })] }), {
    name: 'ShapeError',
    message: "dil (Conv1D): kernel steps 3 (spanning 7 with dilation 3) is larger than the input steps 6 with padding 'valid' (input [null, 6, 2])",
  });
  t.throws(() => bn.sequential({ layers: [bn.layers.maxPooling2d({ name: 'pool', poolSize: 3, inputShape: [2, 5, 1] })] }), {
    name: 'ShapeError',
    message: "pool (MaxPooling2D): pool height 3 is larger than the input height 2 with padding 'valid' (input [null, 2, 5, 1])",
  });
  // The same windows fit with 'same' padding.
  const same = bn.sequential({ layers: [bn.layers.conv2d({ filters: 2, kernelSize: [3, 5], padding: 'same', inputShape: [4, 3, 1] }), bn.layers.maxPooling2d({ poolSize: 3, padding: 'same' })] });
  t.same(same.outputShape, [2, 1, 2]);
});

t.test('bad configs name the layer', async (t) => {
  const cases: [() => unknown, RegExp][] = [
    [() => bn.layers.conv2d({ name: 'c', filters: 0, kernelSize: 3 }), /^c \(Conv2D\): filters must be a positive integer, got 0$/],
    [() => bn.layers.conv2d({ name: 'c', filters: 2 } as bn.Conv2DArgs), /^c \(Conv2D\): kernelSize must be a positive integer or a list of 2 positive integers, got undefined$/],
    [() => bn.layers.conv2d({ name: 'c', filters: 2, kernelSize: [3] }), /kernelSize must be .* got \[3\]/],
    [() => bn.layers.conv2d({ name: 'c', filters: 2, kernelSize: 3, strides: 0 }), /^c \(Conv2D\): strides must be .* got 0$/],
    [() => bn.layers.conv2d({ name: 'c', filters: 2, kernelSize: 3, padding: 'causal' }), /^c \(Conv2D\): padding must be one of 'valid', 'same', got "causal"$/],
    [() => bn.layers.conv2d({ name: 'c', filters: 2, kernelSize: 3, strides: 2, dilationRate: 2 }), /strides > 1 cannot be combined with dilationRate > 1/],
    [() => bn.layers.conv2d({ name: 'c', filters: 2, kernelSize: 3, dataFormat: 'channels_first' }), /^c \(Conv2D\): only dataFormat 'channels_last' \(NHWC\) is supported/],
    [() => bn.layers.conv1d({ name: 'c', filters: 2, kernelSize: [3, 3] }), /^c \(Conv1D\): kernelSize must be a positive integer \(or a list of one\), got \[3,3\]$/],
    [() => bn.layers.maxPooling2d({ name: 'p', poolSize: [2, 0] }), /^p \(MaxPooling2D\): poolSize must be .* got \[2,0\]$/],
    [() => bn.layers.averagePooling2d({ name: 'p', padding: 'full' as 'same' }), /^p \(AveragePooling2D\): padding must be 'valid' or 'same', got "full"$/],
    [() => bn.layers.maxPooling1d({ name: 'p', strides: 1.5 }), /^p \(MaxPooling1D\): strides must be a positive integer \(or a list of one\), got 1.5$/],
  ];
  for (const [make, message] of cases) t.throws(make, { name: 'ValueError', message });
});

t.test('predict with the wrong image size', async (t) => {
  const model = bn.sequential({ layers: [bn.layers.conv2d({ name: 'c', filters: 2, kernelSize: 3, inputShape: [8, 8, 1] })] });
  t.throws(() => model.predict(bn.zeros([2, 8, 7, 1])), /c \(Conv2D\) expects input of shape \[null, 8, 8, 1\], got x of shape \[2, 8, 7, 1\]/);
});

t.test('Keras configs, snake_case arguments and default pool strides', async (t) => {
  const conv = bn.layers.conv2d({ name: 'c', filters: 4, kernel_size: [3, 2], strides: 2, padding: 'same', activation: 'relu', inputShape: [9, 8, 3] } as unknown as bn.Conv2DArgs);
  bn.sequential({ layers: [conv] });
  const config = conv.getConfig();
  t.match(config, {
    name: 'c', filters: 4, kernel_size: [3, 2], strides: [2, 2], padding: 'same', data_format: 'channels_last',
    dilation_rate: [1, 1], activation: 'relu', use_bias: true, batch_input_shape: [null, 9, 8, 3],
    kernel_initializer: { class_name: 'GlorotUniform' }, bias_initializer: { class_name: 'Zeros' },
  });
  t.same(conv.weights.map((p) => [p.name, p.value.shape]), [['kernel', [3, 2, 3, 4]], ['bias', [4]]]);
  const c1 = bn.layers.conv1d({ filters: 2, kernelSize: 5, padding: 'causal', useBias: false, inputShape: [10, 3] });
  const m1 = bn.sequential({ layers: [c1] });
  t.same(m1.outputShape, [10, 2], 'causal keeps the length');
  t.same(c1.weights.map((p) => [p.name, p.value.shape]), [['kernel', [5, 3, 2]]]);
  t.match(c1.getConfig(), { kernel_size: [5], strides: [1], dilation_rate: [1], padding: 'causal', use_bias: false });
  t.match(bn.layers.maxPooling2d().getConfig(), { pool_size: [2, 2], strides: [2, 2], padding: 'valid', data_format: 'channels_last' });
  t.match(bn.layers.averagePooling2d({ poolSize: [3, 2], strides: 1 }).getConfig(), { pool_size: [3, 2], strides: [1, 1] });
  t.match(bn.layers.maxPooling1d({ pool_size: 3 } as bn.PoolingArgs).getConfig(), { pool_size: [3], strides: [3] });
  t.equal(bn.layers.maxPooling2d().name.startsWith('max_pooling2d'), true);
});
