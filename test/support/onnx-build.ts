import { ModelProto } from '../../src/core/formats/onnx/proto';

// Small ONNX models built in memory with ONNX's own schema (protobufjs encodes them), for tests that
// need a precise defect: a cycle, a dangling input, external data pointing anywhere.

export interface NodeSpec { name: string; op: string; inputs: string[]; outputs: string[]; attrs?: { name: string; type: number; i?: number; ints?: number[]; f?: number }[] }
export interface InitSpec { name: string; dims: number[]; dataType?: number; raw?: Uint8Array; external?: { location: string; offset?: number; length?: number } }

export function onnxModel(spec: { nodes: NodeSpec[]; inits?: InitSpec[]; inputs?: { name: string; dims: (number | string)[] }[]; outputs?: string[]; opset?: number }): Uint8Array {
  const valueInfo = (name: string, dims: (number | string)[]) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } });
  const message = ModelProto.fromObject({
    irVersion: 8,
    producerName: 'cnn-lens-test',
    opsetImport: [{ domain: '', version: spec.opset ?? 13 }],
    graph: {
      name: 'test',
      node: spec.nodes.map((n) => ({ name: n.name, opType: n.op, input: n.inputs, output: n.outputs, attribute: n.attrs ?? [] })),
      initializer: (spec.inits ?? []).map((t) => ({
        name: t.name,
        dims: t.dims,
        dataType: t.dataType ?? 1,
        ...(t.external
          ? { dataLocation: 1, externalData: [{ key: 'location', value: t.external.location }, ...(t.external.offset !== undefined ? [{ key: 'offset', value: String(t.external.offset) }] : []), ...(t.external.length !== undefined ? [{ key: 'length', value: String(t.external.length) }] : [])] }
          : { rawData: t.raw ?? new Uint8Array(t.dims.reduce((p, d) => p * d, 1) * 4) }),
      })),
      input: (spec.inputs ?? [{ name: 'x', dims: [1, 3, 8, 8] }]).map((i) => valueInfo(i.name, i.dims)),
      output: (spec.outputs ?? []).map((o) => ({ name: o })),
    },
  });
  return ModelProto.encode(message).finish();
}

/** A Conv (4 filters, 3×3) then a Relu over an NCHW input whose batch is the symbolic `batch`: `batch×3×spatial×spatial`. */
export const dynamicBatchConv = (spatial = 32): Uint8Array =>
  onnxModel({
    nodes: [{ name: 'conv', op: 'Conv', inputs: ['x', 'W'], outputs: ['c'] }, { name: 'relu', op: 'Relu', inputs: ['c'], outputs: ['y'] }],
    inits: [{ name: 'W', dims: [4, 3, 3, 3] }],
    inputs: [{ name: 'x', dims: ['batch', 3, spatial, spatial] }],
    outputs: ['y'],
  });
