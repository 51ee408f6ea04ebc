import { Tensor } from '../tensor';
import { Conv } from './conv';
import { Layer } from './layer';
import { Pooling } from './pooling';

/**
 * One stage of a model's forward and backward passes: a single layer, or
 * consecutive layers that one kernel runs together. Its forward and backward
 * have the meaning of Layer's, for the first layer's input and the last layer's output.
 */
export interface Stage {
  /** The layers it runs, in order. */
  readonly layers: readonly Layer[];
  forward(x: Tensor, training: boolean): Tensor;
  backward(dy: Tensor, needInputGrad: boolean, dyIsPreActivation?: boolean): Tensor | null;
}

class LayerStage implements Stage {
  readonly layers: readonly Layer[];

  constructor(private readonly layer: Layer) {
    this.layers = [layer];
  }

  forward(x: Tensor, training: boolean): Tensor {
    return this.layer.forward(x, training);
  }

  backward(dy: Tensor, needInputGrad: boolean, dyIsPreActivation?: boolean): Tensor | null {
    return this.layer.backward(dy, needInputGrad, dyIsPreActivation);
  }
}

/** A convolution and the max pooling of its output, never storing the convolution's output. */
class ConvMaxPoolStage implements Stage {
  readonly layers: readonly Layer[];

  constructor(private readonly conv: Conv, private readonly pool: Pooling) {
    this.layers = [conv, pool];
  }

  forward(x: Tensor, training: boolean): Tensor {
    return this.conv.forwardPooled(x, this.pool, training);
  }

  // A pooling layer has no activation, so dy is never a pre-activation gradient.
  backward(dy: Tensor, needInputGrad: boolean): Tensor | null {
    return this.conv.backwardPooled(dy, needInputGrad);
  }
}

/**
 * How a model runs its (built) layers: each on its own, except a convolution
 * followed by a max pooling that one kernel can run together (Conv.fusesWithMaxPool:
 * few input channels, linear or relu, non-overlapping windows). The fused stage
 * computes what the two layers compute, with the same weights; it only skips
 * storing the convolution's output. Plan again when the layers change.
 */
export function planStages(layers: readonly Layer[]): Stage[] {
  const stages: Stage[] = [];
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i], next = layers[i + 1];
    if (layer instanceof Conv && next instanceof Pooling && next.mode === 'max' && layer.fusesWithMaxPool(next)) {
      stages.push(new ConvMaxPoolStage(layer, next));
      i++;
    } else {
      stages.push(new LayerStage(layer));
    }
  }
  return stages;
}
