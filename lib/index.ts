// blasnet: Keras-style deep learning for Node.js over C++ kernels and OpenBLAS.
export { Tensor, tensor, zeros, cast } from './tensor';
export type { DType, Shape, TensorLike, NestedArray } from './tensor';
export { ValueError, ShapeError } from './errors';
export { setSeed } from './random';
export { layers, Layer, Dense, ActivationLayer } from './layers';
export { LSTM, GRU, Recurrent, Bidirectional } from './layers';
export type { LSTMArgs, GRUArgs, RecurrentArgs, BidirectionalArgs, MergeMode } from './layers';
export { Embedding } from './layers';
export { Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot } from './layers';
export type { MergeArgs, ConcatenateArgs, DotArgs } from './layers';
export type { EmbeddingArgs } from './layers';
export type { LayerArgs, DenseArgs, ActivationArgs } from './layers';
export { Conv1D, Conv2D, AveragePooling1D, AveragePooling2D, MaxPooling1D, MaxPooling2D } from './layers';
export type { Conv1DArgs, Conv2DArgs, PoolingArgs } from './layers';
export {
  BatchNormalization, Dropout, Flatten, Reshape, TimeDistributed,
  GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling1D, GlobalMaxPooling2D,
} from './layers';
export type {
  BatchNormalizationArgs, DropoutArgs, FlattenArgs, ReshapeArgs, TimeDistributedArgs, GlobalPoolingArgs,
} from './layers';
export { Sequential, sequential } from './models/sequential';
export type { SequentialArgs } from './models/sequential';
export { LayersModel, LayersModel as Model, model } from './models/model';
export type { ModelArgs, ModelData, FitArgs, InferenceArgs, EvaluateArgs } from './models/model';
export type { SampleWeightData, ClassWeight } from './models/weights';
export type { Callbacks, Logs } from './models/callbacks';
export type { KerasOptions, SnakeKeys } from './names';
export type { CompileArgs, PerOutput } from './models/training';
export { input, InputLayer } from './engine/input-layer';
export type { InputArgs } from './engine/input-layer';
export { SymbolicTensor } from './engine/symbolic';
export { History } from './models/history';
export { callbacks, Callback, EarlyStopping, ReduceLROnPlateau, LearningRateScheduler, TerminateOnNaN, ModelCheckpoint, CSVLogger } from './callbacks';
export type { EarlyStoppingArgs, ReduceLROnPlateauArgs, ModelCheckpointArgs, CSVLoggerArgs, TerminateOnNaNArgs } from './callbacks';
export { optimizers, Optimizer, SGD, Adam, AdamW, RMSprop } from './optimizers';
export { initializers } from './initializers';
export { regularizers, Regularizer } from './regularizers';
export { constraints, Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm } from './constraints';
export type { Initializer } from './initializers';
export { getLoss, losses } from './losses';
export type { Loss, CrossentropyArgs, SparseCrossentropyArgs, HuberArgs } from './losses';
export { getMetric, metrics } from './metrics';
export type { Metric, MetricFn, MetricIdentifier, AucArgs, ThresholdArgs } from './metrics';
export { native, backendInfo } from './native';
export type { BackendInfo } from './native';
export { data, utils, preprocessing } from './data';
export { loadLayersModel } from './io/load';
export type { SaveResult } from './io/save';
export type { LoadIdxOptions, NormalizeStats, PadSequencesOptions, ScalingOptions, Statistic, StandardizeStats } from './data';
export type { SpectrogramOptions, Wav } from './data';
