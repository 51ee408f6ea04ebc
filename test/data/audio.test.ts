import t from 'tap';
import * as bn from '../../lib';

/** A WAV file as bytes: RIFF header, a fmt chunk (plus `extra` chunks before data), then interleaved samples. */
function wav(opts: { code?: number; bits: number; channels: number; rate: number; frames: number[][]; dataSize?: number; extensible?: boolean; before?: Buffer }): Buffer {
  const { bits, channels, rate, frames } = opts;
  const width = bits / 8;
  const data = Buffer.alloc(frames.length * channels * width);
  frames.forEach((frame, i) => frame.forEach((x, c) => {
    const o = (i * channels + c) * width;
    if (opts.code === 3) bits === 32 ? data.writeFloatLE(x, o) : data.writeDoubleLE(x, o);
    else if (bits === 8) data.writeUInt8(x, o);
    else data.writeIntLE(x, o, width);
  }));
  const fmt = Buffer.alloc(opts.extensible ? 40 : 16);
  fmt.writeUInt16LE(opts.extensible ? 0xfffe : opts.code ?? 1, 0);
  fmt.writeUInt16LE(channels, 2);
  fmt.writeUInt32LE(rate, 4);
  fmt.writeUInt32LE(rate * channels * width, 8);
  fmt.writeUInt16LE(channels * width, 12);
  fmt.writeUInt16LE(bits, 14);
  if (opts.extensible) {
    fmt.writeUInt16LE(22, 16);
    fmt.writeUInt16LE(opts.code ?? 1, 24);
  }
  const chunk = (id: string, body: Buffer, size = body.length): Buffer => {
    const head = Buffer.alloc(8);
    head.write(id, 0, 'latin1');
    head.writeUInt32LE(size, 4);
    return Buffer.concat([head, body, Buffer.alloc(body.length % 2)]);
  };
  const body = Buffer.concat([Buffer.from('WAVE'), chunk('fmt ', fmt), opts.before ?? Buffer.alloc(0), chunk('data', data, opts.dataSize)]);
  const riff = Buffer.alloc(8);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(body.length, 4);
  return Buffer.concat([riff, body]);
}

t.test('decodeWav reads PCM and float formats into [-1, 1] channels', async (t) => {
  const stereo = bn.data.decodeWav(wav({ bits: 16, channels: 2, rate: 22050, frames: [[0, -32768], [16384, 32767]] }));
  t.equal(stereo.sampleRate, 22050);
  t.same(stereo.channelData.map((c) => [...c]), [[0, 0.5], [-1, 32767 / 32768]]);
  t.same([...bn.data.decodeWav(wav({ bits: 8, channels: 1, rate: 8000, frames: [[128], [0], [192]] })).channelData[0]], [0, -1, 0.5]);
  t.same([...bn.data.decodeWav(wav({ bits: 24, channels: 1, rate: 8000, frames: [[-4194304], [4194304]] })).channelData[0]], [-0.5, 0.5]);
  t.same([...bn.data.decodeWav(wav({ bits: 32, channels: 1, rate: 8000, frames: [[-1073741824]] })).channelData[0]], [-0.5]);
  t.same([...bn.data.decodeWav(wav({ code: 3, bits: 32, channels: 1, rate: 8000, frames: [[0.25], [-0.75]] })).channelData[0]], [0.25, -0.75]);
  t.same([...bn.data.decodeWav(wav({ code: 3, bits: 64, channels: 1, rate: 8000, frames: [[0.125]] })).channelData[0]], [0.125]);
  t.same([...bn.data.decodeWav(wav({ extensible: true, bits: 16, channels: 1, rate: 8000, frames: [[-16384]] })).channelData[0]], [-0.5]);
  const list = Buffer.concat([Buffer.from('LIST'), Buffer.from([3, 0, 0, 0]), Buffer.from('abc\0')]);
  t.same([...bn.data.decodeWav(wav({ bits: 16, channels: 1, rate: 8000, frames: [[16384]], before: list })).channelData[0]], [0.5], 'skips other chunks, odd sizes padded');
  const streamed = wav({ bits: 16, channels: 1, rate: 22050, frames: [[16384], [-16384]], dataSize: 0x7ffff000 });
  t.same([...bn.data.decodeWav(streamed).channelData[0]], [0.5, -0.5], 'a data size past the end (espeak-ng --stdout) reads to the end');
});

t.test('decodeWav rejects what it cannot read, saying why', async (t) => {
  t.throws(() => bn.data.decodeWav(Buffer.from('ID3 not a wav file')), /not a WAV file/);
  t.throws(() => bn.data.decodeWav(wav({ code: 2, bits: 16, channels: 1, rate: 8000, frames: [[0]] })), /unsupported sample format 2 with 16 bits/);
  t.throws(() => bn.data.decodeWav(wav({ bits: 12, channels: 1, rate: 8000, frames: [] })), /unsupported sample format 1 with 12 bits/);
  const noData = wav({ bits: 16, channels: 1, rate: 8000, frames: [] }).subarray(0, 36);
  t.throws(() => bn.data.decodeWav(noData), /no data chunk/);
  t.throws(() => bn.data.decodeWav(wav({ bits: 16, channels: 0, rate: 8000, frames: [] })), /0 channels/);
  t.throws(() => bn.data.decodeWav('RIFF' as unknown as Uint8Array), /expected the file's bytes as a Uint8Array/);
});

t.test("a pure sine's spectral peak lands in the right bin", async (t) => {
  const rate = 8000, fftLength = 256;
  for (const bin of [5, 32, 100]) {
    const hz = (bin * rate) / fftLength;
    const samples = Float32Array.from({ length: 2000 }, (_, i) => Math.sin((2 * Math.PI * hz * i) / rate));
    const s = bn.data.spectrogram(samples, { frameLength: 256, hop: 128 });
    t.same(s.shape, [1 + Math.floor((2000 - 256) / 128), 129], 'frames x (fftLength/2 + 1) bins');
    const peaks = Array.from({ length: s.shape[0] }, (_, f) => {
      const row = s.data.subarray(f * 129, (f + 1) * 129);
      return row.indexOf(Math.max(...row));
    });
    t.same(peaks, new Array(s.shape[0]).fill(bin), `${hz} Hz peaks in bin ${bin} in every frame`);
  }
  // 1010 Hz lies between bins 64 (1000 Hz) and 65 (1015.6 Hz) of a 512-point FFT: the nearer one wins.
  const between = Float32Array.from({ length: 1024 }, (_, i) => Math.sin((2 * Math.PI * 1010 * i) / rate));
  const padded = bn.data.spectrogram(between, { frameLength: 256, hop: 256, fftLength: 512 });
  const row = padded.data.subarray(0, 257);
  t.equal(row.indexOf(Math.max(...row)), Math.round((1010 * 512) / rate), 'zero-padded FFT: bin of 1010 Hz at 512 points');
});

t.test('spectrogram magnitudes, log and frame count', async (t) => {
  // Unwindowed, a sine of amplitude A centred on bin k has magnitude A * N / 2 there.
  const N = 64, k = 8;
  const sine = Float32Array.from({ length: N }, (_, i) => 0.5 * Math.cos((2 * Math.PI * k * i) / N));
  const linear = bn.data.spectrogram(sine, { frameLength: N, hop: N, window: 'none', log: false });
  t.ok(Math.abs(linear.data[k] - (0.5 * N) / 2) < 1e-4, `magnitude ${linear.data[k]} = A*N/2 = 16`);
  const logged = bn.data.spectrogram(sine, { frameLength: N, hop: N, window: 'none' });
  t.ok(Math.abs(logged.data[k] - Math.log(16 + 1e-6)) < 1e-5, 'log(magnitude + epsilon) by default');
  t.ok(logged.data.every(Number.isFinite), 'silent bins stay finite');
  t.same(bn.data.spectrogram(new Float32Array(10), { frameLength: 16, hop: 4 }).shape, [0, 9], 'shorter than a frame: no frames');
  t.same(bn.data.spectrogram(new Float32Array(16), { frameLength: 16, hop: 4 }).shape, [1, 9]);
  t.throws(() => bn.data.spectrogram(sine, { frameLength: 0, hop: 4 }), /frameLength must be a positive integer, got 0/);
  t.throws(() => bn.data.spectrogram(sine, { frameLength: 16, hop: 1.5 }), /hop must be a positive integer, got 1.5/);
  t.throws(() => bn.data.spectrogram(sine, { frameLength: 16, hop: 4, fftLength: 24 }), /fftLength must be a power of two >= frameLength \(16\), got 24/);
  t.throws(() => bn.data.spectrogram(sine, { frameLength: 16, hop: 4, fftLength: 8 }), /fftLength must be a power of two/);
  t.throws(() => bn.data.spectrogram(sine, { frameLength: 16, hop: 4, window: 'hamming' as 'hann' }), /window must be 'hann' or 'none'/);
});
