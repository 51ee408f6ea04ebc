// Audio helpers: a WAV reader and a short-time Fourier transform magnitude (spectrogram) over fft.js.
// WAV files come from other programs (espeak-ng, recorders), so every header field is checked
// before it is used to index the bytes.
import FFT from 'fft.js';
import { ValueError, formatValue } from '../errors';
import { Tensor } from '../tensor';

/** Decoded audio, as Web Audio's AudioBuffer holds it: one array per channel, samples in [-1, 1]. */
export interface Wav {
  sampleRate: number;
  channelData: Float32Array[];
}

const PCM = 1;
const IEEE_FLOAT = 3;
const EXTENSIBLE = 0xfffe;

/**
 * Reads a RIFF/WAVE file: integer PCM of 8 (unsigned), 16, 24 or 32 bits, or float of 32 or 64
 * bits, plain or WAVE_FORMAT_EXTENSIBLE. A data chunk whose declared size runs past the end of the
 * bytes (as written by programs streaming to a pipe, e.g. `espeak-ng --stdout`) is read up to the end.
 */
export function decodeWav(bytes: Uint8Array): Wav {
  const fail = (message: string): ValueError => new ValueError(`decodeWav: ${message}`);
  if (!(bytes instanceof Uint8Array)) throw fail(`expected the file's bytes as a Uint8Array or Buffer, got ${typeof bytes}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (offset: number): string => String.fromCharCode(...bytes.subarray(offset, offset + 4));
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw fail('not a WAV file: it does not start with "RIFF" .... "WAVE"');

  let format: { code: number; channels: number; sampleRate: number; blockAlign: number; bits: number } | null = null;
  for (let offset = 12; offset + 8 <= bytes.length;) {
    const id = tag(offset);
    const declared = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (declared < 16 || body + 16 > bytes.length) throw fail(`the fmt chunk has ${declared} bytes, expected at least 16`);
      let code = view.getUint16(body, true);
      if (code === EXTENSIBLE) {
        if (declared < 40 || body + 26 > bytes.length) throw fail('the WAVE_FORMAT_EXTENSIBLE fmt chunk is shorter than 40 bytes');
        code = view.getUint16(body + 24, true); // the first two bytes of the SubFormat GUID
      }
      format = {
        code, channels: view.getUint16(body + 2, true), sampleRate: view.getUint32(body + 4, true),
        blockAlign: view.getUint16(body + 12, true), bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (!format) throw fail('the data chunk comes before any fmt chunk');
      return decodeSamples(view, body, Math.min(declared, bytes.length - body), format, fail);
    }
    offset = body + declared + (declared % 2); // chunks are padded to an even size
  }
  throw fail(format ? 'no data chunk' : 'no fmt chunk');
}

function decodeSamples(view: DataView, start: number, length: number,
  f: { code: number; channels: number; sampleRate: number; blockAlign: number; bits: number },
  fail: (m: string) => ValueError): Wav {
  const supported = (f.code === PCM && [8, 16, 24, 32].includes(f.bits)) || (f.code === IEEE_FLOAT && (f.bits === 32 || f.bits === 64));
  if (!supported) throw fail(`unsupported sample format ${f.code} with ${f.bits} bits; supported are PCM (1) 8/16/24/32-bit and float (3) 32/64-bit`);
  if (f.channels < 1) throw fail('the fmt chunk declares 0 channels');
  if (f.sampleRate < 1) throw fail('the fmt chunk declares a sample rate of 0');
  const width = f.bits / 8;
  if (f.blockAlign !== f.channels * width) throw fail(`block align ${f.blockAlign} does not match ${f.channels} channels of ${f.bits} bits`);

  const frames = Math.floor(length / f.blockAlign);
  const read: (offset: number) => number =
    f.code === IEEE_FLOAT ? (f.bits === 32 ? (o) => view.getFloat32(o, true) : (o) => view.getFloat64(o, true))
      : f.bits === 8 ? (o) => (view.getUint8(o) - 128) / 128
        : f.bits === 16 ? (o) => view.getInt16(o, true) / 32768
          : f.bits === 24 ? (o) => ((view.getInt8(o + 2) << 16) | view.getUint16(o, true)) / 8388608
            : (o) => view.getInt32(o, true) / 2147483648;
  const channelData = Array.from({ length: f.channels }, () => new Float32Array(frames));
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < f.channels; c++) channelData[c][i] = read(start + i * f.blockAlign + c * width);
  }
  return { sampleRate: f.sampleRate, channelData };
}

export interface SpectrogramOptions {
  /** Samples per frame. */
  frameLength: number;
  /** Samples between the starts of consecutive frames. */
  hop: number;
  /** FFT size, a power of two >= frameLength (the frame is zero-padded); default the smallest such. */
  fftLength?: number;
  /** Taper applied to each frame: 'hann' (periodic, the default, as tf.signal.stft) or 'none'. */
  window?: 'hann' | 'none';
  /** Return log(magnitude + epsilon) instead of the magnitude. Default true. */
  log?: boolean;
  /** Added before the log so silence stays finite. Default 1e-6. */
  epsilon?: number;
}

/**
 * Magnitude of the short-time Fourier transform: float32 [frames, fftLength / 2 + 1], row t the
 * spectrum of samples [t*hop, t*hop + frameLength), bin k at frequency k * sampleRate / fftLength.
 * frames = 1 + floor((samples - frameLength) / hop), 0 when there are fewer samples than one frame.
 */
export function spectrogram(samples: ArrayLike<number>, options: SpectrogramOptions): Tensor {
  const fail = (message: string): ValueError => new ValueError(`spectrogram: ${message}`);
  const { frameLength, hop } = options ?? ({} as SpectrogramOptions);
  for (const [name, v] of [['frameLength', frameLength], ['hop', hop]] as const) {
    if (!Number.isInteger(v) || v < 1) throw fail(`${name} must be a positive integer, got ${formatValue(v)}`);
  }
  let fftLength = 2;
  while (fftLength < frameLength) fftLength *= 2;
  if (options.fftLength !== undefined) {
    const n = options.fftLength;
    if (!Number.isInteger(n) || n < frameLength || n < 2 || (n & (n - 1)) !== 0) {
      throw fail(`fftLength must be a power of two >= frameLength (${frameLength}), got ${formatValue(n)}`);
    }
    fftLength = n;
  }
  const window = options.window ?? 'hann';
  if (window !== 'hann' && window !== 'none') throw fail(`window must be 'hann' or 'none', got ${formatValue(window)}`);
  const epsilon = options.epsilon ?? 1e-6;
  if (!(epsilon > 0) || !Number.isFinite(epsilon)) throw fail(`epsilon must be a positive number, got ${formatValue(epsilon)}`);
  const log = options.log ?? true;

  const taper = new Float64Array(frameLength).fill(1);
  if (window === 'hann') for (let i = 0; i < frameLength; i++) taper[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / frameLength);
  const frames = samples.length >= frameLength ? 1 + Math.floor((samples.length - frameLength) / hop) : 0;
  const bins = fftLength / 2 + 1;
  const out = new Float32Array(frames * bins);
  const fft = new FFT(fftLength);
  const frame = new Float64Array(fftLength); // the tail past frameLength stays zero
  const spectrum = new Float64Array(2 * fftLength); // interleaved re, im; realTransform fills bins 0..fftLength/2
  for (let t = 0; t < frames; t++) {
    for (let i = 0; i < frameLength; i++) frame[i] = samples[t * hop + i] * taper[i];
    fft.realTransform(spectrum, frame);
    for (let k = 0; k < bins; k++) {
      const magnitude = Math.hypot(spectrum[2 * k], spectrum[2 * k + 1]);
      out[t * bins + k] = log ? Math.log(magnitude + epsilon) : magnitude;
    }
  }
  return new Tensor(out, [frames, bins]);
}
