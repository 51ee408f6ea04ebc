// Runs one layer outside a model: a call context whose weight gradients live in a
// map the test reads, in training or inference mode.
import { CallMode, LayerCall } from '../../lib/engine/call';
import { Layer, Param } from '../../lib/layers/layer';
import { Tensor } from '../../lib/tensor';

export class LayerHarness implements CallMode {
  readonly grads = new Map<Param, Float32Array>();
  training: boolean;
  recording = true;
  call: LayerCall;

  constructor(readonly layer: Layer, training = true) {
    this.training = training;
    this.call = new LayerCall(this);
  }

  weightGradient(p: Param): Float32Array {
    let g = this.grads.get(p);
    if (!g) this.grads.set(p, (g = new Float32Array(p.value.size)));
    return g;
  }

  /** The gradient accumulated for a weight (zeros before any backward). */
  grad(p: Param): Float32Array {
    return this.weightGradient(p);
  }

  zeroGrads(): void {
    for (const g of this.grads.values()) g.fill(0);
  }

  forward(x: Tensor, training = this.training): Tensor {
    this.training = training;
    return this.layer.forward(x, this.call);
  }

  backward(dy: Tensor, needInputGrad: boolean, dyIsPreActivation = false): Tensor | null {
    return this.layer.backward(dy, this.call, needInputGrad, dyIsPreActivation);
  }
}

const harnesses = new WeakMap<Layer, LayerHarness>();

/** The one harness of a layer in a test, so forward and backward share a call. */
export function harness(layer: Layer): LayerHarness {
  let h = harnesses.get(layer);
  if (!h) harnesses.set(layer, (h = new LayerHarness(layer)));
  return h;
}
