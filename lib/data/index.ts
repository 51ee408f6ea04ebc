import { decodeWav, spectrogram } from './audio';
import { toCategorical } from './categorical';
import { loadIdx } from './idx';
import { normalize, standardize } from './preprocessing';

export type { SpectrogramOptions, Wav } from './audio';
export type { LoadIdxOptions } from './idx';
export type { NormalizeStats, ScalingOptions, Statistic, StandardizeStats } from './preprocessing';

/** Dataset readers and audio features (`bn.data.loadIdx`, `decodeWav`, `spectrogram`). */
export const data = { loadIdx, decodeWav, spectrogram };

/** Label helpers, as in keras.utils (`bn.utils.toCategorical`). */
export const utils = { toCategorical };

/** Feature scaling returning its statistics (`bn.preprocessing.standardize`, `normalize`). */
export const preprocessing = { standardize, normalize };
