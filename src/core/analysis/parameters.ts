import type { Graph, IRNode, TensorShape } from '../ir';
import type { OpDef, WeightShape } from '../ops';
import { operandRole } from '../ops/op';
import { formatShape } from '../ops/tensor-math';

// Parameters of one node. Formats that keep weights out of the graph (Keras JSON) get them from the
// op's declared weights; graph formats (ONNX) store them as constants feeding the node, and those
// are counted where they enter the computation: once each, by their true element count and stored
// bytes, trainable or not as the op's weight of that position says (BatchNormalization's moving
// statistics are not). Static operands (Reshape's shape, Clip's bounds) are never parameters, and
// nodes folded away as shape arithmetic count none.

/** Ids of Constant nodes already counted as some node's parameters. */
export type ConstantUse = Set<string>;

export interface ParameterCounts {
  readonly trainable: number;
  readonly nonTrainable: number;
  /** Stored bytes of the constants counted (0 where the weights are not in the graph). */
  readonly bytes: number;
}

const elements = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

export function countParameters(
  graph: Graph,
  nodeById: ReadonlyMap<string, IRNode>,
  node: IRNode,
  op: OpDef | undefined,
  ins: readonly (TensorShape | undefined)[],
  used: ConstantUse,
  report?: (message: string) => void,
): ParameterCounts {
  let trainable = 0;
  let nonTrainable = 0;
  let bytes = 0;
  const roles = node.inputs.map((_, i) => operandRole(op, i));
  const declared = declaredWeights(op, node, ins);
  if (op && !node.sharesWeightsWith && !roles.some((r) => typeof r === 'object')) {
    for (const w of declared ?? []) {
      if (w.trainable) trainable += elements(w.shape);
      else nonTrainable += elements(w.shape);
    }
  }
  node.inputs.forEach((ref, i) => {
    const role = roles[i];
    const source = nodeById.get(ref.node);
    if (role === 'static' || source?.op !== 'Constant' || used.has(source.id)) return;
    const tensor = source.tensor ? graph.constants?.[source.tensor] : undefined;
    if (!tensor) return;
    used.add(source.id);
    const count = elements(tensor.shape);
    const slot = typeof role === 'object' ? declared?.find((w) => w.name === role.weight) : undefined;
    if (slot && elements(slot.shape) !== count) report?.(`${role === 'data' ? 'input' : (role as { weight: string }).weight} "${tensor.name}" has ${count} values ${formatShape(tensor.shape)}, the op expects ${elements(slot.shape)} ${formatShape(slot.shape)}`);
    if ((slot && !slot.trainable) || tensor.trainable === false) nonTrainable += count;
    else trainable += count;
    bytes += tensor.byteLength;
  });
  return { trainable, nonTrainable, bytes };
}

function declaredWeights(op: OpDef | undefined, node: IRNode, ins: readonly (TensorShape | undefined)[]): readonly WeightShape[] | undefined {
  if (!op?.weights || !ins.every((s) => s !== undefined)) return undefined;
  return op.weights(ins as TensorShape[], node.attrs);
}
