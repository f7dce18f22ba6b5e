import { ModelProto } from '../src/core/formats/onnx/proto';

// A large ONNX graph for `npm run bench:onnx`, encoded with ONNX's own schema: residual blocks as
// PyTorch's exporter writes them (Conv → BatchNormalization → Relu → Conv → BatchNormalization →
// Add → Relu, names scoped `/stage3/stage3.17/conv1/Conv`), and in every other block the shape
// arithmetic of `x.view(x.size(0), -1)` and back (Shape → Gather → Unsqueeze → Concat → Reshape,
// with Constant nodes for the indices), which the analysis folds. Four channels at 14×14 keep the
// weights tiny (about 1.3 KB a block), so the file is graph, not data.

const CHANNELS = 4;
const SIDE = 14;
const BLOCKS_PER_STAGE = 100;
const FLOAT = 1;
const INT64 = 7;

interface Attr { name: string; type: number; i?: number; ints?: number[]; f?: number; t?: object }
interface Node { name: string; opType: string; input: string[]; output: string[]; attribute: Attr[] }
interface Tensor { name: string; dims: number[]; dataType: number; rawData: Uint8Array }

const ints = (name: string, values: number[]): Attr => ({ name, type: 7, ints: values });

/** Seeded values (an LCG), so every run writes the same file and no two tensors are equal. */
function seededFloats(count: number, seed: number): Uint8Array {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return new Uint8Array(out.buffer);
}

const int64Tensor = (name: string, values: number[], dims: number[]): Tensor =>
  ({ name, dims, dataType: INT64, rawData: new Uint8Array(new BigInt64Array(values.map(BigInt)).buffer) });

class GraphWriter {
  readonly nodes: Node[] = [];
  readonly initializers: Tensor[] = [];
  private seed = 1;

  node(name: string, opType: string, input: string[], attribute: Attr[] = []): string {
    const output = `${name}_output_0`;
    this.nodes.push({ name, opType, input, output: [output], attribute });
    return output;
  }

  weight(name: string, dims: number[]): string {
    this.initializers.push({ name, dims, dataType: FLOAT, rawData: seededFloats(dims.reduce((p, d) => p * d, 1), this.seed++) });
    return name;
  }

  constant(name: string, values: number[], dims: number[]): string {
    const output = `${name}_output_0`;
    this.nodes.push({ name, opType: 'Constant', input: [], output: [output], attribute: [{ name: 'value', type: 4, t: int64Tensor('', values, dims) }] });
    return output;
  }

  convBn(scope: string, x: string): string {
    const w = this.weight(`${scope}.weight`, [CHANNELS, CHANNELS, 3, 3]);
    const conv = this.node(`${scope}/Conv`, 'Conv', [x, w], [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1]), ints('strides', [1, 1])]);
    const bn = ['weight', 'bias', 'running_mean', 'running_var'].map((p) => this.weight(`${scope}.bn.${p}`, [CHANNELS]));
    return this.node(`${scope}/BatchNormalization`, 'BatchNormalization', [conv, ...bn], [{ name: 'epsilon', type: 1, f: 1e-5 }]);
  }

  /** `x.view(x.size(0), -1).view(x.shape)`: nine nodes of shape arithmetic around two Reshapes. */
  flattenAndBack(scope: string, x: string): string {
    const shape = this.node(`${scope}/Shape`, 'Shape', [x]);
    const batch = this.node(`${scope}/Gather`, 'Gather', [shape, this.constant(`${scope}/Constant`, [0], [])], [{ name: 'axis', type: 2, i: 0 }]);
    const batch1 = this.node(`${scope}/Unsqueeze`, 'Unsqueeze', [batch, this.constant(`${scope}/Constant_1`, [0], [1])]);
    const target = this.node(`${scope}/Concat`, 'Concat', [batch1, this.constant(`${scope}/Constant_2`, [-1], [1])], [{ name: 'axis', type: 2, i: 0 }]);
    const flat = this.node(`${scope}/Reshape`, 'Reshape', [x, target]);
    return this.node(`${scope}/Reshape_1`, 'Reshape', [flat, shape]);
  }

  block(scope: string, x: string, withShapeArithmetic: boolean): string {
    const a = this.node(`${scope}/relu/Relu`, 'Relu', [this.convBn(`${scope}/conv1`, x)]);
    const b = this.convBn(`${scope}/conv2`, a);
    const sum = this.node(`${scope}/Add`, 'Add', [b, x]);
    const y = this.node(`${scope}/relu_1/Relu`, 'Relu', [sum]);
    return withShapeArithmetic ? this.flattenAndBack(`${scope}/view`, y) : y;
  }
}

/** An ONNX model (opset 13) of residual blocks with at least `minNodes` nodes. */
export function generatedOnnxGraph(minNodes: number): Uint8Array {
  const g = new GraphWriter();
  let x = 'input';
  for (let b = 0; g.nodes.length < minNodes; b++) {
    const stage = `stage${Math.floor(b / BLOCKS_PER_STAGE) + 1}`;
    x = g.block(`/${stage}/${stage}.${b % BLOCKS_PER_STAGE}`, x, b % 2 === 1);
  }
  const valueInfo = (name: string) => ({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: [1, CHANNELS, SIDE, SIDE].map((d) => ({ dimValue: d })) } } } });
  const message = ModelProto.fromObject({
    irVersion: 8,
    producerName: 'cnn-lens bench/onnx-graph.ts',
    opsetImport: [{ domain: '', version: 13 }],
    graph: { name: `generated_${g.nodes.length}`, node: g.nodes, initializer: g.initializers, input: [valueInfo('input')], output: [valueInfo(x)] },
  });
  return ModelProto.encode(message).finish();
}
