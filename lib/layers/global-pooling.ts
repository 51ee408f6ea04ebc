import { LayerCall } from '../engine/call';
import { Mask, checkMask } from '../engine/mask';
import { ValueError, formatShape, formatValue } from '../errors';
import { camelKeys } from '../names';
import { native } from '../native';
import { Shape, Tensor, sizeOf } from '../tensor';
import { Layer, LayerArgs, layerOptions } from './layer';

export interface GlobalPoolingArgs extends LayerArgs {
  /** Only 'channels_last' (the default) is supported. */
  dataFormat?: string;
  /** Keep the pooled axes with size 1 ([1, 1, C] instead of [C]). */
  keepdims?: boolean;
}

/**
 * Average or maximum over every position of a channels-last sample: the steps of
 * [T, C] (1D) or the pixels of [H, W, C] (2D), giving [C].
 */
abstract class GlobalPooling extends Layer {
  readonly keepdims: boolean;

  constructor(args: GlobalPoolingArgs, defaultName: string, private readonly spatialRank: number, private readonly kind: 'avg' | 'max') {
    const a = camelKeys(args ?? {});
    super(args, defaultName, layerOptions(['dataFormat', 'keepdims']));
    const format = a.dataFormat ?? 'channels_last';
    if (format !== 'channels_last' && format !== 'channelsLast') {
      throw new ValueError(`${this.name} (${this.constructor.name}): only dataFormat 'channels_last' is supported, got ${formatValue(format)}`);
    }
    this.keepdims = a.keepdims ?? false;
  }

  computeOutputShape(inputShape: Shape): Shape {
    if (inputShape.length !== this.spatialRank + 1) {
      const axes = this.spatialRank === 1 ? '[null, steps, channels]' : '[null, height, width, channels]';
      throw this.shapeError(`expected input of rank ${this.spatialRank + 2} ${axes}, got ${formatShape([null, ...inputShape])}`);
    }
    const C = inputShape[inputShape.length - 1];
    return this.keepdims ? [...new Array<number>(this.spatialRank).fill(1), C] : [C];
  }

  /**
   * Keras 3: GlobalAveragePooling1D averages over the unmasked steps only and its output
   * has no mask; the max poolings and the 2D average do not support masking (they pool
   * every position, with Keras's warning).
   */
  override get supportsMasking(): boolean {
    return this.kind === 'avg' && this.spatialRank === 1;
  }

  override outputMasked(): boolean {
    return false;
  }

  forward(x: Tensor, call: LayerCall): Tensor {
    this.checkInput(x);
    call.saved.x = x;
    const [N, S, C] = this.dims(x);
    const out = call.buffer('out', [N, ...this.outputShape!]);
    const mask = this.supportsMasking ? call.mask : null;
    call.saved.mask = mask;
    if (mask) {
      checkMask(mask, x.shape, `${this.name} (${this.className})`);
      maskedMean(out.data, x.data, mask, N, S, C);
      return out;
    }
    const pool = this.kind === 'avg' ? native.globalAvgPoolForward : native.globalMaxPoolForward;
    pool(out.data as Float32Array, x.data as Float32Array, N, S, C);
    return out;
  }

  backward(dy: Tensor, call: LayerCall, needInputGrad: boolean): Tensor | null {
    if (!needInputGrad) return null;
    const x = call.saved.x as Tensor;
    const [N, S, C] = this.dims(x);
    const dx = call.buffer('dx', x.shape);
    const mask = call.saved.mask as Mask | null;
    if (mask) maskedMeanBackward(dx.data, dy.data, mask, N, S, C);
    else if (this.kind === 'avg') native.globalAvgPoolBackward(dx.data as Float32Array, dy.data as Float32Array, N, S, C);
    else native.globalMaxPoolBackward(dx.data as Float32Array, dy.data as Float32Array, x.data as Float32Array, N, S, C);
    return dx;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), data_format: 'channels_last', keepdims: this.keepdims };
  }

  /** [batch, positions, channels] of a batch. */
  private dims(x: Tensor): [number, number, number] {
    const C = x.shape[x.shape.length - 1];
    return [x.shape[0], sizeOf(x.shape.slice(1, -1)), C];
  }
}

/**
 * out[n,c] = sum of x[n,s,c] over the steps s the mask keeps / their count, as Keras
 * (sum(where(mask, x, 0)) / sum(mask): a sample with every step masked gives 0/0 = NaN).
 */
function maskedMean(out: Float32Array | Int32Array, x: Float32Array | Int32Array, mask: Mask, N: number, S: number, C: number): void {
  const m = mask.data;
  for (let n = 0; n < N; n++) {
    let count = 0;
    const o = n * C;
    out.fill(0, o, o + C);
    for (let s = 0; s < S; s++) {
      if (!m[n * S + s]) continue;
      count++;
      const xi = (n * S + s) * C;
      for (let c = 0; c < C; c++) out[o + c] += x[xi + c];
    }
    for (let c = 0; c < C; c++) out[o + c] /= count;
  }
}

/** dx[n,s,c] = dy[n,c] / count at kept steps, 0 at masked ones. */
function maskedMeanBackward(dx: Float32Array | Int32Array, dy: Float32Array | Int32Array, mask: Mask, N: number, S: number, C: number): void {
  const m = mask.data;
  for (let n = 0; n < N; n++) {
    let count = 0;
    for (let s = 0; s < S; s++) count += m[n * S + s] ? 1 : 0;
    for (let s = 0; s < S; s++) {
      const di = (n * S + s) * C;
      if (!m[n * S + s]) dx.fill(0, di, di + C);
      else for (let c = 0; c < C; c++) dx[di + c] = dy[n * C + c] / count;
    }
  }
}

/** Mean over height and width: [N, H, W, C] -> [N, C]. */
export class GlobalAveragePooling2D extends GlobalPooling {
  readonly className = 'GlobalAveragePooling2D';
  constructor(args: GlobalPoolingArgs = {}) {
    super(args, 'global_average_pooling2d', 2, 'avg');
  }
}

/** Maximum over height and width: [N, H, W, C] -> [N, C]. */
export class GlobalMaxPooling2D extends GlobalPooling {
  readonly className = 'GlobalMaxPooling2D';
  constructor(args: GlobalPoolingArgs = {}) {
    super(args, 'global_max_pooling2d', 2, 'max');
  }
}

/** Mean over steps: [N, T, C] -> [N, C]. */
export class GlobalAveragePooling1D extends GlobalPooling {
  readonly className = 'GlobalAveragePooling1D';
  constructor(args: GlobalPoolingArgs = {}) {
    super(args, 'global_average_pooling1d', 1, 'avg');
  }
}

/** Maximum over steps: [N, T, C] -> [N, C]. */
export class GlobalMaxPooling1D extends GlobalPooling {
  readonly className = 'GlobalMaxPooling1D';
  constructor(args: GlobalPoolingArgs = {}) {
    super(args, 'global_max_pooling1d', 1, 'max');
  }
}
