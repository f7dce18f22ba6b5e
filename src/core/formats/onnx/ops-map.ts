import type { MappedOp, OnnxNodeView, UnmappedOp } from './node-view';

// ONNX operator names and attributes onto the op table: a convolution is a convolution whatever the
// file, so costs follow the same conventions as for Keras. Only the mapping lives here; every shape
// and cost rule is the op's own (src/core/ops). NCHW throughout (ONNX's layout).

type Mapper = (view: OnnxNodeView) => MappedOp | UnmappedOp;

const ints = (v: unknown): readonly number[] | undefined => (Array.isArray(v) ? (v as number[]) : undefined);

export const ONNX_OPS: Readonly<Record<string, Mapper>> = {
  // Example of the pattern (the full table is filled in by the ONNX op work):
  Conv: (v) => {
    const w = v.inputs[1]?.shape;
    if (!w || w.length !== 4 || w.some((d) => d === null)) return { unknown: 'Conv with a weight whose shape the file does not declare, or not 2-D' };
    return {
      op: 'Conv2D',
      attrs: {
        filters: w[0],
        kernelSize: [w[2], w[3]],
        strides: ints(v.attrs.strides) ?? 1,
        dilationRate: ints(v.attrs.dilations) ?? 1,
        groups: typeof v.attrs.group === 'number' ? v.attrs.group : 1,
        useBias: !!v.inputs[2],
        dataFormat: 'channels_first',
      },
    };
  },
};

/** The op a node maps to, or why it stays opaque (unknown op type, custom domain, unsupported form). */
export function mapOnnxNode(view: OnnxNodeView): MappedOp | UnmappedOp {
  if (view.domain !== '' && view.domain !== 'ai.onnx') return { unknown: `operator ${view.domain}.${view.opType} is from a custom domain CNN Lens does not know` };
  const mapper = ONNX_OPS[view.opType];
  return mapper ? mapper(view) : { unknown: `CNN Lens does not know the ONNX operator ${view.opType} yet` };
}
