import { LayerCall } from '../engine/call';
import { ValueError, formatShape, formatValue } from '../errors';
import { camelKeys } from '../names';
import { Shape, Tensor, sizeOf } from '../tensor';
import { Layer, LayerArgs, layerOptions } from './layer';

/**
 * A layer that only changes each sample's shape: forward and backward return views of the
 * same data with the output or input shape, so nothing is copied either way.
 */
abstract class ShapeView extends Layer {
  forward(x: Tensor, call: LayerCall): Tensor {
    this.checkInput(x);
    call.saved.xShape = x.shape;
    return new Tensor(x.data, [x.shape[0], ...this.outputShape!]);
  }

  backward(dy: Tensor, call: LayerCall, needInputGrad: boolean): Tensor | null {
    return needInputGrad ? new Tensor(dy.data, call.saved.xShape as Shape) : null;
  }
}

export interface FlattenArgs extends LayerArgs {
  /** Only 'channels_last' (the default) is supported. */
  dataFormat?: string;
}

/** Flattens each sample to one axis: [N, d1, d2, ...] -> [N, d1*d2*...], as a view. */
export class Flatten extends ShapeView {
  readonly className = 'Flatten';

  constructor(args: FlattenArgs = {}) {
    const a = camelKeys(args ?? {});
    super(args, 'flatten', layerOptions(['dataFormat']));
    const format = a.dataFormat ?? 'channels_last';
    if (format !== 'channels_last' && format !== 'channelsLast') {
      throw new ValueError(`${this.name} (Flatten): only dataFormat 'channels_last' is supported, got ${formatValue(format)}`);
    }
  }

  computeOutputShape(inputShape: Shape): Shape {
    if (inputShape.length < 1) throw this.shapeError(`expected an input of rank >= 2, got ${formatShape([null, ...inputShape])}`);
    return [sizeOf(inputShape)];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), data_format: 'channels_last' };
  }
}

export interface ReshapeArgs extends LayerArgs {
  /** The per-sample output shape (no batch axis); one entry may be -1, inferred from the size. */
  targetShape: number[];
}

/** Reshapes each sample to targetShape, as a view of the same data. */
export class Reshape extends ShapeView {
  readonly className = 'Reshape';
  readonly targetShape: readonly number[];

  constructor(args: ReshapeArgs) {
    const a = camelKeys(args ?? ({} as ReshapeArgs));
    super(args, 'reshape', layerOptions(['targetShape']));
    const target = a.targetShape;
    if (!Array.isArray(target) || target.length === 0 || target.some((d) => !Number.isInteger(d) || (d < 1 && d !== -1))) {
      throw new ValueError(`${this.name} (Reshape): targetShape must be a non-empty list of positive integers (no batch axis), with at most one -1, got ${formatValue(target)}`);
    }
    if (target.filter((d) => d === -1).length > 1) {
      throw new ValueError(`${this.name} (Reshape): only one entry of targetShape may be -1, got ${formatShape(target)}`);
    }
    this.targetShape = [...target];
  }

  computeOutputShape(inputShape: Shape): Shape {
    const size = sizeOf(inputShape);
    const known = sizeOf(this.targetShape.filter((d) => d !== -1));
    const fits = this.targetShape.includes(-1) ? size % known === 0 : size === known;
    if (!fits) {
      const wanted = this.targetShape.includes(-1) ? `a multiple of ${known}` : String(known);
      throw this.shapeError(`cannot reshape input ${formatShape([null, ...inputShape])} (${size} elements per sample) to target shape ${formatShape([null, ...this.targetShape])} (${wanted} elements)`);
    }
    return this.targetShape.map((d) => (d === -1 ? size / known : d));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), target_shape: [...this.targetShape] };
  }
}
