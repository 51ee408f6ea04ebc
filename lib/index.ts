// blasnet: Keras-style deep learning for Node.js over C++ kernels and OpenBLAS.
export { Tensor, tensor, zeros, cast } from './tensor';
export type { DType, Shape, TensorLike, NestedArray } from './tensor';
export { ValueError, ShapeError } from './errors';
export { setSeed } from './random';
export { layers, Layer, Dense, ActivationLayer } from './layers';
export type { LayerArgs, DenseArgs, ActivationArgs } from './layers';
export { Sequential, sequential } from './models/sequential';
export type { CompileArgs, FitArgs, Callbacks } from './models/sequential';
export { History } from './models/history';
export { optimizers, Optimizer, SGD, Adam, AdamW, RMSprop } from './optimizers';
export { initializers } from './initializers';
export type { Initializer } from './initializers';
export { getLoss } from './losses';
export type { Loss } from './losses';
export { native } from './native';
