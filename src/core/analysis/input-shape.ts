import type { Diagnostic, IRNode, TensorShape } from '../ir';
import { formatShape } from '../ops/tensor-math';
import type { AnalysisOptions, AssumedDim } from './types';

// The shape an input node runs with: the declared one, or the override, with open dimensions filled
// in. A named symbolic dimension (ONNX `batch`, paddle's `p2o.DynamicDimension.0`) is computed at 1
// and recorded as assumed, so the inspector can say so; an open batch is 1 (or `batch`).

export function inputShape(
  node: IRNode,
  names: readonly (string | null)[] | undefined,
  options: AnalysisOptions,
  report: (severity: Diagnostic['severity'], message: string) => void,
  assumed: AssumedDim[],
): TensorShape | undefined {
  const declared = node.attrs.batchShape as TensorShape;
  const override = pickOverride(node, options);
  if (override && override.length !== declared.length) {
    report('error', `the input shape override ${formatShape(override)} has ${override.length} dimensions, the model's input ${formatShape(declared)} has ${declared.length}`);
    return undefined;
  }
  const shape = [...(override ?? declared)];
  if (options.batch !== undefined) shape[0] = options.batch;
  shape.forEach((d, axis) => {
    if (d !== null) return;
    const name = names?.[axis];
    if (axis > 0 && !name) return;
    shape[axis] = 1;
    assumed.push({ input: node.id, axis, name: name ?? 'batch', value: 1 });
  });
  const bad = shape.find((d) => d !== null && (!Number.isInteger(d) || d < 1));
  if (bad !== undefined) {
    report('error', `dimension ${bad} in ${formatShape(shape)} is not a positive integer`);
    return undefined;
  }
  if (shape.slice(1).includes(null)) {
    report('warning', `input shape ${formatShape(shape)} leaves dimensions open, so costs that depend on them are unknown; give a concrete shape (CLI: --input-shape 1,224,224,3)`);
  }
  const symbolic = assumed.filter((a) => a.input === node.id && names?.[a.axis]);
  if (symbolic.length) report('info', `symbolic ${symbolic.length === 1 ? 'dimension' : 'dimensions'} ${symbolic.map((a) => `${a.name} (axis ${a.axis})`).join(', ')} computed at 1; set ${symbolic.length === 1 ? 'it' : 'them'} with --input-shape or the diagram's input size`);
  return shape;
}

function pickOverride(node: IRNode, options: AnalysisOptions): TensorShape | undefined {
  const o = options.inputShape;
  if (!o) return undefined;
  if (Array.isArray(o)) return o as TensorShape;
  const byName = o as Readonly<Record<string, TensorShape>>;
  return byName[node.id] ?? byName[node.layer];
}
