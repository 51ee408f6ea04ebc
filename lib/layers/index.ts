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
import { KerasOptions } from '../names';

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
  function factory(args?: KerasOptions<A>): L;
  function factory(inputs: SymbolicTensor[], args?: KerasOptions<A>): SymbolicTensor;
  function factory(first?: KerasOptions<A> | SymbolicTensor[], args?: KerasOptions<A>): L | SymbolicTensor {
    if (Array.isArray(first)) return make((args ?? {}) as A).apply(first) as SymbolicTensor;
    return make((first ?? {}) as A);
  }
  return factory;
}

/** Layer factories, named as in TensorFlow.js (`bn.layers.dense({...})`). */
export const layers = {
  dense: (args: KerasOptions<DenseArgs>): Dense => new Dense(args as DenseArgs),
  activation: (args: KerasOptions<ActivationArgs>): ActivationLayer => new ActivationLayer(args as ActivationArgs),
  lstm: (args: KerasOptions<LSTMArgs>): LSTM => new LSTM(args as LSTMArgs),
  gru: (args: KerasOptions<GRUArgs>): GRU => new GRU(args as GRUArgs),
  bidirectional: (args: KerasOptions<BidirectionalArgs>): Bidirectional => new Bidirectional(args as BidirectionalArgs),
  conv2d: (args: KerasOptions<Conv2DArgs>): Conv2D => new Conv2D(args as Conv2DArgs),
  conv1d: (args: KerasOptions<Conv1DArgs>): Conv1D => new Conv1D(args as Conv1DArgs),
  maxPooling2d: (args?: KerasOptions<PoolingArgs>): MaxPooling2D => new MaxPooling2D(args as PoolingArgs),
  averagePooling2d: (args?: KerasOptions<PoolingArgs>): AveragePooling2D => new AveragePooling2D(args as PoolingArgs),
  maxPooling1d: (args?: KerasOptions<PoolingArgs>): MaxPooling1D => new MaxPooling1D(args as PoolingArgs),
  averagePooling1d: (args?: KerasOptions<PoolingArgs>): AveragePooling1D => new AveragePooling1D(args as PoolingArgs),
  batchNormalization: (args?: KerasOptions<BatchNormalizationArgs>): BatchNormalization => new BatchNormalization(args as BatchNormalizationArgs),
  dropout: (args: KerasOptions<DropoutArgs>): Dropout => new Dropout(args as DropoutArgs),
  flatten: (args?: KerasOptions<FlattenArgs>): Flatten => new Flatten(args as FlattenArgs),
  reshape: (args: KerasOptions<ReshapeArgs>): Reshape => new Reshape(args as ReshapeArgs),
  globalAveragePooling1d: (args?: KerasOptions<GlobalPoolingArgs>): GlobalAveragePooling1D => new GlobalAveragePooling1D(args as GlobalPoolingArgs),
  globalAveragePooling2d: (args?: KerasOptions<GlobalPoolingArgs>): GlobalAveragePooling2D => new GlobalAveragePooling2D(args as GlobalPoolingArgs),
  globalMaxPooling1d: (args?: KerasOptions<GlobalPoolingArgs>): GlobalMaxPooling1D => new GlobalMaxPooling1D(args as GlobalPoolingArgs),
  globalMaxPooling2d: (args?: KerasOptions<GlobalPoolingArgs>): GlobalMaxPooling2D => new GlobalMaxPooling2D(args as GlobalPoolingArgs),
  timeDistributed: (args: KerasOptions<TimeDistributedArgs>): TimeDistributed => new TimeDistributed(args as TimeDistributedArgs),
  embedding: (args: KerasOptions<EmbeddingArgs>): Embedding => new Embedding(args as EmbeddingArgs),
  add: merge((a: MergeArgs) => new Add(a)),
  subtract: merge((a: MergeArgs) => new Subtract(a)),
  multiply: merge((a: MergeArgs) => new Multiply(a)),
  average: merge((a: MergeArgs) => new Average(a)),
  maximum: merge((a: MergeArgs) => new Maximum(a)),
  minimum: merge((a: MergeArgs) => new Minimum(a)),
  concatenate: merge((a: ConcatenateArgs) => new Concatenate(a)),
  dot: merge((a: DotArgs) => new Dot(a)),
};
