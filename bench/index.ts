// `npm run bench`: blasnet beside every peer that is installed, each at its best setting, with sustained
// training throughput and ratios against the fastest peer of each workload. Peers: Debian's PyTorch 1.13
// (/usr/bin/python3), PyTorch 2.x and Keras 3 on JAX from a virtual environment (`npm run bench:setup`
// makes .bench-venv/), ONNX Runtime (W4, on the seed CNN exported from PyTorch); TensorFlow.js trains W1
// a few steps for information (it is very slow) and counts as a peer only if it is the fastest.
//
//   npm run bench -- [--workloads W1,W2,W3,W4] [--steps N] [--calls N] [--rounds N] [--quick]
//                    [--markdown | --json] [--skip torch,torch2,keras,ort,tfjs,sweep] [--max-seconds S]
//                    [--max-minutes M] [--python /usr/bin/python3] [--venv-python .bench-venv/bin/python]
//                    [--baseline DIR]
//   npm run -s bench -- --json > bench.json      (-s keeps npm's banner out of the JSON)
//
// W1 seed CNN training on Fashion-MNIST's 60,000 training images (Debian's dataset-fashion-mnist; as many
// synthetic ones without it, and the tables say which), one epoch: 1,875 timed steps. W2 seed LSTM and W3
// embedding + LSTM training on synthetic batches that cycle, 1,100 timed steps. Training is at batch 32
// after 20 untimed warm-up steps. W4 seed CNN inference: batch-1 latency over --calls calls, batch-256
// throughput. Models and the FLOP counts behind the GFLOP/s column: bench/workloads.ts.
//
// The headline training figure is the steady state: total samples over total time from timed step 800
// to the end, past the ~750th step where Adam's moments turn denormal unless they are flushed to zero. A
// second table sets it beside the first 200 steps, with ms/step per 250-step block. Runs shorter than
// 1,000 steps (--quick, a small --steps) show the mean over all their steps, labelled as not sustained.
//
// The run, about 20 minutes with every peer on a quiet 2-core machine (--quick: a few minutes):
//   1. Large-GEMM GFLOP/s (bn.native.sgemm 2048^3, 1 and 2 threads): the "of GEMM peak" column.
//   2. Thread selection: for each training workload, each PyTorch at each of its thread settings and Keras
//      at XLA's default threads and at one thread train 200 steps; the fastest setting is kept (named in
//      the notes). W4 instead runs every setting in every round, best per metric.
//   3. --rounds rounds (2; 1 with --quick), frameworks alternating within each: blasnet; each PyTorch at
//      its setting with and without --flush-denormal (the better counts); Keras at its setting (XLA
//      flushes denormals itself); for W4 also ONNX Runtime at 1 and 2 threads. Tables show the median
//      over rounds. TensorFlow.js trains W1 in round 1. A round that would end past --max-minutes (30),
//      judged by the last one, is not started, and the notes say so: on a busy machine, where Debian's
//      PyTorch runs W3 several times slower, one round may be all that fits.
//   4. The W1 batch/thread sweep (batch 8 to 512, 1 and 2 threads): blasnet against the fastest PyTorch
//      only, short runs (--skip sweep leaves it out; it takes about a minute).
//   5. The GEMM again; the better figure counts.
// W1's peak RSS is that of training on all 60,000 samples, loading and standardising them included, so
// it is also the "60,000-sample RSS" line (which used to be a run of its own).
//
// --baseline DIR runs a second blasnet, the checkout in DIR (built, with node_modules), beside this one
// in every round and adds a table of this one against it: the check an issue that restructures code must
// pass (no workload more than 5% slower in the same run). `git worktree add ../base <commit>`, then
// `ln -s $PWD/node_modules ../base/` and `(cd ../base && npx cmake-js compile)` make one.
// Every measurement runs in its own child process (so peak RSS is that run's alone). blasnet runs with
// its default threads unless the environment sets BLASNET_NUM_THREADS. A peer that is not installed is
// skipped with a note; a blasnet workload whose layers do not exist yet shows as n/a. --max-seconds (10)
// caps the short runs (thread selection, W4, sweep); sustained runs go to the end.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  FIRST_STEPS, MIN_STEADY_STEPS, STEADY_FROM, WORKLOAD_IDS, WORKLOAD_TITLES, WorkloadId, cnnForwardFlopsPerSample, intOption, median, parseArgs,
  trainFlopsPerSample,
} from './workloads';

type Result = Record<string, unknown> & { available?: boolean; reason?: string };
type TrainingId = Exclude<WorkloadId, 'W4'>;
type PeerId = 'torch' | 'torch2' | 'keras';
type Framework = 'blasnet' | 'baseline' | PeerId | 'onnxruntime' | 'tfjs';

interface Options {
  workloads: WorkloadId[];
  steps: Record<TrainingId, number>;
  selectSteps: number;
  calls: number;
  rounds: number;
  quick: boolean;
  json: boolean;
  markdown: boolean;
  skip: Set<string>;
  maxSeconds: number;
  maxMinutes: number;
  python: string;
  venvPython: string;
  /** Another blasnet checkout to measure beside this one, or null. */
  baseline: string | null;
}

const ROOT = path.resolve(__dirname, '..');
/** W1: one epoch of 60,000 samples at batch 32. W2, W3: past STEADY_FROM + MIN_STEADY_STEPS with a margin. */
const SUSTAINED_STEPS: Record<TrainingId, number> = { W1: 1875, W2: 1100, W3: 1100 };
const QUICK_STEPS: Record<TrainingId, number> = { W1: 100, W2: 50, W3: 20 };
const SELECT_STEPS = 200;
/** Sustained runs go to the end; this only ends one that hangs. */
const SUSTAINED_MAX_SECONDS = 1800;
const SWEEP_BATCHES = [8, 32, 128, 512];
const ORT_THREADS = [1, 2];
const SKIPPABLE = ['torch', 'torch2', 'keras', 'ort', 'tfjs', 'sweep'];
const TRAINING_IDS: TrainingId[] = ['W1', 'W2', 'W3'];

/** One way to run a peer. */
interface Setting {
  label: string;
  /** Intra-op threads: the sweep takes a PyTorch's first setting with 1 or 2. */
  threads: number;
  env: Record<string, string>;
  args: string[];
}

/**
 * PyTorch on OpenBLAS (Debian's build) runs GEMMs on OpenBLAS's pool and the rest on its OpenMP pool, so
 * with both at 2 threads the pools fight over the 2 cores; OpenBLAS at 1 with 2 OpenMP threads is usually
 * fastest, and one thread for everything wins when the machine is busy (OpenMP's spinning threads suffer
 * most from a shared core) and for batch-1 inference.
 */
const OPENBLAS_TORCH_SETTINGS: Setting[] = [[1, 2], [2, 2], [1, 1]].map(([openblas, intraOp]) => ({
  label: `OpenBLAS ${openblas} + ${intraOp} intra-op`,
  threads: intraOp,
  env: { OPENBLAS_NUM_THREADS: String(openblas), OMP_NUM_THREADS: String(intraOp) },
  args: ['--threads', String(intraOp)],
}));
/** PyTorch on MKL (pip's wheels) runs GEMMs on its own intra-op threads: one count to choose. */
const MKL_TORCH_SETTINGS: Setting[] = [2, 1].map((threads) => ({
  label: `${threads} intra-op`, threads, env: { OMP_NUM_THREADS: String(threads) }, args: ['--threads', String(threads)],
}));
/** XLA's CPU thread pool at its default size, or one thread (how: bench/keras_bench.py). */
const KERAS_SETTINGS: Setting[] = [
  { label: "XLA's default threads", threads: os.cpus().length, env: {}, args: ['--threads', '0'] },
  { label: '1 thread', threads: 1, env: {}, args: ['--threads', '1'] },
];

/** A Python peer: its interpreter, script and settings. */
interface Peer {
  id: PeerId;
  /** The column name; a probe or run replaces the placeholder with the version. */
  name: string;
  python: string;
  script: string;
  settings: Setting[];
  /** PyTorch's sustained runs go with and without --flush-denormal; XLA flushes denormals itself. */
  flushOptions: boolean[];
}

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
    options = parseArgs(argv, ['workloads', 'steps', 'calls', 'rounds', 'quick', 'markdown', 'json', 'skip', 'max-seconds', 'max-minutes', 'python', 'venv-python', 'baseline', 'help']);
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
  const steps = { ...(quick ? QUICK_STEPS : SUSTAINED_STEPS) };
  if (options.has('steps')) for (const id of TRAINING_IDS) steps[id] = Math.max(1, intOption(options, 'steps', 0));
  const maxSeconds = Number(options.get('max-seconds') ?? 10);
  const maxMinutes = Number(options.get('max-minutes') ?? 30);
  if (!(maxSeconds > 0) || !(maxMinutes > 0)) {
    console.error(`--max-seconds and --max-minutes take positive numbers, got ${options.get('max-seconds')} and ${options.get('max-minutes')}`);
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
  const baseline = options.has('baseline') ? path.resolve(options.get('baseline')!) : null;
  if (baseline && !fs.existsSync(path.join(baseline, 'bench', 'blasnet-worker.ts'))) {
    console.error(`--baseline ${baseline}: not a blasnet checkout (no bench/blasnet-worker.ts)`);
    usage();
  }
  return {
    baseline,
    workloads: workloads as WorkloadId[],
    steps,
    selectSteps: Math.min(quick ? 20 : SELECT_STEPS, ...TRAINING_IDS.map((id) => steps[id])),
    calls: Math.max(100, intOption(options, 'calls', quick ? 500 : 5000)),
    rounds: Math.max(1, intOption(options, 'rounds', quick ? 1 : 2)),
    quick,
    json,
    markdown,
    skip,
    maxSeconds,
    maxMinutes,
    python: options.get('python') ?? '/usr/bin/python3',
    venvPython: path.resolve(options.get('venv-python') ?? path.join(ROOT, '.bench-venv', 'bin', 'python')),
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

/** A child's time limit: its own cap on timing, plus start-up and warm-up. */
const childTimeout = (maxSeconds: number): number => maxSeconds * 3 + 180;

/**
 * The workers run as plain JavaScript, as an application runs blasnet's dist/: tsc compiles
 * bench/ and lib/ into dist-bench/ once per run (under tsx, its loader thread would add
 * ~40 MB to every worker's peak RSS). They load the addon the package would load.
 */
function compileWorkers(root: string): { dir: string; addon: string } {
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'bench', 'tsconfig.json')],
    { cwd: root, encoding: 'utf8' });
  if (tsc.status !== 0) throw new Error(`compiling the bench workers of ${root} failed:\n${tsc.stdout}${tsc.stderr}`);
  const addon = process.env.BLASNET_NATIVE && root === ROOT ? path.resolve(process.env.BLASNET_NATIVE)
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    : (require('node-gyp-build') as { path(dir: string): string }).path(root);
  return { dir: path.join(root, 'dist-bench', 'bench'), addon };
}

/** Compiled workers per checkout (this one, and the baseline's). */
const workers = new Map<string, { dir: string; addon: string }>();

const jsWorker = (file: string, args: string[], env: Record<string, string>, maxSeconds: number, root = ROOT): Promise<Result> => {
  let w = workers.get(root);
  if (!w) workers.set(root, (w = compileWorkers(root)));
  return runChild(process.execPath, [path.join(w.dir, file), ...args], { BLASNET_NATIVE: w.addon, ...env }, childTimeout(maxSeconds));
};

/** One measurement. */
interface Spec {
  key: string;
  framework: Framework;
  workload: WorkloadId | 'GEMM';
  setting: string;
  run: () => Promise<Result>;
}

function trainArgs(id: WorkloadId, steps: number, batch: number, maxSeconds: number, samples = 0): string[] {
  const warmup = Math.min(20, Math.max(3, Math.round(steps / 10)));
  return ['--workload', id, '--steps', String(steps), '--warmup', String(warmup), '--batch', String(batch),
    '--max-seconds', String(maxSeconds), ...(samples ? ['--samples', String(samples)] : [])];
}

/** Keys of a peer's sustained training runs, one per flush option. */
const sustainedKey = (id: WorkloadId, peer: PeerId, flush: boolean): string => `${id}:${peer}${flush ? ':flush' : ''}`;
const w4Key = (framework: Framework, setting: string): string => `W4:${framework}:${setting}`;

class Bench {
  readonly results = new Map<string, Result[]>();
  readonly notes: string[] = [];
  readonly unavailable = new Set<Framework>();
  peers: Peer[] = [];
  /** Each peer's thread setting per training workload, from the selection pass. */
  readonly chosen = new Map<string, Setting>();
  onnxPath: string | null = null;

  constructor(readonly options: Options) {}

  blasnet(args: string[], maxSeconds: number, env: Record<string, string> = {}): Promise<Result> {
    return jsWorker('blasnet-worker.js', args, env, maxSeconds);
  }

  /** The same run with the --baseline checkout's blasnet. */
  baseline(args: string[], maxSeconds: number): Promise<Result> {
    return jsWorker('blasnet-worker.js', args, {}, maxSeconds, this.options.baseline!);
  }

  python(peer: Peer, setting: Setting, args: string[], maxSeconds: number): Promise<Result> {
    return runChild(peer.python, [path.join(__dirname, peer.script), ...args, ...setting.args], setting.env, childTimeout(maxSeconds));
  }

  /** The version ONNX Runtime's or TensorFlow.js's runs reported (the peers' is in their name), or null. */
  version(framework: 'onnxruntime' | 'tfjs'): string | null {
    const version = [...this.results.values()].flat().find((r) => r.framework === framework && r.version)?.version;
    return typeof version === 'string' ? version : null;
  }

  /** A framework's name for tables and notes, with its version once known. */
  name(framework: Framework): string {
    const peer = this.peers.find((p) => p.id === framework);
    if (peer) return peer.name;
    if (framework !== 'onnxruntime' && framework !== 'tfjs') return framework;
    const version = this.version(framework);
    const base = framework === 'onnxruntime' ? 'ONNX Runtime' : 'TensorFlow.js';
    return version ? `${base} ${version}` : base;
  }

  /** Runs a spec unless its framework turned out to be missing; records and logs the result. */
  async measure(spec: Spec): Promise<Result | null> {
    if (this.unavailable.has(spec.framework)) return null;
    const started = Date.now();
    const result = await spec.run();
    if (result.available === false && /not installed|could not start/.test(result.reason ?? '')) {
      this.unavailable.add(spec.framework);
      this.notes.push(`${this.name(spec.framework)} skipped: ${result.reason}`);
    }
    const peer = this.peers.find((p) => p.id === spec.framework);
    if (peer && typeof result.version === 'string') peer.name = peerName(peer.id, result.version);
    const list = this.results.get(spec.key) ?? [];
    list.push(result);
    this.results.set(spec.key, list);
    log(`  ${spec.workload} ${this.name(spec.framework)}${spec.setting ? ` (${spec.setting})` : ''}: ${describe(result)} [${((Date.now() - started) / 1000).toFixed(1)} s]`);
    return result;
  }

  /** Every successful run of a key. */
  runs(key: string): Result[] {
    return (this.results.get(key) ?? []).filter((r) => r.available !== false);
  }

  /** A numeric field of every successful run of a key. */
  private numbers(key: string, field: string): number[] {
    return this.runs(key).map((r) => r[field]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
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

function peerName(id: PeerId, version: string): string {
  return id === 'keras' ? `Keras ${version}` : `PyTorch ${version}`;
}

const fmtInt = (v: number): string => Math.round(v).toLocaleString('en-US');

function describe(r: Result): string {
  if (r.available === false) return `n/a (${r.reason})`;
  if (typeof r.bestGflops === 'number') return `${r.bestGflops.toFixed(1)} GFLOP/s`;
  const rss = `${fmtInt(r.peakRssMb as number)} MB`;
  if (typeof r.medianUs === 'number') {
    return `${r.medianUs.toFixed(1)} µs median, ${(r.p99Us as number).toFixed(1)} µs p99, ${fmtInt(r.batch256SamplesPerSec as number)} samples/s at 256, ${rss}`;
  }
  if (typeof r.meanSamplesPerSec === 'number') {
    const steady = typeof r.steadySamplesPerSec === 'number' ? `${fmtInt(r.steadySamplesPerSec)} samples/s steady, ` : '';
    const flushed = r.flushDenormal === true ? ', denormals flushed' : '';
    return `${steady}${fmtInt(r.first200SamplesPerSec as number)} first 200, ${fmtInt(r.meanSamplesPerSec)} mean over ${r.steps} steps${flushed}, ${rss}`;
  }
  return JSON.stringify(r);
}

// ---- what runs ---------------------------------------------------------------------------------

/** The Python peers to run. Each PyTorch is probed for its version and BLAS, which decides its thread settings. */
async function findPeers(bench: Bench): Promise<void> {
  const o = bench.options;
  const torches: { id: PeerId; where: string; python: string; hint: string }[] = [
    { id: 'torch', where: "Debian's PyTorch", python: o.python, hint: 'apt-get install python3-torch' },
    { id: 'torch2', where: 'PyTorch from the virtual environment', python: o.venvPython, hint: 'npm run bench:setup' },
  ];
  for (const { id, where, python, hint } of torches) {
    if (o.skip.has(id)) continue;
    const probe = fs.existsSync(python)
      ? await runChild(python, [path.join(__dirname, 'torch_bench.py'), '--probe'], {}, 120)
      : { available: false, reason: `${python} not found` };
    if (probe.available === false) {
      bench.notes.push(`${where} skipped: ${probe.reason} (${hint})`);
      continue;
    }
    bench.peers.push({
      id, name: peerName(id, String(probe.version)), python, script: 'torch_bench.py',
      settings: probe.blas === 'mkl' ? MKL_TORCH_SETTINGS : OPENBLAS_TORCH_SETTINGS, flushOptions: [true, false],
    });
  }
  if (o.skip.has('keras')) return;
  if (!fs.existsSync(o.venvPython)) {
    bench.notes.push(`Keras/JAX skipped: ${o.venvPython} not found (npm run bench:setup)`);
    return;
  }
  bench.peers.push({ id: 'keras', name: 'Keras/JAX', python: o.venvPython, script: 'keras_bench.py', settings: KERAS_SETTINGS, flushOptions: [false] });
}

/** Exports the seed CNN once for ONNX Runtime, from the first PyTorch whose exporter works. */
async function exportOnnx(bench: Bench): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blasnet-bench-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'seed_cnn.onnx');
  const reasons: string[] = [];
  for (const peer of bench.peers.filter((p) => p.script === 'torch_bench.py')) {
    const result = await bench.python(peer, peer.settings[peer.settings.length - 1], ['--export-onnx', file], 60);
    if (result.available !== false && fs.existsSync(file)) {
      bench.onnxPath = file;
      return;
    }
    reasons.push(`${peer.name}: ${result.reason ?? 'no file written'}`);
  }
  bench.unavailable.add('onnxruntime');
  bench.notes.push(`ONNX Runtime skipped: the seed CNN could not be exported from PyTorch (${reasons.join('; ') || 'no PyTorch'})`);
}

/** Short runs of a training workload at each peer's settings; the fastest setting is kept. */
async function selectSettings(bench: Bench, id: TrainingId): Promise<void> {
  const o = bench.options;
  for (const peer of bench.peers) {
    const key = (s: Setting): string => `select:${id}:${peer.id}:${s.label}`;
    for (const setting of peer.settings) {
      await bench.measure({ key: key(setting), framework: peer.id, workload: id, setting: `${setting.label}, thread selection`,
        run: () => bench.python(peer, setting, trainArgs(id, o.selectSteps, 32, o.maxSeconds), o.maxSeconds) });
    }
    const best = bench.best(peer.settings.map(key), 'meanSamplesPerSec');
    const setting = peer.settings.find((s) => key(s) === best?.key);
    if (setting) bench.chosen.set(`${id}:${peer.id}`, setting);
  }
}

/** One round's runs of a workload, the frameworks alternating. */
function roundSpecs(bench: Bench, id: WorkloadId): Spec[] {
  const o = bench.options;
  if (id === 'W4') {
    const args = ['--workload', 'W4', '--calls', String(o.calls), '--max-seconds', String(o.maxSeconds)];
    const specs: Spec[] = [{ key: 'W4:blasnet', framework: 'blasnet', workload: id, setting: '', run: () => bench.blasnet(args, o.maxSeconds) }];
    if (o.baseline) specs.push({ key: 'W4:baseline', framework: 'baseline', workload: id, setting: '', run: () => bench.baseline(args, o.maxSeconds) });
    for (const peer of bench.peers) {
      for (const setting of peer.settings) {
        specs.push({ key: w4Key(peer.id, setting.label), framework: peer.id, workload: id, setting: setting.label,
          run: () => bench.python(peer, setting, args, o.maxSeconds) });
      }
    }
    if (o.skip.has('ort')) return specs;
    for (const threads of ORT_THREADS) {
      specs.push({
        key: w4Key('onnxruntime', `${threads} intra-op`), framework: 'onnxruntime', workload: id, setting: `${threads} intra-op`,
        run: () => (bench.onnxPath
          ? jsWorker('ort-worker.js', ['--model', bench.onnxPath, '--calls', String(o.calls), '--threads', String(threads), '--max-seconds', String(o.maxSeconds)], {}, o.maxSeconds)
          : Promise.resolve({ available: false, reason: 'no exported model' })),
      });
    }
    return specs;
  }
  const args = trainArgs(id, o.steps[id], 32, SUSTAINED_MAX_SECONDS);
  const specs: Spec[] = [{ key: `${id}:blasnet`, framework: 'blasnet', workload: id, setting: '', run: () => bench.blasnet(args, SUSTAINED_MAX_SECONDS) }];
  if (o.baseline) specs.push({ key: `${id}:baseline`, framework: 'baseline', workload: id, setting: '', run: () => bench.baseline(args, SUSTAINED_MAX_SECONDS) });
  for (const peer of bench.peers) {
    const setting = bench.chosen.get(`${id}:${peer.id}`);
    if (!setting) continue;
    for (const flush of peer.flushOptions) {
      specs.push({ key: sustainedKey(id, peer.id, flush), framework: peer.id, workload: id, setting: settingLabel(peer, setting, flush),
        run: () => bench.python(peer, setting, [...args, ...(flush ? ['--flush-denormal'] : [])], SUSTAINED_MAX_SECONDS) });
    }
  }
  return specs;
}

const settingLabel = (peer: Peer, setting: Setting, flush: boolean): string =>
  peer.flushOptions.length > 1 ? `${setting.label}, ${flush ? 'flush denormals' : 'no flush'}` : setting.label;

/** The PyTorch with the best W1 figure, for the sweep. */
function fastestTorch(bench: Bench): Peer | null {
  let fastest: { peer: Peer; value: number } | null = null;
  for (const peer of bench.peers.filter((p) => p.script === 'torch_bench.py')) {
    const value = peerBest(bench, 'W1', peer)?.value;
    if (value !== undefined && (!fastest || value > fastest.value)) fastest = { peer, value };
  }
  return fastest?.peer ?? null;
}

/** W1 at several batch sizes and at 1 and 2 threads, blasnet and the fastest PyTorch (short runs). */
function sweepSpecs(bench: Bench, torch: Peer | null): Spec[] {
  const o = bench.options;
  const samplesPerRun = o.quick ? 1024 : 2048;
  const specs: Spec[] = [];
  for (const batch of SWEEP_BATCHES) {
    const steps = Math.max(8, Math.round(samplesPerRun / batch));
    const args = trainArgs('W1', steps, batch, o.maxSeconds, batch * 16);
    for (const threads of [1, 2]) {
      const label = `batch ${batch}, ${threads} thread${threads > 1 ? 's' : ''}`;
      specs.push({ key: `sweep:${batch}:${threads}:blasnet`, framework: 'blasnet', workload: 'W1', setting: label,
        run: () => bench.blasnet(args, o.maxSeconds, blasnetThreads(threads)) });
      const setting = torch?.settings.find((s) => s.threads === threads);
      if (torch && setting) {
        specs.push({ key: `sweep:${batch}:${threads}:pytorch`, framework: torch.id, workload: 'W1', setting: `${label}, ${setting.label}`,
          run: () => bench.python(torch, setting, args, o.maxSeconds) });
      }
    }
  }
  return specs;
}

/** Large-GEMM GFLOP/s through bn.native.sgemm (2048^3) at 1 and 2 threads. */
function gemmSpecs(bench: Bench): Spec[] {
  return [1, 2].map((threads) => ({
    key: `gemm:${threads}`, framework: 'blasnet' as const, workload: 'GEMM' as const, setting: `sgemm 2048, ${threads} thread${threads > 1 ? 's' : ''}`,
    run: () => bench.blasnet(['--gemm', '2048'], bench.options.maxSeconds, blasnetThreads(threads)),
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

/** Whether a training workload's runs reach the steady-state window. */
const sustained = (bench: Bench, id: TrainingId): boolean => bench.options.steps[id] >= STEADY_FROM + MIN_STEADY_STEPS;
const headlineField = (bench: Bench, id: TrainingId): string => (sustained(bench, id) ? 'steadySamplesPerSec' : 'meanSamplesPerSec');

/** Where a training workload's data came from, as its runs report it. */
function dataOf(bench: Bench, id: TrainingId): string {
  const sources = new Set([...bench.results.entries()].filter(([key]) => key.startsWith(`${id}:`))
    .flatMap(([, runs]) => runs.map((r) => r.data)).filter((d): d is string => typeof d === 'string'));
  if (sources.size > 1) bench.notes.push(`${id}: the frameworks trained on different data (${[...sources].join(', ')})`);
  return [...sources].map((s) => (s === 'fashion-mnist' ? 'real Fashion-MNIST' : s)).join(' / ') || NA;
}

interface Candidate {
  framework: Framework;
  key: string;
  value: number;
}

/** A peer's best sustained run of a training workload (of its flush options), or null. */
function peerBest(bench: Bench, id: TrainingId, peer: Peer): Candidate | null {
  const best = bench.best(peer.flushOptions.map((f) => sustainedKey(id, peer.id, f)), headlineField(bench, id));
  return best && { framework: peer.id, ...best };
}

const W4_METRICS = [
  { field: 'medianUs', label: 'batch-1 latency median, µs', lowerIsBetter: true, digits: 1 },
  { field: 'p99Us', label: 'batch-1 latency p99, µs', lowerIsBetter: true, digits: 1 },
  { field: 'batch256SamplesPerSec', label: 'batch 256, samples/s', lowerIsBetter: false, digits: 0 },
];

/**
 * This blasnet against the --baseline checkout, workload by workload, from the same rounds: the
 * change is the ratio (> 1 faster now); a restructuring change may cost at most 5%.
 */
function baselineTable(bench: Bench): { table: Table; data: Record<string, unknown>[] } {
  const rows: string[][] = [];
  const data: Record<string, unknown>[] = [];
  const add = (id: WorkloadId, field: string, label: string, lowerIsBetter: boolean, digits: number): void => {
    const now = bench.value(`${id}:blasnet`, field), before = bench.value(`${id}:baseline`, field);
    const change = now === null || before === null ? null : lowerIsBetter ? before / now : now / before;
    rows.push([id, label, num(now, digits), num(before, digits), change === null ? NA : `${change.toFixed(3)}×`,
      change === null ? NA : change >= 0.95 ? 'ok' : 'SLOWER by more than 5%']);
    data.push({ workload: id, metric: field, blasnet: now, baseline: before, change });
  };
  for (const id of bench.options.workloads) {
    if (id === 'W4') for (const m of W4_METRICS) add(id, m.field, m.label, m.lowerIsBetter, m.digits);
    else add(id, headlineField(bench, id), sustained(bench, id) ? 'steady state, samples/s' : 'mean, samples/s', false, 0);
  }
  return {
    table: {
      title: `blasnet against the baseline ${bench.options.baseline} (same rounds, medians; × = this one's speed-up, > 1 is faster)`,
      header: ['Workload', 'Metric', 'blasnet', 'baseline', '× baseline', 'within 5%'],
      rows,
    },
    data,
  };
}

function mainTable(bench: Bench, peakGflops: number | null): { table: Table; data: Record<string, unknown>[] } {
  const rows: string[][] = [];
  const data: Record<string, unknown>[] = [];
  const peers = bench.peers;
  const pct = (gflops: number | null): string => (gflops === null || !peakGflops ? NA : `${((100 * gflops) / peakGflops).toFixed(0)}%`);
  const rss = (key: string | undefined): number | null => (key ? bench.value(key, 'peakRssMb') : null);
  const cell = (c: Candidate | null, digits: number): string => (c ? num(c.value, digits) : NA);
  const pick = (candidates: (Candidate | null)[], lowerIsBetter: boolean): Candidate | null =>
    candidates.reduce<Candidate | null>((a, c) => (c && (!a || (lowerIsBetter ? c.value < a.value : c.value > a.value)) ? c : a), null);
  const bestOf = (framework: Framework, keys: string[], field: string, lowerIsBetter: boolean): Candidate | null => {
    const b = bench.best(keys, field, lowerIsBetter);
    return b && { framework, ...b };
  };
  const settingOf = (c: Candidate | null): string | null => (c ? c.key.split(':').slice(2).join(':') || null : null);

  for (const id of bench.options.workloads) {
    if (id !== 'W4') {
      const field = headlineField(bench, id);
      const steps = bench.options.steps[id];
      const window = sustained(bench, id) ? `steady, steps ${STEADY_FROM}–${fmtInt(steps)}` : `mean of ${steps} steps, not sustained`;
      const source = dataOf(bench, id);
      const b = bench.value(`${id}:blasnet`, field);
      const perPeer = peers.map((p) => peerBest(bench, id, p));
      // TensorFlow.js's few steps give a mean; it is listed for information, and a peer only if fastest.
      const tfjs = id === 'W1' ? bestOf('tfjs', ['W1:tfjs'], 'meanSamplesPerSec', false) : null;
      const fastest = pick([...perPeer, tfjs], false);
      const gflops = b === null ? null : (b * trainFlopsPerSample(id)) / 1e9;
      rows.push([`${id} ${WORKLOAD_TITLES[id]}, samples/s`, `${source}; ${window}`, num(b), ...perPeer.map((c) => cell(c, 0)), '—',
        fastest ? bench.name(fastest.framework) : NA, ratio(b, fastest?.value ?? null), id === 'W1' ? cell(tfjs, 0) : '—',
        num(gflops, 1), pct(gflops), `${num(rss(`${id}:blasnet`))} / ${num(rss(fastest?.key))}`]);
      data.push({
        workload: id, metric: field, data: source, steps, blasnet: b,
        peers: Object.fromEntries(peers.map((p, i) => [p.id, { name: p.name, value: perPeer[i]?.value ?? null, run: perPeer[i]?.key ?? null }])),
        tfjs: tfjs?.value ?? null, fastest: fastest && { name: bench.name(fastest.framework), value: fastest.value },
        blasnetGflops: gflops, rssMb: { blasnet: rss(`${id}:blasnet`), fastest: rss(fastest?.key) },
      });
      continue;
    }
    for (const { field, label, lowerIsBetter, digits } of W4_METRICS) {
      const b = bench.value('W4:blasnet', field);
      const perPeer = peers.map((p) => bestOf(p.id, p.settings.map((s) => w4Key(p.id, s.label)), field, lowerIsBetter));
      const ort = bestOf('onnxruntime', ORT_THREADS.map((t) => w4Key('onnxruntime', `${t} intra-op`)), field, lowerIsBetter);
      const fastest = pick([...perPeer, ort], lowerIsBetter);
      const flops = cnnForwardFlopsPerSample();
      // A tail latency says nothing about compute rate, so the p99 row has no GFLOP/s.
      const tail = field === 'p99Us';
      const gflops = b === null || tail ? null : lowerIsBetter ? flops / (b * 1e3) : (b * flops) / 1e9;
      rows.push([`W4 CNN inference ${label}`, `synthetic input; ${fmtInt(bench.options.calls)} calls`, num(b, digits), ...perPeer.map((c) => cell(c, digits)),
        cell(ort, digits), fastest ? bench.name(fastest.framework) : NA, ratio(b, fastest?.value ?? null, lowerIsBetter), '—',
        tail ? '—' : num(gflops, 1), tail ? '—' : pct(gflops), `${num(rss('W4:blasnet'))} / ${num(rss(fastest?.key))}`]);
      const entry = (c: Candidate | null): Record<string, unknown> => ({ value: c?.value ?? null, setting: settingOf(c) });
      data.push({
        workload: id, metric: field, blasnet: b,
        peers: { ...Object.fromEntries(peers.map((p, i) => [p.id, { name: p.name, ...entry(perPeer[i]) }])), onnxruntime: entry(ort) },
        fastest: fastest && { name: bench.name(fastest.framework), value: fastest.value, setting: settingOf(fastest) },
        blasnetGflops: gflops, rssMb: { blasnet: rss('W4:blasnet'), fastest: rss(fastest?.key) },
      });
    }
  }
  return {
    table: {
      title: 'blasnet vs the fastest peer per workload (× = blasnet speed-up over it, > 1 is faster; training: samples/s over the timed window shown)',
      header: ['Workload', 'Data; timed window', 'blasnet', ...peers.map((p) => p.name), bench.name('onnxruntime'), 'Fastest peer', '× fastest peer',
        `${bench.name('tfjs')} (info)`, 'blasnet GFLOP/s', 'of GEMM peak', 'peak RSS MB blasnet / fastest'],
      rows,
    },
    data,
  };
}

/** Every training run's first 200 steps beside its steady state, and its ms/step per 250-step block. */
function firstVsSteadyTable(bench: Bench): { table: Table; data: Record<string, unknown>[] } {
  const rows: string[][] = [];
  const data: Record<string, unknown>[] = [];
  for (const id of bench.options.workloads.filter((w): w is TrainingId => w !== 'W4')) {
    const runs: { name: string; key: string }[] = [{ name: 'blasnet', key: `${id}:blasnet` }];
    for (const peer of bench.peers) {
      const setting = bench.chosen.get(`${id}:${peer.id}`);
      if (setting) runs.push(...peer.flushOptions.map((f) => ({ name: `${peer.name} (${settingLabel(peer, setting, f)})`, key: sustainedKey(id, peer.id, f) })));
    }
    for (const { name, key } of runs) {
      if (!bench.runs(key).length) continue;
      const first = bench.value(key, 'first200SamplesPerSec');
      const steady = bench.value(key, 'steadySamplesPerSec');
      const lists = bench.runs(key).map((r) => r.blockMsPerStep).filter((b): b is number[] => Array.isArray(b));
      const blocks = lists.length ? lists[0].map((_, i) => median(lists.map((l) => l[i]))) : [];
      rows.push([id, name, num(first), num(steady), first !== null && steady !== null ? (first / steady).toFixed(2) : NA,
        blocks.map((ms) => ms.toFixed(2)).join(' ')]);
      data.push({ workload: id, run: name, first200SamplesPerSec: first, steadySamplesPerSec: steady, blockMsPerStep: blocks });
    }
  }
  return {
    table: {
      title: `First ${FIRST_STEPS} timed steps vs steady state (step ${STEADY_FROM} on), samples/s, and ms per step of each 250-step block (first / steady near 1: no slowdown)`,
      header: ['Workload', 'Framework (setting)', 'first 200 steps', 'steady state', 'first / steady', 'ms/step per 250-step block'],
      rows,
    },
    data,
  };
}

function sweepTable(bench: Bench, torch: Peer | null): { table: Table; data: Record<string, unknown>[] } {
  const rows: string[][] = [];
  const data: Record<string, unknown>[] = [];
  const torchName = torch?.name ?? 'PyTorch';
  for (const batch of SWEEP_BATCHES) {
    const v = (threads: number, fw: string): number | null => bench.value(`sweep:${batch}:${threads}:${fw}`, 'meanSamplesPerSec');
    const [b1, b2, t1, t2] = [v(1, 'blasnet'), v(2, 'blasnet'), v(1, 'pytorch'), v(2, 'pytorch')];
    const gflops = (x: number | null): string => num(x === null ? null : (x * trainFlopsPerSample('W1')) / 1e9, 1);
    rows.push([String(batch), num(b1), num(b2), num(t1), num(t2), ratio(Math.max(b1 ?? 0, b2 ?? 0) || null, Math.max(t1 ?? 0, t2 ?? 0) || null),
      `${gflops(b1)} / ${gflops(b2)}`, num(bench.value(`sweep:${batch}:2:blasnet`, 'msPerStep'), 2)]);
    data.push({ batch, blasnet: { threads1: b1, threads2: b2 }, pytorch: { name: torchName, threads1: t1, threads2: t2 } });
  }
  return {
    table: {
      title: `W1 seed CNN training by batch size and threads (samples/s, short runs; blasnet threads = BLASNET_NUM_THREADS; ${torchName}, the fastest PyTorch at W1, intra-op threads${torch?.settings === OPENBLAS_TORCH_SETTINGS ? ' with OpenBLAS at 1' : ''})`,
      header: ['Batch', 'blasnet 1 thread', 'blasnet 2 threads', `${torchName} 1 thread`, `${torchName} 2 threads`, '× PyTorch (best vs best)', 'blasnet GFLOP/s 1 / 2', 'blasnet ms/step (2 threads)'],
      rows,
    },
    data,
  };
}

function renderTable(t: Table, markdown: boolean): string {
  if (markdown) {
    const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
    const align = t.header.map((_, i) => (i < 2 ? ':---' : '---:'));
    return [`**${t.title}**`, '', line(t.header), line(align), ...t.rows.map(line)].join('\n');
  }
  const widths = t.header.map((h, i) => Math.max(h.length, ...t.rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [t.title, line(t.header), widths.map((w) => '-'.repeat(w)).join('  '), ...t.rows.map(line)].join('\n');
}

/**
 * Which setting each peer ran at, for the notes: per training workload the one kept from the selection
 * runs (and whether --flush-denormal won), per W4 metric the best.
 */
function settingNotes(bench: Bench): string[] {
  const notes: string[] = [];
  if (bench.chosen.size) notes.push(`training thread settings: the fastest of ${bench.options.selectSteps}-step runs at each setting`);
  const w4 = (framework: Framework, settings: string[]): string[] => (!bench.options.workloads.includes('W4') ? [] : W4_METRICS.flatMap(({ field, lowerIsBetter }) => {
    const best = bench.best(settings.map((s) => w4Key(framework, s)), field, lowerIsBetter);
    return best ? [`W4 ${field} ${best.key.split(':').slice(2).join(':')}`] : [];
  }));
  for (const peer of bench.peers) {
    const training = TRAINING_IDS.filter((id) => bench.chosen.has(`${id}:${peer.id}`)).map((id) => {
      const best = peerBest(bench, id, peer);
      const flush = peer.flushOptions.length > 1 && best ? `, faster ${best.key.endsWith(':flush') ? 'with' : 'without'} --flush-denormal` : '';
      return `${id} ${bench.chosen.get(`${id}:${peer.id}`)!.label}${flush}`;
    });
    const settings = [...training, ...w4(peer.id, peer.settings.map((s) => s.label))];
    if (settings.length) notes.push(`${peer.name}: ${settings.join('; ')}`);
  }
  const ort = w4('onnxruntime', ORT_THREADS.map((t) => `${t} intra-op`));
  if (ort.length) notes.push(`${bench.name('onnxruntime')}: ${ort.join('; ')}`);
  return notes;
}

function machine(bench: Bench, loadBefore: number) {
  const cpus = os.cpus();
  const dpkg = spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'libopenblas0-pthread'], { encoding: 'utf8' });
  return {
    cpu: `${cpus[0]?.model ?? 'unknown'} × ${cpus.length}`,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    openblas: dpkg.status === 0 ? dpkg.stdout : 'unknown',
    openblasCoretype: process.env.OPENBLAS_CORETYPE ?? 'unset',
    openblasNumThreads: process.env.OPENBLAS_NUM_THREADS ?? 'unset',
    blasnetNative: process.env.BLASNET_NATIVE ?? 'default build',
    peers: Object.fromEntries(bench.peers.map((p) => [p.id, { name: p.name, python: p.python, available: !bench.unavailable.has(p.id) }])),
    peerNames: [...bench.peers.filter((p) => !bench.unavailable.has(p.id)).map((p) => p.name),
      ...(['onnxruntime', 'tfjs'] as const).filter((f) => bench.version(f)).map((f) => bench.name(f))],
    onnxruntime: bench.version('onnxruntime'),
    tfjs: bench.version('tfjs'),
    loadAverage: { before: loadBefore, after: os.loadavg()[0] },
  };
}

// ---- main ----------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = Date.now();
  const loadBefore = os.loadavg()[0];
  const bench = new Bench(options);
  await findPeers(bench);
  if (options.workloads.includes('W4') && !options.skip.has('ort')) await exportOnnx(bench);

  const gemm = gemmSpecs(bench);
  // The GEMM peak is measured before and after the workloads; the better figure counts.
  for (const spec of gemm) await bench.measure(spec);
  const training = options.workloads.filter((id): id is TrainingId => id !== 'W4');
  if (training.length && bench.peers.length) {
    log(`thread selection (${options.selectSteps} steps per setting)`);
    for (const id of training) await selectSettings(bench, id);
  }
  let rounds = 0;
  let roundMs = 0;
  for (let round = 1; round <= options.rounds; round++) {
    // On a machine so busy that another round would overrun --max-minutes, report the rounds done.
    if (round > 1 && Date.now() + roundMs - started > options.maxMinutes * 60000) {
      bench.notes.push(`stopped after ${rounds} round${rounds > 1 ? 's' : ''}: another (${(roundMs / 60000).toFixed(1)} min) would pass --max-minutes ${options.maxMinutes}`);
      break;
    }
    const roundStarted = Date.now();
    log(`round ${round}/${options.rounds}`);
    for (const id of options.workloads) {
      for (const spec of roundSpecs(bench, id)) {
        // A blasnet workload whose layers are missing stays missing: measure it once.
        if (spec.framework === 'blasnet' && bench.failure(spec.key)) continue;
        await bench.measure(spec);
      }
    }
    if (round === 1 && options.workloads.includes('W1') && !options.skip.has('tfjs')) {
      const [steps, warmup] = options.quick ? [2, 1] : [5, 1];
      await bench.measure({ key: 'W1:tfjs', framework: 'tfjs', workload: 'W1', setting: 'cpu backend, synthetic data',
        run: () => jsWorker('tfjs-worker.js', ['--steps', String(steps), '--warmup', String(warmup)], {}, 200) });
    }
    rounds = round;
    roundMs = Date.now() - roundStarted;
  }

  const w1Available = options.workloads.includes('W1') && bench.runs('W1:blasnet').length > 0;
  if (options.workloads.includes('W1') && !w1Available) bench.notes.push('W1 batch/thread sweep skipped: blasnet cannot run W1 yet');
  const sweepTorch = fastestTorch(bench);
  if (w1Available && !options.skip.has('sweep')) {
    log('W1 batch size and thread sweep');
    for (const spec of sweepSpecs(bench, sweepTorch)) await bench.measure(spec);
  }
  for (const spec of gemm) await bench.measure(spec);

  const gemm1 = bench.max('gemm:1', 'bestGflops');
  const gemm2 = bench.max('gemm:2', 'bestGflops');
  const peak = Math.max(gemm1 ?? 0, gemm2 ?? 0) || null;
  const main = mainTable(bench, peak);
  const baseline = options.baseline ? baselineTable(bench) : null;
  const firstVsSteady = firstVsSteadyTable(bench);
  const sweep = bench.results.has('sweep:32:1:blasnet') ? sweepTable(bench, sweepTorch) : null;
  const rss60k = !options.workloads.includes('W1') ? [] : [{ name: 'blasnet', key: 'W1:blasnet' }, ...bench.peers.map((p) => ({ name: p.name, key: peerBest(bench, 'W1', p)?.key }))]
    .map(({ name, key }) => ({ name, mb: key ? bench.value(key, 'peakRssMb') : null, samples: key ? bench.value(key, 'samples') : null }));

  for (const key of bench.results.keys()) {
    const why = bench.failure(key);
    if (why && !/not installed|could not start/.test(why)) bench.notes.push(`${key}: ${why}`);
  }
  bench.notes.push(...settingNotes(bench));
  if (training.length && bench.peers.some((p) => p.id === 'keras')) bench.notes.push("Keras/JAX has no flush option: XLA's CPU code flushes denormals to zero by default");
  if (training.some((id) => !sustained(bench, id))) {
    bench.notes.push(`training runs shorter than ${fmtInt(STEADY_FROM + MIN_STEADY_STEPS)} steps: figures are the mean over all timed steps, NOT sustained throughput`);
  }
  if (bench.runs('W1:tfjs').length) {
    bench.notes.push('TensorFlow.js (cpu backend) trains W1 on synthetic data for a few steps only (mean of them): for information; it counts as a peer only if it is the fastest');
  }
  const minutes = (Date.now() - started) / 60000;
  const info = machine(bench, loadBefore);
  // Other processes on the cores slow every framework, PyTorch's spinning OpenMP threads most.
  if (loadBefore > 0.5) {
    bench.notes.unshift(`the machine was busy before the run (1-minute load average ${loadBefore.toFixed(1)} on ${os.cpus().length} cores): figures are noisy and ratios unreliable`);
  }

  if (options.json) {
    console.log(JSON.stringify({
      machine: info, options: { ...options, skip: [...options.skip] }, minutes,
      gemmGflops: { threads1: gemm1, threads2: gemm2 }, workloads: main.data, firstVsSteady: firstVsSteady.data, sweep: sweep?.data ?? null,
      rss60k, baseline: baseline?.data ?? null, notes: bench.notes, raw: Object.fromEntries(bench.results),
    }, null, 2));
    return;
  }
  const md = options.markdown;
  const out: string[] = [];
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  out.push(`Machine: ${info.cpu}, ${info.memoryGb} GB, Node ${info.node}, OpenBLAS ${info.openblas} (OPENBLAS_CORETYPE=${info.openblasCoretype}). ` +
    `Peers: ${info.peerNames.join(', ') || 'none'}. ` +
    `Command: ${md ? `\`${command}\`` : command} (median of ${rounds} alternating round${rounds > 1 ? 's' : ''}).`);
  out.push('', renderTable(main.table, md));
  if (firstVsSteady.table.rows.length) out.push('', renderTable(firstVsSteady.table, md));
  if (baseline) out.push('', renderTable(baseline.table, md));
  out.push('', `Large GEMM (bn.native.sgemm 2048×2048×2048): ${num(gemm1, 1)} GFLOP/s on 1 thread, ${num(gemm2, 1)} GFLOP/s on 2 threads (the peak above is the larger).`);
  if (sweep) out.push('', renderTable(sweep.table, md));
  if (rss60k.some((r) => r.mb !== null)) {
    out.push('', `Peak RSS training W1 on ${num(rss60k[0].samples)} samples (batch 32, loading and standardising them included; each framework's best run): ` +
      `${rss60k.map((r) => `${r.name} ${num(r.mb)} MB`).join(', ')}.`);
  }
  if (bench.notes.length) out.push('', 'Notes:', ...bench.notes.map((n) => `- ${n}`));
  out.push('', `(${minutes.toFixed(1)} min)`);
  console.log(out.join('\n'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
