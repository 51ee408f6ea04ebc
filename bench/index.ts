// `npm run bench`: blasnet beside PyTorch, ONNX Runtime and TensorFlow.js on the seed workloads.
//
//   npm run bench -- [--workloads W1,W2,W3,W4] [--steps N] [--calls N] [--rounds N] [--quick]
//                    [--markdown | --json] [--skip torch,ort,tfjs,sweep,rss] [--max-seconds S]
//                    [--python /usr/bin/python3]
//   npm run -s bench -- --json > bench.json      (-s keeps npm's banner out of the JSON)
//
// W1 seed CNN training, W2 seed LSTM training, W3 seed embedding + LSTM training (batch 32; --steps
// timed steps after a warm-up), W4 seed CNN inference (batch-1 latency over --calls calls, batch-256
// throughput). With W1: W1 at batch 8/32/128/512 on 1 and 2 threads (the sweep), peak RSS while
// training on a 60,000-sample dataset (rss), and TensorFlow.js's W1 training (tfjs, a few steps: it
// is slow). Models and the analytic FLOP counts behind the GFLOP/s column: bench/workloads.ts.
//
// Every measurement runs in its own child process (so peak RSS is that workload's alone), and the
// frameworks alternate within each round (3 by default, 1 with --quick); tables show the median
// over rounds. PyTorch (bench/torch_bench.py) runs at each of its candidate thread settings and the
// best is shown; ONNX Runtime (bench/ort-worker.ts) runs the seed CNN exported from PyTorch, at 1 and
// 2 threads, best shown. Throughput comes from the median step time, which other processes on a
// shared machine disturb least (the JSON also has the mean). blasnet runs with its default threads
// unless the environment sets BLASNET_NUM_THREADS. A reference that is not installed is skipped with
// a note; a blasnet workload whose layers do not exist yet shows as n/a.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  WORKLOAD_IDS, WORKLOAD_TITLES, WorkloadId, cnnForwardFlopsPerSample, intOption, median, parseArgs, trainFlopsPerSample,
} from './workloads';

type Result = Record<string, unknown> & { available?: boolean; reason?: string };
type Framework = 'blasnet' | 'pytorch' | 'onnxruntime' | 'tfjs';

interface Options {
  workloads: WorkloadId[];
  steps: Partial<Record<WorkloadId, number>>;
  calls: number;
  rounds: number;
  quick: boolean;
  json: boolean;
  markdown: boolean;
  skip: Set<string>;
  maxSeconds: number;
  python: string;
}

const ROOT = path.resolve(__dirname, '..');
const DEFAULT_STEPS: Record<Exclude<WorkloadId, 'W4'>, number> = { W1: 200, W2: 100, W3: 40 };
const SWEEP_BATCHES = [8, 32, 128, 512];
const SKIPPABLE = ['torch', 'ort', 'tfjs', 'sweep', 'rss'];

/**
 * PyTorch's thread settings to try; the best is shown. Its GEMMs run on OpenBLAS's pool and the rest
 * on its OpenMP pool, so with both at 2 threads the two pools fight over the 2 cores; OpenBLAS at 1
 * with 2 OpenMP threads is usually fastest, and one thread for everything wins when the machine is
 * busy (OpenMP's spinning threads suffer most from a shared core) and for batch-1 inference.
 */
const TORCH_SETTINGS = [
  { label: 'OpenBLAS 1 + 2 intra-op', openblas: 1, intraOp: 2 },
  { label: 'OpenBLAS 2 + 2 intra-op', openblas: 2, intraOp: 2 },
  { label: 'OpenBLAS 1 + 1 intra-op', openblas: 1, intraOp: 1 },
];
const ORT_THREADS = [1, 2];

/** blasnet's thread count: its own pool (BLASNET_NUM_THREADS), and OpenBLAS's for builds without one. */
const blasnetThreads = (threads: number): Record<string, string> =>
  ({ BLASNET_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) });

function usage(): never {
  const lines = fs.readFileSync(__filename, 'utf8').split('\n');
  console.error(lines.slice(0, lines.findIndex((l) => !l.startsWith('//'))).map((l) => l.slice(3)).join('\n'));
  process.exit(2);
}

function parseOptions(argv: string[]): Options {
  let options: Map<string, string>;
  try {
    options = parseArgs(argv);
  } catch (err) {
    console.error((err as Error).message);
    usage();
  }
  if (options.has('help')) usage();
  const quick = options.has('quick');
  const workloads = (options.get('workloads') ?? WORKLOAD_IDS.join(',')).split(',').map((w) => w.trim().toUpperCase());
  const unknown = workloads.filter((w) => !WORKLOAD_IDS.includes(w as WorkloadId));
  if (unknown.length) {
    console.error(`unknown workload(s) ${unknown.join(', ')}; choose from ${WORKLOAD_IDS.join(', ')}`);
    usage();
  }
  const steps: Partial<Record<WorkloadId, number>> = {};
  for (const [id, n] of Object.entries(DEFAULT_STEPS) as [WorkloadId, number][]) {
    steps[id] = Math.max(1, intOption(options, 'steps', quick ? Math.ceil(n / 4) : n));
  }
  const maxSeconds = Number(options.get('max-seconds') ?? 10);
  if (!(maxSeconds > 0)) {
    console.error(`--max-seconds must be a positive number, got ${options.get('max-seconds')}`);
    usage();
  }
  const skip = new Set((options.get('skip') ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));
  const unknownSkips = [...skip].filter((s) => !SKIPPABLE.includes(s));
  if (unknownSkips.length) {
    console.error(`--skip takes ${SKIPPABLE.join(', ')}; got ${unknownSkips.join(', ')}`);
    usage();
  }
  const json = options.has('json');
  const markdown = options.has('markdown');
  if (json && markdown) {
    console.error('give --json or --markdown, not both');
    usage();
  }
  return {
    workloads: workloads as WorkloadId[],
    steps,
    calls: Math.max(100, intOption(options, 'calls', quick ? 500 : 5000)),
    rounds: Math.max(1, intOption(options, 'rounds', quick ? 1 : 3)),
    quick,
    json,
    markdown,
    skip,
    maxSeconds,
    python: options.get('python') ?? '/usr/bin/python3',
  };
}

const log = (message: string): void => void process.stderr.write(`${message}\n`);

/** Runs a worker and returns the last JSON line it printed (or why there was none). */
function runChild(command: string, args: string[], env: Record<string, string>, timeoutSeconds: number): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutSeconds * 1000);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ available: false, reason: `could not start ${command}: ${err.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
      if (line) {
        try {
          return resolve(JSON.parse(line) as Result);
        } catch { /* reported below */ }
      }
      const why = signal ? `killed by ${signal}${signal === 'SIGKILL' ? ` after ${timeoutSeconds} s` : ''}` : `exit code ${code}`;
      const tail = stderr.trim().split('\n').slice(-3).join(' | ');
      resolve({ available: false, reason: `${path.basename(args.find((a) => /\.(js|py)$/.test(a)) ?? command)} ${why}: ${tail}` });
    });
  });
}

/**
 * The workers run as plain JavaScript, as an application runs blasnet's dist/: tsc compiles
 * bench/ and lib/ into dist-bench/ once per run (under tsx, its loader thread would add
 * ~40 MB to every worker's peak RSS). They load the addon the package would load.
 */
function compileWorkers(): { dir: string; addon: string } {
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(__dirname, 'tsconfig.json')],
    { cwd: ROOT, encoding: 'utf8' });
  if (tsc.status !== 0) throw new Error(`compiling the bench workers failed:\n${tsc.stdout}${tsc.stderr}`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const addon = process.env.BLASNET_NATIVE ? path.resolve(process.env.BLASNET_NATIVE) : (require('node-gyp-build') as { path(dir: string): string }).path(ROOT);
  return { dir: path.join(ROOT, 'dist-bench', 'bench'), addon };
}

let workers: { dir: string; addon: string } | null = null;

const jsWorker = (file: string, args: string[], env: Record<string, string>, timeout: number): Promise<Result> => {
  workers ??= compileWorkers();
  return runChild(process.execPath, [path.join(workers.dir, file), ...args], { BLASNET_NATIVE: workers.addon, ...env }, timeout);
};

/** One measurement to repeat each round. */
interface Spec {
  key: string;
  framework: Framework;
  workload: WorkloadId | 'GEMM';
  setting: string;
  /** Specs that measure the same reference at different thread settings share a group; the best counts. */
  group?: string;
  run: () => Promise<Result>;
}

interface Metric {
  field: string;
  label: string;
  lowerIsBetter: boolean;
  digits: number;
}

const TRAIN_METRICS: Metric[] = [{ field: 'samplesPerSec', label: 'samples/s', lowerIsBetter: false, digits: 0 }];
const W4_METRICS: Metric[] = [
  { field: 'medianUs', label: 'batch-1 latency median, µs', lowerIsBetter: true, digits: 1 },
  { field: 'p99Us', label: 'batch-1 latency p99, µs', lowerIsBetter: true, digits: 1 },
  { field: 'batch256SamplesPerSec', label: 'batch 256, samples/s', lowerIsBetter: false, digits: 0 },
];

/**
 * A setting more than this many times worse than its group's best on every metric after round 1
 * is not run again: it cannot become the best, and on a busy machine PyTorch's oversubscribed
 * settings take ten times longer than the rest.
 */
const OUTCLASSED = 2;

function trainArgs(id: WorkloadId, steps: number, batch: number, maxSeconds: number, samples = 0): string[] {
  const warmup = Math.max(3, Math.round(steps / 10));
  return ['--workload', id, '--steps', String(steps), '--warmup', String(warmup), '--batch', String(batch),
    '--max-seconds', String(maxSeconds), ...(samples ? ['--samples', String(samples)] : [])];
}

class Bench {
  readonly results = new Map<string, Result[]>();
  readonly notes: string[] = [];
  readonly unavailable = new Set<Framework>();
  onnxPath: string | null = null;
  private readonly childTimeout: number;

  constructor(readonly options: Options) {
    this.childTimeout = options.maxSeconds * 3 + 180;
  }

  blasnet(args: string[], env: Record<string, string> = {}): Promise<Result> {
    return jsWorker('blasnet-worker.js', args, env, this.childTimeout);
  }

  torch(args: string[], openblas: number, intraOp: number): Promise<Result> {
    const env = { OPENBLAS_NUM_THREADS: String(openblas), OMP_NUM_THREADS: String(intraOp) };
    return runChild(this.options.python, [path.join(__dirname, 'torch_bench.py'), ...args, '--threads', String(intraOp)], env, this.childTimeout);
  }

  /** Runs a spec unless its framework turned out to be missing; records and logs the result. */
  async measure(spec: Spec): Promise<Result | null> {
    if (this.unavailable.has(spec.framework)) return null;
    const started = Date.now();
    const result = await spec.run();
    if (result.available === false && /not installed|could not start/.test(result.reason ?? '')) {
      this.unavailable.add(spec.framework);
      this.notes.push(`${spec.framework} skipped: ${result.reason}`);
    }
    const list = this.results.get(spec.key) ?? [];
    list.push(result);
    this.results.set(spec.key, list);
    log(`  ${spec.workload} ${spec.framework}${spec.setting ? ` (${spec.setting})` : ''}: ${describe(result)} [${((Date.now() - started) / 1000).toFixed(1)} s]`);
    return result;
  }

  /** A numeric field of every successful run of a key. */
  private numbers(key: string, field: string): number[] {
    return (this.results.get(key) ?? []).filter((r) => r.available !== false).map((r) => r[field])
      .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  }

  /** Median over rounds of a numeric field, or null when no run produced it. */
  value(key: string, field: string): number | null {
    const values = this.numbers(key, field);
    return values.length ? median(values) : null;
  }

  /** Highest value of a numeric field over all runs of a key (for peaks), or null. */
  max(key: string, field: string): number | null {
    const values = this.numbers(key, field);
    return values.length ? Math.max(...values) : null;
  }

  /** Why a key has no value: the first failure reason when every run of it failed, else null. */
  failure(key: string): string | null {
    const list = this.results.get(key) ?? [];
    return list.length && list.every((r) => r.available === false) ? list[0].reason ?? 'failed' : null;
  }

  /** Whether a spec's setting is OUTCLASSED times worse than the best of its group on every metric. */
  outclassed(spec: Spec, specs: Spec[]): boolean {
    if (!spec.group) return false;
    const rivals = specs.filter((s) => s.group === spec.group).map((s) => s.key);
    const metrics = spec.workload === 'W4' ? W4_METRICS : TRAIN_METRICS;
    return metrics.every(({ field, lowerIsBetter }) => {
      const mine = this.value(spec.key, field);
      const best = this.best(rivals, field, lowerIsBetter);
      if (mine === null || !best) return false;
      return lowerIsBetter ? mine > OUTCLASSED * best.value : mine * OUTCLASSED < best.value;
    });
  }

  /** Of several keys, the one with the best median `field` (highest, or lowest when lower is better). */
  best(keys: string[], field: string, lowerIsBetter = false): { key: string; value: number } | null {
    let best: { key: string; value: number } | null = null;
    for (const key of keys) {
      const v = this.value(key, field);
      if (v !== null && (!best || (lowerIsBetter ? v < best.value : v > best.value))) best = { key, value: v };
    }
    return best;
  }
}

function describe(r: Result): string {
  if (r.available === false) return `n/a (${r.reason})`;
  if (typeof r.bestGflops === 'number') return `${r.bestGflops.toFixed(1)} GFLOP/s`;
  if (typeof r.medianUs === 'number') {
    return `${(r.medianUs as number).toFixed(1)} µs median, ${(r.p99Us as number).toFixed(1)} µs p99, ${fmtInt(r.batch256SamplesPerSec as number)} samples/s at 256, ${fmtInt(r.peakRssMb as number)} MB`;
  }
  if (typeof r.samplesPerSec === 'number') {
    return `${fmtInt(r.samplesPerSec)} samples/s (${(r.medianMsPerStep as number).toFixed(2)} ms/step median, ${r.steps} steps), ${fmtInt(r.peakRssMb as number)} MB`;
  }
  return JSON.stringify(r);
}

const fmtInt = (v: number): string => Math.round(v).toLocaleString('en-US');

/** Exports the seed CNN once for ONNX Runtime (needs PyTorch and its ONNX exporter). */
async function exportOnnx(bench: Bench): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blasnet-bench-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'seed_cnn.onnx');
  const result = await bench.torch(['--export-onnx', file], 1, 1);
  if (result.available === false || !fs.existsSync(file)) {
    bench.notes.push(`ONNX Runtime skipped: the seed CNN could not be exported from PyTorch (${result.reason ?? 'no file written'})`);
    bench.unavailable.add('onnxruntime');
  } else {
    bench.onnxPath = file;
  }
}

function mainSpecs(bench: Bench): Spec[] {
  const o = bench.options;
  const specs: Spec[] = [];
  for (const id of o.workloads) {
    const inference = id === 'W4';
    const args = inference ? ['--workload', 'W4', '--calls', String(o.calls), '--max-seconds', String(o.maxSeconds)] : trainArgs(id, o.steps[id]!, 32, o.maxSeconds);
    specs.push({ key: `${id}:blasnet`, framework: 'blasnet', workload: id, setting: '', run: () => bench.blasnet(args) });
    if (!o.skip.has('torch')) {
      for (const s of TORCH_SETTINGS) {
        specs.push({ key: `${id}:pytorch:${s.label}`, framework: 'pytorch', workload: id, setting: s.label, group: `${id}:pytorch`,
          run: () => bench.torch(args, s.openblas, s.intraOp) });
      }
    }
    if (inference && !o.skip.has('ort')) {
      for (const threads of ORT_THREADS) {
        specs.push({
          key: `W4:onnxruntime:${threads}`, framework: 'onnxruntime', workload: 'W4', setting: `${threads} intra-op thread${threads > 1 ? 's' : ''}`, group: 'W4:onnxruntime',
          run: () => bench.onnxPath
            ? jsWorker('ort-worker.js', ['--model', bench.onnxPath, '--calls', String(o.calls), '--threads', String(threads), '--max-seconds', String(o.maxSeconds)], {}, o.maxSeconds * 3 + 180)
            : Promise.resolve({ available: false, reason: 'no exported model' }),
        });
      }
    }
  }
  return specs;
}

/** W1 at several batch sizes, blasnet and PyTorch at 1 and at 2 threads. */
function sweepSpecs(bench: Bench): Spec[] {
  const o = bench.options;
  const samplesPerRun = o.quick ? 1024 : 2048;
  const specs: Spec[] = [];
  for (const batch of SWEEP_BATCHES) {
    const steps = Math.max(8, Math.round(samplesPerRun / batch));
    const args = trainArgs('W1', steps, batch, o.maxSeconds);
    for (const threads of [1, 2]) {
      specs.push({ key: `sweep:${batch}:${threads}:blasnet`, framework: 'blasnet', workload: 'W1', setting: `batch ${batch}, ${threads} thread${threads > 1 ? 's' : ''}`,
        run: () => bench.blasnet(args, blasnetThreads(threads)) });
      if (!o.skip.has('torch')) {
        specs.push({ key: `sweep:${batch}:${threads}:pytorch`, framework: 'pytorch', workload: 'W1', setting: `batch ${batch}, ${threads} thread${threads > 1 ? 's' : ''}`,
          run: () => bench.torch(args, 1, threads) });
      }
    }
  }
  return specs;
}

/** Large-GEMM GFLOP/s through bn.native.sgemm (2048^3) at 1 and 2 threads. */
function gemmSpecs(bench: Bench): Spec[] {
  return [1, 2].map((threads) => ({
    key: `gemm:${threads}`, framework: 'blasnet' as const, workload: 'GEMM' as const, setting: `sgemm 2048, ${threads} thread${threads > 1 ? 's' : ''}`,
    run: () => bench.blasnet(['--gemm', '2048'], blasnetThreads(threads)),
  }));
}

// ---- report --------------------------------------------------------------------------------

interface Table {
  title: string;
  header: string[];
  rows: string[][];
}

const NA = 'n/a';
const num = (v: number | null, digits = 0): string =>
  (v === null ? NA : v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
/** Speed-up of blasnet over a reference: >1 means blasnet is faster. */
const ratio = (blasnetValue: number | null, reference: number | null, lowerIsBetter = false): string =>
  blasnetValue === null || reference === null ? NA : `${(lowerIsBetter ? reference / blasnetValue : blasnetValue / reference).toFixed(2)}×`;

function mainTable(bench: Bench, peakGflops: number | null): { table: Table; data: Record<string, unknown>[] } {
  const rows: string[][] = [];
  const data: Record<string, unknown>[] = [];
  const torchKeys = (id: WorkloadId): string[] => TORCH_SETTINGS.map((s) => `${id}:pytorch:${s.label}`);
  const ortKeys = ORT_THREADS.map((t) => `W4:onnxruntime:${t}`);
  const settingOf = (key: string | undefined): string => key?.split(':').slice(2).join(':') ?? '';
  const pct = (gflops: number | null): string => (gflops === null || !peakGflops ? NA : `${((100 * gflops) / peakGflops).toFixed(0)}%`);
  const rss = (key: string | undefined): number | null => (key ? bench.value(key, 'peakRssMb') : null);

  for (const id of bench.options.workloads) {
    const bnKey = `${id}:blasnet`;
    if (id !== 'W4') {
      const b = bench.value(bnKey, 'samplesPerSec');
      const t = bench.best(torchKeys(id), 'samplesPerSec');
      const tfjs = id === 'W1' ? bench.value('W1:tfjs', 'samplesPerSec') : null;
      const gflops = b === null ? null : (b * trainFlopsPerSample(id)) / 1e9;
      rows.push([`${id} ${WORKLOAD_TITLES[id]}, samples/s`, num(b), num(t?.value ?? null), ratio(b, t?.value ?? null), '—',
        id === 'W1' ? num(tfjs) : '—', num(gflops, 1), pct(gflops), `${num(rss(bnKey))} / ${num(rss(t?.key))}`]);
      data.push({ workload: id, metric: 'samplesPerSec', blasnet: b, pytorch: t?.value ?? null, pytorchSetting: settingOf(t?.key), tfjs,
        blasnetGflops: gflops, msPerStep: { blasnet: bench.value(bnKey, 'medianMsPerStep'), pytorch: t ? bench.value(t.key, 'medianMsPerStep') : null }, rssMb: { blasnet: rss(bnKey), pytorch: rss(t?.key) } });
      continue;
    }
    for (const { field, label, lowerIsBetter, digits } of W4_METRICS) {
      const b = bench.value(bnKey, field);
      const t = bench.best(torchKeys(id), field, lowerIsBetter);
      const r = bench.best(ortKeys, field, lowerIsBetter);
      const flops = cnnForwardFlopsPerSample();
      // A tail latency says nothing about compute rate, so the p99 row has no GFLOP/s.
      const tail = field === 'p99Us';
      const gflops = b === null || tail ? null : lowerIsBetter ? flops / (b * 1e3) : (b * flops) / 1e9;
      const ortCell = r ? `${num(r.value, digits)} (${ratio(b, r.value, lowerIsBetter)})` : NA;
      rows.push([`W4 CNN inference ${label}`, num(b, digits), num(t?.value ?? null, digits), ratio(b, t?.value ?? null, lowerIsBetter),
        ortCell, '—', tail ? '—' : num(gflops, 1), tail ? '—' : pct(gflops), `${num(rss(bnKey))} / ${num(rss(t?.key))}`]);
      data.push({ workload: id, metric: field, blasnet: b, pytorch: t?.value ?? null, pytorchSetting: settingOf(t?.key), onnxruntime: r?.value ?? null,
        onnxruntimeSetting: settingOf(r?.key), blasnetGflops: gflops, rssMb: { blasnet: rss(bnKey), pytorch: rss(t?.key), onnxruntime: rss(r?.key) } });
    }
  }
  return {
    table: {
      title: 'blasnet vs PyTorch, ONNX Runtime and TensorFlow.js (× = blasnet speed-up, > 1 is faster)',
      header: ['Workload', 'blasnet', 'PyTorch', '× PyTorch', 'ONNX Runtime (×)', 'TF.js', 'blasnet GFLOP/s', 'of GEMM peak', 'peak RSS MB blasnet / PyTorch'],
      rows,
    },
    data,
  };
}

function sweepTable(bench: Bench): { table: Table; data: Record<string, unknown>[] } {
  const rows: string[][] = [];
  const data: Record<string, unknown>[] = [];
  for (const batch of SWEEP_BATCHES) {
    const v = (threads: number, fw: string): number | null => bench.value(`sweep:${batch}:${threads}:${fw}`, 'samplesPerSec');
    const [b1, b2, t1, t2] = [v(1, 'blasnet'), v(2, 'blasnet'), v(1, 'pytorch'), v(2, 'pytorch')];
    const gflops = (x: number | null): string => num(x === null ? null : (x * trainFlopsPerSample('W1')) / 1e9, 1);
    rows.push([String(batch), num(b1), num(b2), num(t1), num(t2), ratio(Math.max(b1 ?? 0, b2 ?? 0) || null, Math.max(t1 ?? 0, t2 ?? 0) || null),
      `${gflops(b1)} / ${gflops(b2)}`, num(bench.value(`sweep:${batch}:2:blasnet`, 'medianMsPerStep'), 2)]);
    data.push({ batch, blasnet: { threads1: b1, threads2: b2 }, pytorch: { threads1: t1, threads2: t2 } });
  }
  return {
    table: {
      title: 'W1 seed CNN training by batch size and threads (samples/s; blasnet threads = BLASNET_NUM_THREADS, PyTorch = intra-op threads with OpenBLAS at 1)',
      header: ['Batch', 'blasnet 1 thread', 'blasnet 2 threads', 'PyTorch 1 thread', 'PyTorch 2 threads', '× PyTorch (best vs best)', 'blasnet GFLOP/s 1 / 2', 'blasnet ms/step (2 threads)'],
      rows,
    },
    data,
  };
}

function renderTable(t: Table, markdown: boolean): string {
  if (markdown) {
    const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
    const align = t.header.map((_, i) => (i === 0 ? ':---' : '---:'));
    return [`**${t.title}**`, '', line(t.header), line(align), ...t.rows.map(line)].join('\n');
  }
  const widths = t.header.map((h, i) => Math.max(h.length, ...t.rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [t.title, line(t.header), widths.map((w) => '-'.repeat(w)).join('  '), ...t.rows.map(line)].join('\n');
}

function machine(bench: Bench, loadBefore: number): Record<string, unknown> {
  const cpus = os.cpus();
  const dpkg = spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'libopenblas0-pthread'], { encoding: 'utf8' });
  const version = (fw: string): unknown => [...bench.results.entries()].flatMap(([, rs]) => rs).find((r) => r.framework === fw && r.version)?.version ?? null;
  return {
    cpu: `${cpus[0]?.model ?? 'unknown'} × ${cpus.length}`,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    openblas: dpkg.status === 0 ? dpkg.stdout : 'unknown',
    openblasCoretype: process.env.OPENBLAS_CORETYPE ?? 'unset',
    openblasNumThreads: process.env.OPENBLAS_NUM_THREADS ?? 'unset',
    blasnetNative: process.env.BLASNET_NATIVE ?? 'default build',
    pytorch: version('pytorch'),
    onnxruntime: version('onnxruntime'),
    tfjs: version('tfjs'),
    loadAverage: { before: loadBefore, after: os.loadavg()[0] },
  };
}

// ---- main ----------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = Date.now();
  const loadBefore = os.loadavg()[0];
  const bench = new Bench(options);
  if (!fs.existsSync(options.python)) {
    bench.unavailable.add('pytorch');
    bench.notes.push(`PyTorch skipped: ${options.python} not found (apt-get install python3-torch)`);
  }
  if (options.skip.has('torch')) bench.unavailable.add('pytorch');
  const wantOrt = options.workloads.includes('W4') && !options.skip.has('ort');
  if (wantOrt) {
    if (bench.unavailable.has('pytorch')) {
      bench.unavailable.add('onnxruntime');
      bench.notes.push('ONNX Runtime skipped: the seed CNN is exported from PyTorch, which is not available');
    } else {
      await exportOnnx(bench);
    }
  }

  const specs = mainSpecs(bench);
  const gemm = gemmSpecs(bench);
  // The GEMM peak is measured before and after the workloads; the better figure counts.
  for (const spec of gemm) await bench.measure(spec);
  let outclassed: Spec[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    log(`round ${round}/${options.rounds}`);
    if (round === 2) {
      outclassed = specs.filter((s) => bench.outclassed(s, specs));
      for (const s of outclassed) log(`  ${s.workload} ${s.framework} (${s.setting}): over ${OUTCLASSED}× worse than the best setting; not run again`);
    }
    for (const spec of specs) {
      // A blasnet workload whose layers are missing stays missing: measure it once.
      if (spec.framework === 'blasnet' && bench.failure(spec.key)) continue;
      if (round > 1 && outclassed.includes(spec)) continue;
      await bench.measure(spec);
    }
    if (round === 1 && options.workloads.includes('W1') && !options.skip.has('tfjs')) {
      const [steps, warmup] = options.quick ? [2, 1] : [5, 1];
      await bench.measure({ key: 'W1:tfjs', framework: 'tfjs', workload: 'W1', setting: 'cpu backend',
        run: () => jsWorker('tfjs-worker.js', ['--steps', String(steps), '--warmup', String(warmup)], {}, 600) });
    }
  }

  const w1Available = options.workloads.includes('W1') && bench.value('W1:blasnet', 'samplesPerSec') !== null;
  if (options.workloads.includes('W1') && !w1Available) bench.notes.push('W1 batch/thread sweep and 60,000-sample RSS skipped: blasnet cannot run W1 yet');
  if (w1Available && !options.skip.has('sweep')) {
    log('W1 batch size and thread sweep');
    for (const spec of sweepSpecs(bench)) await bench.measure(spec);
  }
  // Peak RSS while training W1 on a Fashion-MNIST-sized dataset (60,000 images).
  if (w1Available && !options.skip.has('rss') && !options.quick) {
    log('W1 on 60,000 samples (peak RSS)');
    const args = trainArgs('W1', 20, 32, options.maxSeconds, 60000);
    const best = bench.best(specs.filter((s) => s.group === 'W1:pytorch').map((s) => s.key), 'samplesPerSec');
    const setting = TORCH_SETTINGS.find((s) => best?.key.endsWith(s.label)) ?? TORCH_SETTINGS[0];
    await bench.measure({ key: 'rss:blasnet', framework: 'blasnet', workload: 'W1', setting: '60,000 samples', run: () => bench.blasnet(args) });
    await bench.measure({ key: 'rss:pytorch', framework: 'pytorch', workload: 'W1', setting: `60,000 samples, ${setting.label}`,
      run: () => bench.torch(args, setting.openblas, setting.intraOp) });
  }
  for (const spec of gemm) await bench.measure(spec);

  const gemm1 = bench.max('gemm:1', 'bestGflops');
  const gemm2 = bench.max('gemm:2', 'bestGflops');
  const peak = Math.max(gemm1 ?? 0, gemm2 ?? 0) || null;
  const main = mainTable(bench, peak);
  const sweep = bench.results.has('sweep:32:1:blasnet') ? sweepTable(bench) : null;
  const rssBlasnet = bench.value('rss:blasnet', 'peakRssMb');
  const rssTorch = bench.value('rss:pytorch', 'peakRssMb');

  for (const key of bench.results.keys()) {
    const why = bench.failure(key);
    if (why && !/not installed|could not start/.test(why)) bench.notes.push(`${key}: ${why}`);
  }
  const torchNote = main.data.filter((d) => d.pytorchSetting).map((d) => `${d.workload}${d.workload === 'W4' ? ` ${d.metric}` : ''}: ${d.pytorchSetting}`);
  if (torchNote.length) bench.notes.push(`PyTorch's best thread setting: ${[...new Set(torchNote)].join('; ')}`);
  const minutes = (Date.now() - started) / 60000;
  const info = machine(bench, loadBefore);
  // Other processes on the cores slow every framework, PyTorch's spinning OpenMP threads most.
  if (loadBefore > 0.5) {
    bench.notes.unshift(`the machine was busy before the run (1-minute load average ${loadBefore.toFixed(1)} on ${os.cpus().length} cores): figures are noisy and ratios unreliable`);
  }

  if (options.json) {
    console.log(JSON.stringify({
      machine: info, options: { ...options, skip: [...options.skip] }, minutes,
      gemmGflops: { threads1: gemm1, threads2: gemm2 }, workloads: main.data, sweep: sweep?.data ?? null,
      rss60k: { blasnet: rssBlasnet, pytorch: rssTorch }, notes: bench.notes, raw: Object.fromEntries(bench.results),
    }, null, 2));
    return;
  }
  const md = options.markdown;
  const out: string[] = [];
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  out.push(`Machine: ${info.cpu}, ${info.memoryGb} GB, Node ${info.node}, OpenBLAS ${info.openblas} (OPENBLAS_CORETYPE=${info.openblasCoretype}); ` +
    `PyTorch ${info.pytorch ?? NA}, ONNX Runtime ${info.onnxruntime ?? NA}, TensorFlow.js ${info.tfjs ?? NA}. ` +
    `Command: ${md ? `\`${command}\`` : command} (median of ${options.rounds} alternating round${options.rounds > 1 ? 's' : ''}).`);
  out.push('', renderTable(main.table, md));
  const steps = main.data.filter((d) => d.msPerStep) as { workload: string; msPerStep: { blasnet: number | null; pytorch: number | null } }[];
  if (steps.length) {
    out.push('', `Median ms per training step at batch 32, blasnet / PyTorch: ${steps.map((d) => `${d.workload} ${num(d.msPerStep.blasnet, 2)} / ${num(d.msPerStep.pytorch, 2)}`).join(', ')}.`);
  }
  out.push('', `Large GEMM (bn.native.sgemm 2048×2048×2048): ${num(gemm1, 1)} GFLOP/s on 1 thread, ${num(gemm2, 1)} GFLOP/s on 2 threads (the peak above is the larger).`);
  if (sweep) out.push('', renderTable(sweep.table, md));
  if (rssBlasnet !== null || rssTorch !== null) {
    const mb = (v: number | null): string => (v === null ? NA : `${num(v)} MB`);
    out.push('', `Peak RSS training W1 on 60,000 samples (batch 32): blasnet ${mb(rssBlasnet)}, PyTorch ${mb(rssTorch)}` +
      (rssBlasnet !== null && rssTorch !== null ? ` (${(rssBlasnet / rssTorch).toFixed(2)}× PyTorch's).` : '.'));
  }
  if (bench.notes.length) out.push('', 'Notes:', ...bench.notes.map((n) => `- ${n}`));
  out.push('', `(${minutes.toFixed(1)} min)`);
  console.log(out.join('\n'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
