import { toCategorical } from './categorical';
import { loadIdx } from './idx';
import { normalize, standardize } from './preprocessing';

export type { LoadIdxOptions } from './idx';
export type { NormalizeStats, ScalingOptions, Statistic, StandardizeStats } from './preprocessing';

/** Dataset readers (`bn.data.loadIdx`). */
export const data = { loadIdx };

/** Label helpers, as in keras.utils (`bn.utils.toCategorical`). */
export const utils = { toCategorical };

/** Feature scaling returning its statistics (`bn.preprocessing.standardize`, `normalize`). */
export const preprocessing = { standardize, normalize };
