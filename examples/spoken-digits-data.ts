// Spoken digits "zero" ... "nine" synthesised by Debian's espeak-ng, for the speech examples
// (spoken-digits.ts, seed-speech.ts). Each voice is an English accent with a voice variant
// (+m1 ... +f4), each rendition a random speed, pitch and loudness. The WAV files are cached under
// os.tmpdir(), then read with bn.data.decodeWav and turned into log-mel spectrograms of a fixed
// number of frames with bn.data.spectrogram. Test voices are variants never heard in training.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as bn from '../lib/index';
import { seededRandom } from '../lib/random';

const run = promisify(execFile);

export const DIGITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
export const ACCENTS = ['en', 'en-us', 'en-gb-scotland', 'en-gb-x-rp', 'en-gb-x-gbclan', 'en-gb-x-gbcwmd', 'en-029'];
const VARIANTS = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'f1', 'f2', 'f3', 'f4'];
/** Voice variants kept out of training: the test set is every accent spoken with these. */
export const TEST_VARIANTS = ['m7', 'f4'];

const SAMPLE_RATE = 22050; // what espeak-ng writes
const FRAME_LENGTH = 512; // 23 ms
const HOP = 441; // 20 ms
/** Frames kept per utterance from its first sound: 0.8 s, longer than all but a few of the slowest digits. */
export const FRAMES = 40;
export const MEL_BANDS = 24;
/** Log-energies more than this far below an utterance's loudest band are clipped (about 43 dB). */
const DYNAMIC_RANGE = 10;

export interface Utterance {
  digit: number;
  accent: string;
  variant: string;
  speed: number;
  pitch: number;
  amplitude: number;
}

export interface SpokenDigits {
  /** Log-mel spectrograms [N, FRAMES, MEL_BANDS, 1], 0 at the loudest band of each utterance. */
  x: bn.Tensor;
  labels: Int32Array;
  utterances: Utterance[];
}

/** Exits with the apt-get command when espeak-ng is missing. */
async function requireEspeak(): Promise<void> {
  try {
    await run('espeak-ng', ['--version']);
  } catch {
    console.error("espeak-ng not found. Install Debian's package:\n  sudo apt-get install espeak-ng");
    process.exit(1);
  }
}

/** `renditions` of every digit by every accent and variant, at random speeds, pitches and loudness. */
function listUtterances(renditions: number, seed: number): Utterance[] {
  const { uniform } = seededRandom(seed);
  const between = (lo: number, hi: number): number => Math.round(lo + (hi - lo) * uniform());
  const list: Utterance[] = [];
  for (const accent of ACCENTS) {
    for (const variant of VARIANTS) {
      for (let digit = 0; digit < DIGITS.length; digit++) {
        for (let r = 0; r < renditions; r++) {
          list.push({ digit, accent, variant, speed: between(120, 220), pitch: between(20, 80), amplitude: between(60, 160) });
        }
      }
    }
  }
  return list;
}

function cachePath(dir: string, u: Utterance): string {
  return path.join(dir, `${u.accent}+${u.variant}-${DIGITS[u.digit]}-s${u.speed}-p${u.pitch}-a${u.amplitude}.wav`);
}

/** Writes the WAV files not yet in the cache, two espeak-ng processes at a time. */
async function synthesise(utterances: Utterance[], dir: string, onProgress?: (done: number, total: number) => void): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const missing = utterances.filter((u) => !existsSync(cachePath(dir, u)));
  let next = 0, done = 0;
  const worker = async (): Promise<void> => {
    while (next < missing.length) {
      const u = missing[next++];
      const file = cachePath(dir, u);
      // Written under another name and renamed, so an interrupted run leaves no truncated file behind.
      const partial = `${file}.${process.pid}.partial`;
      await run('espeak-ng', ['-v', `${u.accent}+${u.variant}`, '-s', String(u.speed), '-p', String(u.pitch),
        '-a', String(u.amplitude), '-w', partial, DIGITS[u.digit]]);
      renameSync(partial, file);
      onProgress?.(++done, missing.length);
    }
  };
  await Promise.all([worker(), worker()]);
}

/** Triangular mel filters over the bins of a fftLength-point spectrum: [bands][bins] weights. */
function melFilterbank(bands: number, fftLength: number, sampleRate: number, lowHz = 80, highHz = 7600): Float64Array[] {
  const mel = (hz: number): number => 2595 * Math.log10(1 + hz / 700);
  const hz = (m: number): number => 700 * (10 ** (m / 2595) - 1);
  const edges = Array.from({ length: bands + 2 }, (_, i) => hz(mel(lowHz) + ((mel(highHz) - mel(lowHz)) * i) / (bands + 1)));
  const bins = fftLength / 2 + 1;
  return Array.from({ length: bands }, (_, b) => {
    const [lo, centre, hi] = [edges[b], edges[b + 1], edges[b + 2]];
    return Float64Array.from({ length: bins }, (_, k) => {
      const f = (k * sampleRate) / fftLength;
      return Math.max(0, Math.min((f - lo) / (centre - lo), (hi - f) / (hi - centre)));
    });
  });
}

const filters = melFilterbank(MEL_BANDS, FRAME_LENGTH, SAMPLE_RATE);

/**
 * FRAMES x MEL_BANDS log-mel energies starting at the first frame with sound, relative to the
 * loudest value and clipped DYNAMIC_RANGE below it, so loudness does not matter; padded with the floor.
 */
function logMelFeatures(samples: Float32Array, out: Float32Array): void {
  const magnitude = bn.data.spectrogram(samples, { frameLength: FRAME_LENGTH, hop: HOP, log: false });
  const [frames, bins] = magnitude.shape;
  const logMel = new Float64Array(frames * MEL_BANDS);
  let loudest = -Infinity;
  for (let t = 0; t < frames; t++) {
    for (let b = 0; b < MEL_BANDS; b++) {
      let energy = 0;
      for (let k = 0; k < bins; k++) energy += filters[b][k] * magnitude.data[t * bins + k] ** 2;
      const v = Math.log(energy + 1e-10);
      logMel[t * MEL_BANDS + b] = v;
      loudest = Math.max(loudest, v);
    }
  }
  const floor = loudest - DYNAMIC_RANGE;
  let first = 0;
  while (first < frames && logMel.subarray(first * MEL_BANDS, (first + 1) * MEL_BANDS).every((v) => v <= floor)) first++;
  out.fill(-DYNAMIC_RANGE);
  for (let t = first; t < Math.min(frames, first + FRAMES); t++) {
    for (let b = 0; b < MEL_BANDS; b++) out[(t - first) * MEL_BANDS + b] = Math.max(logMel[t * MEL_BANDS + b], floor) - loudest;
  }
}

/** Spectrograms and labels of the given utterances, read from the cache. */
function features(utterances: Utterance[], dir: string): SpokenDigits {
  const size = FRAMES * MEL_BANDS;
  const x = new Float32Array(utterances.length * size);
  utterances.forEach((u, i) => {
    const wav = bn.data.decodeWav(readFileSync(cachePath(dir, u)));
    if (wav.sampleRate !== SAMPLE_RATE) throw new Error(`${cachePath(dir, u)}: sample rate ${wav.sampleRate}, expected ${SAMPLE_RATE}`);
    logMelFeatures(wav.channelData[0], x.subarray(i * size, (i + 1) * size));
  });
  return { x: bn.tensor(x, [utterances.length, FRAMES, MEL_BANDS, 1]), labels: Int32Array.from(utterances, (u) => u.digit), utterances };
}

/** Synthesises (or reads from the cache) the whole set and splits it by voice variant. */
export async function loadSpokenDigits(renditions: number, seed: number): Promise<{ train: SpokenDigits; test: SpokenDigits }> {
  await requireEspeak();
  const cacheDir = path.join(tmpdir(), 'blasnet-spoken-digits');
  const utterances = listUtterances(renditions, seed);
  const start = performance.now();
  await synthesise(utterances, cacheDir, (done, total) => {
    // A live counter on a terminal; one line when the output is a file.
    if (process.stdout.isTTY && (done % 100 === 0 || done === total)) process.stdout.write(`\rsynthesising with espeak-ng into ${cacheDir}: ${done}/${total}`);
    else if (done === total) process.stdout.write(`synthesised ${total} WAV files with espeak-ng into ${cacheDir}`);
  });
  const synthesised = performance.now();
  const heldOut = (u: Utterance): boolean => TEST_VARIANTS.includes(u.variant);
  const train = features(utterances.filter((u) => !heldOut(u)), cacheDir);
  const test = features(utterances.filter(heldOut), cacheDir);
  console.log(`\n${utterances.length} utterances (audio ${((synthesised - start) / 1000).toFixed(1)} s, spectrograms ${((performance.now() - synthesised) / 1000).toFixed(1)} s); ` +
    `train: ${train.labels.length} by ${VARIANTS.length - TEST_VARIANTS.length} variants x ${ACCENTS.length} accents; ` +
    `test: ${test.labels.length} by the held-out variants ${TEST_VARIANTS.map((v) => `+${v}`).join(', ')}`);
  return { train, test };
}
