import { LayerCall } from '../engine/call';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors';
import { camelKeys } from '../names';
import { native } from '../native';
import { random, seededRandom } from '../random';
import { Shape, Tensor } from '../tensor';
import { Layer, LayerArgs, layerOptions } from './layer';

export interface DropoutArgs extends LayerArgs {
  /** Fraction of the inputs to drop, in [0, 1). */
  rate: number;
  /**
   * Shape of the random keep mask, with the batch axis, broadcast over axes of size 1
   * (e.g. [null, 1, features] drops the same features at every timestep); null means
   * the input's size on that axis.
   */
  noiseShape?: (number | null)[] | null;
  /** Seeds a generator of the layer's own; otherwise the one bn.setSeed seeds is used. */
  seed?: number;
}

/**
 * Inverted dropout: while training, zeroes a random fraction `rate` of the inputs and
 * scales the rest by 1 / (1 - rate); the identity at inference.
 */
export class Dropout extends Layer {
  readonly className = 'Dropout';
  readonly rate: number;
  readonly noiseShape: (number | null)[] | null;
  readonly seed: number | null;
  private readonly generator: { uniform(): number };

  /** Keras's supports_masking: a mask on the input passes to the output unchanged. */
  override get supportsMasking(): boolean {
    return true;
  }

  constructor(args: DropoutArgs) {
    const a = camelKeys(args ?? ({} as DropoutArgs));
    super(args, 'dropout', layerOptions(['rate', 'noiseShape', 'seed']));
    const where = `${this.name} (Dropout)`;
    if (typeof a.rate !== 'number' || !(a.rate >= 0 && a.rate < 1)) {
      throw new ValueError(`${where}: rate must be a number in [0, 1), got ${formatValue(a.rate)}`);
    }
    this.rate = a.rate;
    const noise = a.noiseShape ?? null;
    if (noise !== null && (!Array.isArray(noise) || noise.some((d) => d !== null && (!Number.isInteger(d) || d < 1)))) {
      throw new ValueError(`${where}: noiseShape must be a list of positive integers or nulls (with the batch axis), got ${formatValue(noise)}`);
    }
    this.noiseShape = noise;
    if (a.seed !== undefined && a.seed !== null && !Number.isFinite(a.seed)) {
      throw new ValueError(`${where}: seed must be a finite number, got ${formatValue(a.seed)}`);
    }
    this.seed = a.seed ?? null;
    this.generator = this.seed === null ? random : seededRandom(this.seed);
  }

  computeOutputShape(inputShape: Shape): Shape {
    const noise = this.noiseShape;
    if (noise) {
      const full = [null, ...inputShape];
      const fits = noise.length === full.length && noise.every((d, i) => i === 0 || d === null || d === 1 || d === full[i]);
      if (!fits) {
        throw this.shapeError(`noiseShape ${formatShape(noise)} does not broadcast to input ${formatShape(full)}: it needs one entry per axis (batch first), each null, 1 or the input's size`);
      }
    }
    return inputShape;
  }

  forward(x: Tensor, call: LayerCall): Tensor {
    this.checkInput(x);
    // The keep mask of a training pass; null when the pass was the identity.
    call.saved.mask = null;
    if (!call.training || this.rate === 0) return x;
    const mask = call.buffer('mask', x.shape);
    this.drawMask(mask, call);
    call.saved.mask = mask;
    const out = call.buffer('out', x.shape);
    native.dropoutForward(out.data as Float32Array, x.data as Float32Array, mask.data as Float32Array, x.size, this.rate);
    return out;
  }

  backward(dy: Tensor, call: LayerCall, needInputGrad: boolean): Tensor | null {
    if (!needInputGrad) return null;
    const mask = call.saved.mask as Tensor | null;
    if (mask) native.dropoutBackward(dy.data as Float32Array, dy.data as Float32Array, mask.data as Float32Array, dy.size, this.rate);
    return dy;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate, noise_shape: this.noiseShape, seed: this.seed };
  }

  /** Fills mask with 1 (keep, probability 1 - rate) or 0, one draw per noiseShape element. */
  private drawMask(mask: Tensor, call: LayerCall): void {
    const keep = (): number => (this.generator.uniform() >= this.rate ? 1 : 0);
    const data = mask.data;
    if (!this.noiseShape) {
      for (let i = 0; i < data.length; i++) data[i] = keep();
      return;
    }
    const full = mask.shape;
    const noise = this.noiseShape.map((d, i) => d ?? full[i]);
    if (noise[0] !== 1 && noise[0] !== full[0]) {
      throw new ShapeError(`${this.name} (Dropout): noiseShape batch size ${noise[0]} does not broadcast to a batch of ${full[0]}`);
    }
    const draws = call.buffer('draws', noise).data;
    for (let i = 0; i < draws.length; i++) draws[i] = keep();
    // Walk the full mask in order; axes where the noise has size 1 have stride 0 into draws.
    const strides = new Array<number>(full.length);
    for (let i = full.length - 1, s = 1; i >= 0; i--) {
      strides[i] = noise[i] === 1 ? 0 : s;
      s *= noise[i];
    }
    const index = new Array<number>(full.length).fill(0);
    let offset = 0;
    for (let k = 0; k < data.length; k++) {
      data[k] = draws[offset];
      for (let i = full.length - 1; i >= 0; i--) {
        offset += strides[i];
        if (++index[i] < full[i]) break;
        offset -= strides[i] * full[i];
        index[i] = 0;
      }
    }
  }
}
