import { decodeWav, spectrogram } from './audio';
import { toCategorical } from './categorical';
import { loadIdx } from './idx';
import { normalize, padSequences, standardize } from './preprocessing';

export type { SpectrogramOptions, Wav } from './audio';
export type { LoadIdxOptions } from './idx';
export type { NormalizeStats, PadSequencesOptions, ScalingOptions, Statistic, StandardizeStats } from './preprocessing';

/** Dataset readers and audio features (`bn.data.loadIdx`, `decodeWav`, `spectrogram`). */
export const data = { loadIdx, decodeWav, spectrogram };

/** Label and sequence helpers, as in keras.utils (`bn.utils.toCategorical`, `padSequences`). */
export const utils = { toCategorical, padSequences };

/** Feature scaling returning its statistics (`bn.preprocessing.standardize`, `normalize`) and `padSequences`. */
export const preprocessing = { standardize, normalize, padSequences };
