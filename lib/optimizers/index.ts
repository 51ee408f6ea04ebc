import { ValueError, formatValue } from '../errors';
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

/** An optimizer from its saved `{class_name, config}` (Keras snake_case or TF.js camelCase config keys). */
export function optimizerFromConfig(saved: unknown, where: string): Optimizer {
  const s = (saved ?? {}) as { class_name?: unknown; className?: unknown; config?: Record<string, unknown> };
  const className = s.class_name ?? s.className;
  const make = { adam: optimizers.adam, adamw: optimizers.adamw, sgd: optimizers.sgd, rmsprop: optimizers.rmsprop }[String(className).toLowerCase()];
  if (!make) throw new ValueError(`${where}: optimizer class ${formatValue(className)} is not one blasnet has (Adam, AdamW, SGD, RMSprop)`);
  const config = { ...(s.config ?? {}) };
  const lr = config.learning_rate ?? config.learningRate;
  if (lr && typeof lr === 'object') {
    const { class_name: scheduleClass, config: scheduleConfig } = lr as { class_name?: string; config?: Record<string, unknown> };
    const factory = Object.entries(schedules).find(([k]) => k.toLowerCase() === String(scheduleClass).toLowerCase())?.[1];
    if (!factory) throw new ValueError(`${where}: learning-rate schedule ${formatValue(scheduleClass)} is not one blasnet has`);
    delete config.learning_rate;
    config.learningRate = factory(scheduleConfig as never);
  }
  return make(config as never);
}

/** Resolves 'adam', 'sgd', 'rmsprop', 'adamw' or an Optimizer instance. */
export function getOptimizer(id: string | Optimizer): Optimizer {
  if (id instanceof Optimizer) return id;
  if (typeof id !== 'string') throw new ValueError(`compile: optimizer must be a name such as 'adam' or an optimizer object, got ${formatValue(id)}`);
  const { schedules: _, ...byName } = optimizers;
  return lookup(byName, id, 'optimizer', (m) => new ValueError(`compile: ${m}`))();
}
