import type * as tfc from '@tensorflow/tfjs-core';
import type { Analysis } from '../analysis/types';
import { bindWeights, type FoundWeight } from './weights';
import { getOp } from '../ops';
import { operandRole } from '../ops/op';
import { CONSTANT_VALUE, type WeightMap } from './weight-map';

// Weights of graph formats (TF.js graph models, TFLite), where the weights are constants feeding
// the nodes: a constant at a weight position of its consumer's op (`Conv2D`'s kernel at input 1)
// is that node's weight of that name; a constant read as data (`Add(x, c)`) is the constant node's
// own value, which the exporter writes as an initializer; a static operand (a Reshape's shape) was
// folded by the analysis and is nobody's weight.

/**
 * Binds decoded constants (by tensor name) to the nodes that read them and checks the result as any
 * loader's (bindWeights: every declared weight present, every shape right). Tensors no node takes
 * are disposed; the map owns the rest.
 */
export function bindConstantWeights(analysis: Analysis, tensors: ReadonlyMap<string, tfc.Tensor>, file: string): WeightMap {
  const { graph } = analysis;
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const found: FoundWeight[] = [];
  const used = new Set<tfc.Tensor>();
  const constantsTaken = new Set<string>();
  for (const node of graph.nodes) {
    if (node.op === 'Constant' || node.op === 'Input' || analysis.byId.get(node.id)?.folded) continue;
    node.inputs.forEach((ref, i) => {
      const producer = byId.get(ref.node);
      const tensor = producer?.op === 'Constant' && producer.tensor ? tensors.get(producer.tensor) : undefined;
      if (!producer || !tensor) return;
      const role = operandRole(getOp(node.op), i);
      if (role === 'static') return;
      used.add(tensor);
      if (typeof role === 'object') found.push({ owner: node.id, name: role.weight, origin: `"${producer.tensor}"`, tensor });
      else if (!constantsTaken.has(producer.id)) {
        constantsTaken.add(producer.id);
        found.push({ owner: producer.id, name: CONSTANT_VALUE, origin: `"${producer.tensor}"`, tensor });
      }
    });
  }
  for (const t of tensors.values()) if (!used.has(t)) t.dispose();
  return bindWeights(analysis, found, file);
}
