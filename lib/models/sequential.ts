import { Graph } from '../engine/graph';
import { InputLayer } from '../engine/input-layer';
import { SymbolicTensor } from '../engine/symbolic';
import { ValueError, formatValue } from '../errors';
import { Layer } from '../layers/layer';
import { readOptions } from '../options';
import { Tensor } from '../tensor';
import { KerasOptions } from '../names';
import { InferenceArgs, LayersModel, ModelData } from './model';

export type { CompileArgs } from './training';
export type { FitArgs } from './model';
export type { Callbacks } from './callbacks';

export interface SequentialArgs {
  name?: string;
  layers?: Layer[];
}

/**
 * A linear stack of layers, trained with fit() as in Keras: a graph model of one chain,
 * from an input made from the first layer's inputShape. Each add applies the new layer
 * to the chain's last output.
 */
export class Sequential extends LayersModel {
  private readonly stack: Layer[] = [];
  private last: SymbolicTensor | null = null;
  private input: SymbolicTensor | null = null;

  constructor(args: SequentialArgs | Layer[] = {}) {
    const a = Array.isArray(args) ? { layers: args } : readOptions<SequentialArgs>(args, 'sequential', { known: ['name', 'layers'], unsupported: { trainable: true } });
    super({ name: a.name }, 'sequential');
    if (a.layers !== undefined && !Array.isArray(a.layers)) throw new ValueError(`${this.name}: layers must be a list of layers, got ${formatValue(a.layers)}`);
    for (const layer of a.layers ?? []) this.add(layer);
  }

  /** Appends a layer, building it at once so shape mismatches are reported here, naming the layer. */
  add(layer: Layer): void {
    if (!(layer instanceof Layer)) throw new ValueError(`${this.name}.add: expected a layer such as bn.layers.dense({...}), got ${formatValue(layer)}`);
    if (layer instanceof InputLayer) throw new ValueError(`${this.name}.add: give the first layer an inputShape instead of an InputLayer`);
    if (this.stack.includes(layer)) throw new ValueError(`${this.name}.add: layer ${layer.name} is already in the model`);
    if (!this.last) {
      const shape = layer.declaredInputShape ?? (layer.built && layer.inputCount[1] === 1 ? layer.inputShape : null);
      if (!shape) {
        throw new ValueError(`${layer.name} (${layer.className}) is the first layer of ${this.name} and needs an inputShape, e.g. inputShape: [784] for 784 features (the batch axis is left out)`);
      }
      this.input = new InputLayer({ shape: [...shape], dtype: layer.inputDType, name: `${this.name}_input` }).output;
    }
    const out = layer.apply(this.last ?? this.input!) as SymbolicTensor;
    this.stack.push(layer);
    this.last = out;
    this.setGraph(null);
  }

  /** Runs the model in inference mode and returns a new tensor of outputs. */
  override predict(x: ModelData, args: KerasOptions<InferenceArgs> = {}): Tensor {
    return super.predict(x, args) as Tensor;
  }

  /** The layers, without the input layer Sequential makes. */
  override get layers(): Layer[] {
    return [...this.stack];
  }

  override get className(): string {
    return 'Sequential';
  }

  override getConfig(): Record<string, unknown> {
    void this.graph; // an empty model has nothing to describe: throws, naming the fix
    return { name: this.name, layers: this.stack.map((l) => ({ class_name: l.className, config: l.getConfig() })) };
  }

  protected override buildGraph(): Graph {
    if (!this.last) throw new ValueError(`${this.name}: the model has no layers; add some with model.add(...)`);
    return new Graph([this.input!], [this.last], this.name);
  }

  protected override summaryLayers(): Layer[] {
    return this.layers;
  }

  protected override showsConnections(): boolean {
    return false;
  }

  protected override inputReader(): string {
    const first = this.stack[0];
    return `${first.name} (${first.className})`;
  }
}

/** Creates a Sequential model: empty, from a list of layers, or from `{name, layers}`. */
export function sequential(args: SequentialArgs | Layer[] = {}): Sequential {
  return new Sequential(args);
}
