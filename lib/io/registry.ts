// Rebuilds layers from Keras/TensorFlow.js configs. The registry is derived from the
// `bn.layers` factories, whose tfjs names equal the Keras class names up to case
// ('maxPooling2d' <-> 'MaxPooling2D'), so a new layer is loadable as soon as it has a
// factory; the constructors take camelCased config fields themselves.
import { ValueError } from '../errors';
import { layers } from '../layers';
import { Layer } from '../layers/layer';
import { camelCase, canonicalName, snakeCase } from '../names';

type LayerFactory = (args: Record<string, unknown>) => Layer;

function factories(): Map<string, LayerFactory> {
  return new Map(Object.entries(layers).map(([name, factory]) => [canonicalName(name), factory as unknown as LayerFactory]));
}

/** The layer class names a saved model may use (matched case-insensitively, as tfjs factory names). */
function supportedLayerNames(): string[] {
  return Object.keys(layers).sort();
}

function isLayerClass(className: string): boolean {
  return factories().has(canonicalName(className));
}

/** Builds a layer from a Keras `{class_name, config}` entry; throws naming an unknown class. */
export function layerFromConfig(className: string, config: Record<string, unknown>): Layer {
  const factory = factories().get(canonicalName(className));
  if (!factory) {
    throw new ValueError(`unknown layer class_name '${className}'; blasnet can load: ${supportedLayerNames().join(', ')} (matched case-insensitively)`);
  }
  const layer = factory(fromKerasConfig(config) as Record<string, unknown>);
  if (canonicalName(layer.className) !== canonicalName(className)) {
    throw new ValueError(`class_name '${className}' built a ${layer.className} layer; the layer factories are misnamed`);
  }
  return layer;
}

// Strings that are identifiers, not enum values, and keep their spelling.
const verbatimKeys = new Set(['name', 'className', 'module', 'registeredName']);

/**
 * Keras config (snake_case keys, nested `{class_name, config}` objects) to constructor
 * arguments: keys camelCased at every depth, camelCase enum values ('channelsLast',
 * 'hardSigmoid') snake_cased as Keras writes them, and a nested `{class_name, config}` of a
 * layer class (a wrapper's `layer`) built into a Layer. Initializers stay `{className, config}`.
 */
function fromKerasConfig(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => fromKerasConfig(v, key));
  if (typeof value === 'string') return verbatimKeys.has(key) || !/^[a-z][a-z0-9]*[A-Z]/.test(value) ? value : snakeCase(value);
  if (value === null || typeof value !== 'object') return value;
  const entry = value as Record<string, unknown>;
  const nestedClass = entry.class_name ?? entry.className;
  if (key !== '' && typeof nestedClass === 'string' && isLayerClass(nestedClass) && isPlainObject(entry.config)) {
    return layerFromConfig(nestedClass, entry.config);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entry)) {
    const camel = camelCase(k);
    out[camel] = fromKerasConfig(v, camel);
  }
  return out;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * The names a layer's weights are saved under, after `<layer name>/`: the weight's own name,
 * or `<sublayer>/<weight>` when a wrapper holds sublayers' weights of the same name
 * (Bidirectional's forward_lstm/kernel and backward_lstm/kernel), as tfjs names them.
 */
export function savedWeightNames(layer: Layer): string[] {
  const names = layer.weights.map((p) => p.name);
  if (new Set(names).size === names.length) return names;
  const sublayers = Object.values(layer).filter((v): v is Layer => v instanceof Layer && v !== layer);
  return layer.weights.map((p) => {
    const owner = sublayers.find((s) => s.weights.includes(p));
    return owner ? `${owner.name}/${p.name}` : p.name;
  });
}
