import { Graph } from '../engine/graph';
import { formatShape } from '../errors';
import { Layer } from '../layers/layer';

/**
 * Keras's model summary: one row per layer with its output shape and parameter count,
 * and for graph models the "Connected to" column (`layer[node][tensor]` per input).
 */
export function summaryText(name: string, graph: Graph, layers: readonly Layer[], connections: boolean): string {
  const inGraph = new Set(graph.nodes);
  const rows: string[][] = [];
  for (const l of layers) {
    const nodes = l.inboundNodes.filter((n) => inGraph.has(n) || graph.inputs.includes(n.outputs[0]));
    const shapes = [...new Set(nodes.map((n) => formatShape([null, ...n.outputs[0].shape])))];
    const first = [`${l.name} (${l.className})`, shapes.join(', ') || formatShape([null, ...(l.outputShape ?? [])]), String(l.countParams())];
    if (!connections) {
      rows.push(first);
      continue;
    }
    const sources = nodes.flatMap((n) => n.inputs.map((t) => {
      const index = t.sourceLayer.inboundNodes.filter((m) => inGraph.has(m) || graph.inputs.includes(m.outputs[0])).indexOf(t.node);
      return `${t.sourceLayer.name}[${Math.max(index, 0)}][${t.index}]`;
    }));
    rows.push([...first, sources[0] ?? '-']);
    for (const s of sources.slice(1)) rows.push(['', '', '', s]);
  }
  const widths = connections ? [30, 22, 10, 24] : [34, 26, 12];
  const header = connections ? ['Layer (type)', 'Output Shape', 'Param #', 'Connected to'] : ['Layer (type)', 'Output Shape', 'Param #'];
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join(' ').trimEnd();
  const params = [...new Set(layers.flatMap((l) => [...l.weights]))];
  const trainableSet = new Set(layers.flatMap((l) => l.trainableWeights));
  const total = params.reduce((s, p) => s + p.value.size, 0);
  const trainable = params.filter((p) => trainableSet.has(p)).reduce((s, p) => s + p.value.size, 0);
  const rule = (ch: string): string => ch.repeat(widths.reduce((s, w) => s + w + 1, -1));
  return [
    `Model: "${name}"`, rule('_'), line(header), rule('='),
    ...rows.map(line), rule('='),
    `Total params: ${total}`, `Trainable params: ${trainable}`, `Non-trainable params: ${total - trainable}`, rule('_'),
  ].join('\n');
}
