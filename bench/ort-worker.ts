// Measures W4 (seed CNN inference) in ONNX Runtime for Node on the model bench/torch_bench.py
// exported, and prints one JSON line, as bench/blasnet-worker.ts does for blasnet.
//
//   tsx bench/ort-worker.ts --model /tmp/seed_cnn.onnx --calls 3000 --threads 2 [--max-seconds 30]
import { intOption, median, parseArgs, peakRssMb, quantile, syntheticData } from './workloads';

const runtimeRssMb = peakRssMb();

async function main(): Promise<Record<string, unknown>> {
  const options = parseArgs(process.argv.slice(2), ['model', 'calls', 'threads', 'max-seconds']);
  let ort: typeof import('onnxruntime-node');
  try {
    ort = await import('onnxruntime-node');
  } catch (err) {
    return { available: false, reason: `onnxruntime-node not installed (${(err as Error).message})` };
  }
  const modelPath = options.get('model');
  if (!modelPath) throw new Error('--model PATH (an .onnx file) is required');
  const calls = intOption(options, 'calls', 3000);
  const threads = intOption(options, 'threads', 0);
  const maxSeconds = Number(options.get('max-seconds') ?? 30);
  const session = await ort.InferenceSession.create(modelPath, {
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    ...(threads > 0 ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {}),
  });
  // NCHW [N, 1, 28, 28] holds the same bytes as NHWC [N, 28, 28, 1] (one channel).
  const { x } = syntheticData('W4', 257);
  const single = { input: new ort.Tensor('float32', (x as Float32Array).slice(0, 784), [1, 1, 28, 28]) };
  const large = { input: new ort.Tensor('float32', (x as Float32Array).slice(784), [256, 1, 28, 28]) };

  // Warm-up as in bench/blasnet-worker.ts: as many calls as are timed, at most 2 s.
  let deadline = performance.now() + 2000;
  for (let i = 0; i < calls && performance.now() < deadline; i++) await session.run(single);
  const latencyUs: number[] = [];
  deadline = performance.now() + maxSeconds * 1000;
  for (let i = 0; i < calls && performance.now() < deadline; i++) {
    const start = process.hrtime.bigint();
    await session.run(single);
    latencyUs.push(Number(process.hrtime.bigint() - start) / 1e3);
  }
  for (let i = 0; i < 3; i++) await session.run(large);
  let largeCalls = 0;
  const start = performance.now();
  deadline = start + maxSeconds * 1000;
  while (largeCalls < Math.max(5, Math.floor(calls / 100)) && performance.now() < deadline) {
    await session.run(large);
    largeCalls++;
  }
  const seconds = (performance.now() - start) / 1000;
  return {
    workload: 'W4',
    threads: threads || 'default',
    calls: latencyUs.length,
    medianUs: median(latencyUs),
    p99Us: quantile(latencyUs, 0.99),
    batch256SamplesPerSec: (largeCalls * 256) / seconds,
  };
}

main()
  .catch((err: unknown) => ({ available: false, reason: `failed: ${err instanceof Error ? err.message : String(err)}` }))
  .then((result) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const version = (() => { try { return require('onnxruntime-node/package.json').version as string; } catch { return null; } })();
    console.log(JSON.stringify({ framework: 'onnxruntime', version, ...result, peakRssMb: peakRssMb(), runtimeRssMb }));
  });
