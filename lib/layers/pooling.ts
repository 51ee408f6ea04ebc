import { LayerCall } from '../engine/call';
import { ValueError, formatShape, formatValue } from '../errors';
import { camelKeys } from '../names';
import { BatchGeometry, Pool2DGeometry, geometryByBatchSize, native, packPoolGeometry } from '../native';
import { Shape, Tensor } from '../tensor';
import { checkChannelsLast, convOutputLength, normalizeTuple } from './conv';
import { Layer, LayerArgs, layerOptions } from './layer';

export interface PoolingArgs extends LayerArgs {
  /** Window size: one number for every spatial axis, or one per axis. Default 2. */
  poolSize?: number | number[];
  /** Step between windows; default (null) is poolSize. */
  strides?: number | number[] | null;
  /** 'same' pads the input, but padded cells never enter a max or an average. */
  padding?: 'valid' | 'same';
  /** Only channels-last (NHWC) is supported. */
  dataFormat?: string;
}

/**
 * Max or average pooling with TensorFlow's semantics; the 1-D layers run the
 * 2-D kernels with a height of 1.
 */
export abstract class Pooling extends Layer {
  readonly poolSize: number[];
  readonly strides: number[];
  readonly padding: 'valid' | 'same';
  /** The geometry of the built input for a batch size (the last one memoised). */
  private batchGeometry!: (N: number) => BatchGeometry<Pool2DGeometry>;

  constructor(args: PoolingArgs, private readonly rank: 1 | 2, readonly mode: 'max' | 'avg', kind: string, defaultName: string) {
    const a = camelKeys(args ?? {});
    super(args, defaultName, layerOptions(['poolSize', 'strides', 'padding', 'dataFormat']));
    const where = `${this.name} (${kind})`;
    this.poolSize = normalizeTuple(a.poolSize ?? 2, rank, 'poolSize', where);
    this.strides = a.strides == null ? [...this.poolSize] : normalizeTuple(a.strides, rank, 'strides', where);
    const padding = a.padding ?? 'valid';
    if (padding !== 'valid' && padding !== 'same') {
      throw new ValueError(`${where}: padding must be 'valid' or 'same', got ${formatValue(a.padding)}`);
    }
    this.padding = padding;
    checkChannelsLast(a.dataFormat, where);
  }

  computeOutputShape(inputShape: Shape): Shape {
    const expected = this.rank === 2 ? '[null, height, width, channels]' : '[null, steps, channels]';
    if (inputShape.length !== this.rank + 1) {
      throw this.shapeError(`expected input of shape ${expected}, got ${formatShape([null, ...inputShape])}`);
    }
    const axes = this.rank === 2 ? ['height', 'width'] : ['steps'];
    const out = this.poolSize.map((k, i) => {
      const length = convOutputLength(inputShape[i], k, this.strides[i], 1, this.padding);
      if (length <= 0) {
        throw this.shapeError(`pool ${axes[i]} ${k} is larger than the input ${axes[i]} ${inputShape[i]} with padding 'valid' (input ${formatShape([null, ...inputShape])})`);
      }
      return length;
    });
    return [...out, inputShape[inputShape.length - 1]];
  }

  override build(inputShape: Shape): void {
    super.build(inputShape);
    const twoD = (v: readonly number[]): number[] => (this.rank === 2 ? [v[0], v[1]] : [1, v[0]]);
    const [H, W] = twoD(inputShape), [OH, OW] = twoD(this.outputShape!);
    const [KH, KW] = twoD(this.poolSize), [SH, SW] = twoD(this.strides);
    this.batchGeometry = geometryByBatchSize<Pool2DGeometry>(
      { H, W, C: inputShape[inputShape.length - 1], KH, KW, SH, SW, OH, OW, padding: this.padding }, packPoolGeometry);
  }

  /** The native geometry for a batch of N samples. */
  geometry(N: number): BatchGeometry<Pool2DGeometry> {
    return this.batchGeometry(N);
  }

  forward(x: Tensor, call: LayerCall): Tensor {
    this.checkInput(x);
    const g = this.geometry(x.shape[0]);
    const out = call.buffer('out', [x.shape[0], ...this.outputShape!]);
    const run = this.mode === 'max' ? native.maxPool2dForward : native.avgPool2dForward;
    run(out.data as Float32Array, x.data as Float32Array, g.packed);
    call.saved.x = x;
    call.saved.geom = g;
    return out;
  }

  backward(dy: Tensor, call: LayerCall, needInputGrad: boolean): Tensor | null {
    if (!needInputGrad) return null;
    const x = call.saved.x as Tensor, geom = call.saved.geom as BatchGeometry<Pool2DGeometry>;
    const dx = call.buffer('dx', x.shape);
    if (this.mode === 'max') {
      native.maxPool2dBackward(dx.data as Float32Array, dy.data as Float32Array, x.data as Float32Array, geom.packed);
    } else {
      native.avgPool2dBackward(dx.data as Float32Array, dy.data as Float32Array, geom.packed);
    }
    return dx;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      pool_size: [...this.poolSize],
      padding: this.padding,
      strides: [...this.strides],
      data_format: 'channels_last',
    };
  }
}

/** Max over [pool_h, pool_w] windows of [height, width, channels] inputs. */
export class MaxPooling2D extends Pooling {
  readonly className = 'MaxPooling2D';
  constructor(args: PoolingArgs = {}) {
    super(args, 2, 'max', 'MaxPooling2D', 'max_pooling2d');
  }
}

/** Mean over [pool_h, pool_w] windows of [height, width, channels] inputs. */
export class AveragePooling2D extends Pooling {
  readonly className = 'AveragePooling2D';
  constructor(args: PoolingArgs = {}) {
    super(args, 2, 'avg', 'AveragePooling2D', 'average_pooling2d');
  }
}

/** Max over windows of steps of [steps, channels] inputs. */
export class MaxPooling1D extends Pooling {
  readonly className = 'MaxPooling1D';
  constructor(args: PoolingArgs = {}) {
    super(args, 1, 'max', 'MaxPooling1D', 'max_pooling1d');
  }
}

/** Mean over windows of steps of [steps, channels] inputs. */
export class AveragePooling1D extends Pooling {
  readonly className = 'AveragePooling1D';
  constructor(args: PoolingArgs = {}) {
    super(args, 1, 'avg', 'AveragePooling1D', 'average_pooling1d');
  }
}
