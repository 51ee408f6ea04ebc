// Writes a model in the TensorFlow.js layers format: model.json (topology and
// weightsManifest) plus one weights.bin, the layout tfjs-node's `file://` handler writes, so
// tf.loadLayersModel and tensorflowjs tooling read it.
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { ValueError, formatValue } from '../errors';
import type { LayersModel } from '../models/model';
import { savedWeightNames } from './registry';
import { WeightSpec } from './weights';

/** What a save wrote, as tfjs reports it. */
export interface SaveResult {
  modelArtifactsInfo: {
    dateSaved: Date;
    modelTopologyType: 'JSON';
    modelTopologyBytes: number;
    weightSpecsBytes: number;
    weightDataBytes: number;
  };
}

/** The package version, for generatedBy; lib/io and dist/io both sit two levels below the root. */
function blasnetVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(path.join(__dirname, '..', '..', 'package.json')) as { version: string }).version;
}

/** The model's topology, weight manifest entries and weight bytes, as tfjs's ModelArtifacts. */
function modelArtifacts(model: LayersModel): { modelTopology: Record<string, unknown>; trainingConfig: Record<string, unknown> | null; weightSpecs: WeightSpec[]; weightData: Uint8Array } {
  const seen = new Set<string>();
  for (const layer of model.layers) {
    if (seen.has(layer.name)) throw new ValueError(`${model.name}.save: two layers are named '${layer.name}'; weights are saved by layer name, so names must be unique`);
    seen.add(layer.name);
  }
  const config = model.getConfig();
  if (model.className === 'Sequential') {
    // The first layer carries the model's input shape, which loading needs.
    const first = (config.layers as { config: Record<string, unknown> }[])[0].config;
    if (first.batch_input_shape === undefined) first.batch_input_shape = [null, ...model.inputShape];
  }
  const weights: WeightSpec[] = [];
  const values: Uint8Array[] = [];
  for (const layer of model.layers) {
    const names = savedWeightNames(layer);
    layer.weights.forEach((p, i) => {
      weights.push({ name: `${layer.name}/${names[i]}`, shape: [...p.value.shape], dtype: p.value.dtype });
      values.push(new Uint8Array(p.value.data.buffer, p.value.data.byteOffset, p.value.data.byteLength));
    });
  }
  if (new Set(weights.map((w) => w.name)).size !== weights.length) {
    throw new ValueError(`${model.name}.save: weight names are not unique: ${weights.map((w) => w.name).join(', ')}`);
  }
  const modelTopology = {
    class_name: model.className,
    config,
    keras_version: `blasnet ${blasnetVersion()}`,
    backend: 'tensor_flow.js',
  };
  // A compiled model keeps its compile settings and optimizer state (TF.js's 'optimizer' group:
  // iterations, then each kind of state for every trained weight), so training resumes exactly.
  const trainer = model.training;
  let trainingConfig: Record<string, unknown> | null = null;
  if (trainer) {
    trainingConfig = trainer.trainingConfig();
    const pathOf = new Map(model.layers.flatMap((l) => { const n = savedWeightNames(l); return l.weights.map((p, i) => [p, `${l.name}/${n[i]}`] as const); }));
    const params = trainer.trainedWeights;
    trainer.optimizer.getWeights().forEach((t, i) => {
      const name = i === 0 ? 'optimizer/iterations'
        : `optimizer/state${Math.floor((i - 1) / params.length)}/${pathOf.get(params[(i - 1) % params.length])}`;
      weights.push({ name, shape: [...t.shape], dtype: 'float32', group: 'optimizer' });
      values.push(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    });
  }
  return { modelTopology, trainingConfig, weightSpecs: weights, weightData: Buffer.concat(values) };
}

/** The directory a `file://` URL or plain path names. */
export function saveDirectory(destination: string, where: string): string {
  if (typeof destination !== 'string' || destination === '') throw new ValueError(`${where}: expected a directory path or file:// URL, got ${formatValue(destination)}`);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(destination);
  if (scheme && scheme[1].toLowerCase() !== 'file') {
    throw new ValueError(`${where}: only file:// URLs and directory paths are supported, got ${scheme[1]}://`);
  }
  return scheme ? destination.slice(scheme[0].length) : destination;
}

/** Writes `<dir>/model.json` and `<dir>/weights.bin`, creating the directory. */
export async function saveModel(model: LayersModel, destination: string): Promise<SaveResult> {
  const where = `${model.name}.save`;
  const dir = saveDirectory(destination, where);
  const { modelTopology, trainingConfig, weightSpecs, weightData } = modelArtifacts(model);
  const modelJson = {
    modelTopology,
    ...(trainingConfig ? { trainingConfig } : {}),
    format: 'layers-model',
    generatedBy: `blasnet v${blasnetVersion()}`,
    convertedBy: null,
    weightsManifest: [{ paths: ['weights.bin'], weights: weightSpecs }],
  };
  await mkdir(dir, { recursive: true });
  // Weights first: a save that fails half-way never leaves a model.json without its weights.
  await writeFile(path.join(dir, 'weights.bin'), weightData);
  await writeFile(path.join(dir, 'model.json'), JSON.stringify(modelJson));
  return {
    modelArtifactsInfo: {
      dateSaved: new Date(),
      modelTopologyType: 'JSON',
      // UTF-8 bytes, as tfjs counts them (a layer name may hold non-ASCII characters).
      modelTopologyBytes: Buffer.byteLength(JSON.stringify(modelTopology)),
      weightSpecsBytes: Buffer.byteLength(JSON.stringify(weightSpecs)),
      weightDataBytes: weightData.length,
    },
  };
}
