import { ActivationArgs, ActivationLayer, Dense, DenseArgs } from './dense';
import { GRU, GRUArgs, LSTM, LSTMArgs, Recurrent, RecurrentArgs } from './recurrent';
import { Bidirectional, BidirectionalArgs, MergeMode } from './bidirectional';
import { Conv1D, Conv1DArgs, Conv2D, Conv2DArgs } from './conv';
import { AveragePooling1D, AveragePooling2D, MaxPooling1D, MaxPooling2D, PoolingArgs } from './pooling';
import { Dropout, DropoutArgs } from './dropout';
import {
  GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalPoolingArgs,
} from './global-pooling';
import { BatchNormalization, BatchNormalizationArgs } from './normalization';
import { Flatten, FlattenArgs, Reshape, ReshapeArgs } from './reshape';
import { TimeDistributed, TimeDistributedArgs } from './time-distributed';
import { Embedding, EmbeddingArgs } from './embedding';
import { Add, Average, Concatenate, ConcatenateArgs, Dot, DotArgs, Maximum, MergeArgs, Minimum, Multiply, Subtract } from './merge';
import { SymbolicTensor } from '../engine/symbolic';
import { Layer } from './layer';

export { Layer, Param } from './layer';
export type { LayerArgs } from './layer';
export { Dense, ActivationLayer };
export type { DenseArgs, ActivationArgs };
export { LSTM, GRU, Recurrent, Bidirectional };
export type { LSTMArgs, GRUArgs, RecurrentArgs, BidirectionalArgs, MergeMode };
export { Conv1D, Conv2D, AveragePooling1D, AveragePooling2D, MaxPooling1D, MaxPooling2D };
export type { Conv1DArgs, Conv2DArgs, PoolingArgs };
export { BatchNormalization, Dropout, Flatten, Reshape, TimeDistributed };
export { GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling1D, GlobalMaxPooling2D };
export type { BatchNormalizationArgs, DropoutArgs, FlattenArgs, ReshapeArgs, TimeDistributedArgs, GlobalPoolingArgs };
export { Embedding };
export type { EmbeddingArgs };
export { Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot };
export type { MergeArgs, ConcatenateArgs, DotArgs };

/**
 * A merge layer factory taking a config (TensorFlow.js: `bn.layers.add({name})` gives the
 * layer) or, as Keras's functional helpers do, the tensors to merge (`bn.layers.add([a, b])`
 * gives the merged tensor).
 */
function merge<A, L extends Layer>(make: (args: A) => L) {
  function factory(args?: A): L;
  function factory(inputs: SymbolicTensor[], args?: A): SymbolicTensor;
  function factory(first?: A | SymbolicTensor[], args?: A): L | SymbolicTensor {
    if (Array.isArray(first)) return make((args ?? {}) as A).apply(first) as SymbolicTensor;
    return make((first ?? {}) as A);
  }
  return factory;
}

/** Layer factories, named as in TensorFlow.js (`bn.layers.dense({...})`). */
export const layers = {
  dense: (args: DenseArgs): Dense => new Dense(args),
  activation: (args: ActivationArgs): ActivationLayer => new ActivationLayer(args),
  lstm: (args: LSTMArgs): LSTM => new LSTM(args),
  gru: (args: GRUArgs): GRU => new GRU(args),
  bidirectional: (args: BidirectionalArgs): Bidirectional => new Bidirectional(args),
  conv2d: (args: Conv2DArgs): Conv2D => new Conv2D(args),
  conv1d: (args: Conv1DArgs): Conv1D => new Conv1D(args),
  maxPooling2d: (args: PoolingArgs = {}): MaxPooling2D => new MaxPooling2D(args),
  averagePooling2d: (args: PoolingArgs = {}): AveragePooling2D => new AveragePooling2D(args),
  maxPooling1d: (args: PoolingArgs = {}): MaxPooling1D => new MaxPooling1D(args),
  averagePooling1d: (args: PoolingArgs = {}): AveragePooling1D => new AveragePooling1D(args),
  batchNormalization: (args: BatchNormalizationArgs = {}): BatchNormalization => new BatchNormalization(args),
  dropout: (args: DropoutArgs): Dropout => new Dropout(args),
  flatten: (args: FlattenArgs = {}): Flatten => new Flatten(args),
  reshape: (args: ReshapeArgs): Reshape => new Reshape(args),
  globalAveragePooling1d: (args: GlobalPoolingArgs = {}): GlobalAveragePooling1D => new GlobalAveragePooling1D(args),
  globalAveragePooling2d: (args: GlobalPoolingArgs = {}): GlobalAveragePooling2D => new GlobalAveragePooling2D(args),
  globalMaxPooling1d: (args: GlobalPoolingArgs = {}): GlobalMaxPooling1D => new GlobalMaxPooling1D(args),
  globalMaxPooling2d: (args: GlobalPoolingArgs = {}): GlobalMaxPooling2D => new GlobalMaxPooling2D(args),
  timeDistributed: (args: TimeDistributedArgs): TimeDistributed => new TimeDistributed(args),
  embedding: (args: EmbeddingArgs): Embedding => new Embedding(args),
  add: merge((a: MergeArgs) => new Add(a)),
  subtract: merge((a: MergeArgs) => new Subtract(a)),
  multiply: merge((a: MergeArgs) => new Multiply(a)),
  average: merge((a: MergeArgs) => new Average(a)),
  maximum: merge((a: MergeArgs) => new Maximum(a)),
  minimum: merge((a: MergeArgs) => new Minimum(a)),
  concatenate: merge((a: ConcatenateArgs) => new Concatenate(a)),
  dot: merge((a: DotArgs) => new Dot(a)),
};
