import { ActivationArgs, ActivationLayer, Dense, DenseArgs } from './dense';

export { Layer, Param } from './layer';
export type { LayerArgs } from './layer';
export { Dense, ActivationLayer };
export type { DenseArgs, ActivationArgs };

/** Layer factories, named as in TensorFlow.js (`bn.layers.dense({...})`). */
export const layers = {
  dense: (args: DenseArgs): Dense => new Dense(args),
  activation: (args: ActivationArgs): ActivationLayer => new ActivationLayer(args),
};
