import { ValueError } from '../errors';
import { KerasOptions, lookup } from '../names';
import { Adam, AdamArgs, AdamW } from './adam';
import { Optimizer } from './optimizer';
import { RMSprop, RmspropArgs } from './rmsprop';
import { schedules } from './schedules';
import { SGD, SgdArgs } from './sgd';

export { Optimizer, SGD, Adam, AdamW, RMSprop };
export { LearningRateSchedule, ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, CosineDecay } from './schedules';
export type { SgdArgs, AdamArgs, RmspropArgs };

/** Optimizer factories with the TensorFlow.js names and Keras defaults. */
export const optimizers = {
  sgd: (args?: KerasOptions<SgdArgs>): Optimizer => new SGD(args as SgdArgs),
  adam: (args?: KerasOptions<AdamArgs>): Optimizer => new Adam(args as AdamArgs),
  adamw: (args?: KerasOptions<AdamArgs>): Optimizer => new AdamW(args as AdamArgs),
  rmsprop: (args?: KerasOptions<RmspropArgs>): Optimizer => new RMSprop(args as RmspropArgs),
  /** Learning-rate schedules, accepted wherever a learning rate is. */
  schedules,
};

/** Resolves 'adam', 'sgd', 'rmsprop', 'adamw' or an Optimizer instance. */
export function getOptimizer(id: string | Optimizer): Optimizer {
  if (id instanceof Optimizer) return id;
  if (typeof id !== 'string') throw new ValueError(`compile: optimizer must be a name such as 'adam' or an optimizer object, got ${JSON.stringify(id)}`);
  const { schedules: _, ...byName } = optimizers;
  return lookup(byName, id, 'optimizer', (m) => new ValueError(`compile: ${m}`))();
}
