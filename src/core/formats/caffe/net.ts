import type { SourceRange } from '../../ir';
import { all, first, nums, str, sub } from './fields';
import type { TextField, TextMessage } from './text-format';

// A Caffe NetParameter (caffe.proto) as the deploy file writes it, in one normalised form: the
// net-level inputs whichever of Caffe's three styles declares them, and the layers that run at test
// time (`include { phase: TEST }` kept, TRAIN-only dropped), old V1 `layers { type: CONVOLUTION }`
// entries under their V2 type names. Field numbers and defaults follow BVLC caffe.proto.

export interface CaffeInput {
  readonly name: string;
  /** The dims the file gives (N, C, H, W); empty where it gives none. */
  readonly dims: readonly number[];
  readonly range: SourceRange;
  readonly nameRange: SourceRange;
}

export interface CaffeBlobRef {
  readonly name: string;
  readonly range: SourceRange;
}

export interface CaffeLayer {
  readonly name: string;
  /** The V2 type string ('Convolution'); V1 enum names are translated (CONVOLUTION → Convolution). */
  readonly type: string;
  /** The type as written (a V1 enum name stays one), for the inspector. */
  readonly sourceType: string;
  readonly bottoms: readonly CaffeBlobRef[];
  readonly tops: readonly CaffeBlobRef[];
  /** The whole layer message: the mapping reads its `*_param` sub-messages. */
  readonly message: TextMessage;
  readonly range: SourceRange;
  readonly nameRange?: SourceRange;
}

export interface CaffeNet {
  readonly name?: string;
  readonly inputs: readonly CaffeInput[];
  readonly layers: readonly CaffeLayer[];
  /** Problems of the net's form (inputs with the wrong number of dims), with where they are. */
  readonly problems: readonly { readonly message: string; readonly range: SourceRange }[];
}

/** V1LayerParameter.LayerType names → the V2 type strings Caffe's upgrade_proto gives them. */
const V1_TYPES: Readonly<Record<string, string>> = {
  ABSVAL: 'AbsVal', ACCURACY: 'Accuracy', ARGMAX: 'ArgMax', BNLL: 'BNLL', CONCAT: 'Concat', CONTRASTIVE_LOSS: 'ContrastiveLoss',
  CONVOLUTION: 'Convolution', DATA: 'Data', DECONVOLUTION: 'Deconvolution', DROPOUT: 'Dropout', DUMMY_DATA: 'DummyData',
  EUCLIDEAN_LOSS: 'EuclideanLoss', ELTWISE: 'Eltwise', EXP: 'Exp', FLATTEN: 'Flatten', HDF5_DATA: 'HDF5Data', HDF5_OUTPUT: 'HDF5Output',
  HINGE_LOSS: 'HingeLoss', IM2COL: 'Im2col', IMAGE_DATA: 'ImageData', INFOGAIN_LOSS: 'InfogainLoss', INNER_PRODUCT: 'InnerProduct',
  LRN: 'LRN', MEMORY_DATA: 'MemoryData', MULTINOMIAL_LOGISTIC_LOSS: 'MultinomialLogisticLoss', MVN: 'MVN', POOLING: 'Pooling',
  POWER: 'Power', RELU: 'ReLU', SIGMOID: 'Sigmoid', SIGMOID_CROSS_ENTROPY_LOSS: 'SigmoidCrossEntropyLoss', SILENCE: 'Silence',
  SOFTMAX: 'Softmax', SOFTMAX_LOSS: 'SoftmaxWithLoss', SPLIT: 'Split', SLICE: 'Slice', TANH: 'TanH', WINDOW_DATA: 'WindowData', THRESHOLD: 'Threshold',
};
/** The same enum by number (`type: 4`), as some converters write it. */
const V1_NUMBERS: Readonly<Record<number, string>> = {
  35: 'ABSVAL', 1: 'ACCURACY', 30: 'ARGMAX', 2: 'BNLL', 3: 'CONCAT', 37: 'CONTRASTIVE_LOSS', 4: 'CONVOLUTION', 5: 'DATA', 39: 'DECONVOLUTION',
  6: 'DROPOUT', 32: 'DUMMY_DATA', 7: 'EUCLIDEAN_LOSS', 25: 'ELTWISE', 38: 'EXP', 8: 'FLATTEN', 9: 'HDF5_DATA', 10: 'HDF5_OUTPUT', 28: 'HINGE_LOSS',
  11: 'IM2COL', 12: 'IMAGE_DATA', 13: 'INFOGAIN_LOSS', 14: 'INNER_PRODUCT', 15: 'LRN', 29: 'MEMORY_DATA', 16: 'MULTINOMIAL_LOGISTIC_LOSS',
  34: 'MVN', 17: 'POOLING', 26: 'POWER', 18: 'RELU', 19: 'SIGMOID', 27: 'SIGMOID_CROSS_ENTROPY_LOSS', 36: 'SILENCE', 20: 'SOFTMAX',
  21: 'SOFTMAX_LOSS', 22: 'SPLIT', 33: 'SLICE', 23: 'TANH', 24: 'WINDOW_DATA', 31: 'THRESHOLD',
};

const blobRefs = (m: TextMessage, name: string): CaffeBlobRef[] =>
  all(m, name).flatMap((f) => (f.value.kind === 'string' || f.value.kind === 'identifier' ? [{ name: String(f.value.value), range: f.value.range }] : []));

/** Phase of a NetStateRule: TRAIN = 0, TEST = 1 (enum name or number). */
const phaseOf = (rule: TextMessage): string | undefined => {
  const p = str(rule, 'phase');
  return p === '0' ? 'TRAIN' : p === '1' ? 'TEST' : p;
};

/** Whether the layer runs in the TEST phase (a deploy net's): Caffe's NetStateRule on phase (stages and levels are not set in a deploy state). */
function runsAtTest(layer: TextMessage): boolean {
  const rules = (name: string) => all(layer, name).flatMap((f) => (f.value.kind === 'message' ? [f.value] : []));
  const includes = rules('include');
  if (includes.length) return includes.some((r) => (phaseOf(r) ?? 'TEST') === 'TEST');
  return !rules('exclude').some((r) => phaseOf(r) === 'TEST');
}

function readLayer(field: TextField, v1: boolean): CaffeLayer | undefined {
  if (field.value.kind !== 'message') return undefined;
  const m = field.value;
  const nameField = first(m, 'name');
  const written = str(m, 'type') ?? '';
  const v1Name = v1 ? (/^\d+$/.test(written) ? V1_NUMBERS[Number(written)] ?? written : written) : written;
  return {
    name: str(m, 'name') ?? '',
    type: v1 ? V1_TYPES[v1Name] ?? v1Name : written,
    sourceType: written,
    bottoms: blobRefs(m, 'bottom'),
    tops: blobRefs(m, 'top'),
    message: m,
    range: field.range,
    nameRange: nameField?.value.range,
  };
}

/** The net-level inputs: `input` with four `input_dim` each, or with one `input_shape { dim … }` each. */
function netInputs(net: TextMessage, problems: { message: string; range: SourceRange }[]): CaffeInput[] {
  const names = all(net, 'input');
  const flatDims = nums(net, 'input_dim');
  const shapes = all(net, 'input_shape').flatMap((f) => (f.value.kind === 'message' ? [nums(f.value, 'dim')] : []));
  if (flatDims.length && flatDims.length !== 4 * names.length) {
    const f = first(net, 'input_dim')!;
    problems.push({ message: `the net declares ${names.length} input(s) but ${flatDims.length} input_dim values; Caffe needs four (N, C, H, W) per input`, range: f.range });
  }
  return names.flatMap((f, i) => {
    if (f.value.kind === 'message') return [];
    const dims = shapes[i] ?? (flatDims.length >= 4 * (i + 1) ? flatDims.slice(4 * i, 4 * i + 4) : []);
    return [{ name: String(f.value.value), dims, range: f.range, nameRange: f.value.range }];
  });
}

export function readNet(net: TextMessage): CaffeNet {
  const problems: { message: string; range: SourceRange }[] = [];
  const layers = net.fields
    .filter((f) => f.name === 'layer' || f.name === 'layers')
    .map((f) => readLayer(f, f.name === 'layers'))
    .filter((l): l is CaffeLayer => !!l && runsAtTest(l.message));
  return { name: str(net, 'name'), inputs: netInputs(net, problems), layers, problems };
}

/** The shapes an Input layer gives its tops: one `shape` per top, or one for all. */
export function inputLayerShapes(layer: CaffeLayer): number[][] {
  const shapes = all(sub(layer.message, 'input_param'), 'shape').flatMap((f) => (f.value.kind === 'message' ? [nums(f.value, 'dim')] : []));
  return layer.tops.map((_, i) => shapes[i] ?? shapes[0] ?? []);
}

