import { DTYPE_BYTES, type Diagnostic, type Graph, type IRGroup, type IRNode, type IRTensor } from '../../ir';
import { baseName } from '../source';
import type { TorchEntry, TorchModel } from './read';

// A PyTorch file's tensors as an IR graph: a state_dict has no graph, so each leaf module
// (`layer1.0.conv1`) becomes one opaque node reading its tensors as constants (their stored bytes
// counted as its parameters; buffers as non-trainable), inside groups for the module path
// (`layer1` ⊃ `layer1.0`). Shapes and MACs need the forward pass, which only an export carries:
// an info diagnostic says so, with the line that writes the ONNX file.

export const STATE_DICT_FORMAT = 'pytorch-state-dict';
export const TORCHSCRIPT_FORMAT = 'pytorch-torchscript';

const stem = (file: string): string => baseName(file).replace(/\.[^.]*$/, '');
const modulePath = (name: string): string => (name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : '');
const numel = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/** The export line, for a model built from this file's weights. */
export const exportLine = (file: string, script = false): string =>
  `torch.onnx.export(${script ? `torch.jit.load("${baseName(file)}")` : 'model.eval()'}, torch.randn(1, 3, 224, 224), "${stem(file)}.onnx")`;

/** What torch.nn module a leaf's tensors look like, where the file does not name its class (a state_dict): a guess, which the summary marks as an op CNN Lens does not know ("Conv2d?"). */
function guessClass(entries: readonly TorchEntry[]): string {
  const has = (n: string) => entries.some((e) => e.name.endsWith(`.${n}`) || e.name === n);
  const weight = entries.find((e) => e.name.endsWith('weight'));
  const rank = weight?.tensor.shape.length;
  const guess = has('running_mean') ? 'BatchNorm' : rank === 4 ? 'Conv2d' : rank === 5 ? 'Conv3d' : rank === 3 ? 'Conv1d' : rank === 2 ? 'Linear' : undefined;
  return guess ?? 'module';
}

export function torchGraph(model: TorchModel, file: string): Graph {
  const name = baseName(file);
  const leaves = new Map<string, TorchEntry[]>();
  for (const e of model.entries) {
    const path = modulePath(e.name);
    leaves.set(path, [...(leaves.get(path) ?? []), e]);
  }
  const constants: Record<string, IRTensor> = {};
  const nodes: IRNode[] = [];
  const groups = new Map<string, IRGroup>();
  const addGroups = (path: string): string | undefined => {
    if (!path) return undefined;
    if (!groups.has(path)) {
      const parent = addGroups(modulePath(path));
      groups.set(path, { id: path, name: path.slice(path.lastIndexOf('.') + 1), kind: 'block', ...(parent ? { parent } : {}) });
    }
    return path;
  };
  for (const [path, entries] of leaves) {
    for (const { name: tensorName, tensor, buffer } of entries) {
      constants[tensorName] = {
        name: tensorName, dtype: tensor.storage.dtype, shape: tensor.shape,
        byteLength: numel(tensor.shape) * DTYPE_BYTES[tensor.storage.dtype],
        ...(buffer ? { trainable: false } : {}),
      };
      nodes.push({ id: tensorName, layer: tensorName, op: 'Constant', sourceClass: 'Constant', attrs: {}, inputs: [], tensor: tensorName });
    }
    const id = path || stem(file);
    const group = addGroups(modulePath(path));
    nodes.push({
      id, layer: path || id, op: 'Unknown',
      sourceClass: model.classes.get(path) ?? guessClass(entries),
      attrs: {},
      inputs: entries.map((e) => ({ node: e.name, index: 0 })),
      ...(group ? { group } : {}),
      sourceAttrs: Object.fromEntries(entries.map((e) => [e.name.slice(path ? path.length + 1 : 0), `${e.tensor.storage.dtype} [${e.tensor.shape.join(', ')}]${e.buffer ? ' (buffer)' : ''}`])),
    });
  }
  const what = model.kind === 'torchscript'
    ? 'a TorchScript archive: CNN Lens reads its module tree and parameters, not yet the graph its code holds'
    : model.kind === 'checkpoint'
      ? `a checkpoint: its state_dict is under "${model.key}"${model.otherKeys?.length ? ` (beside ${model.otherKeys.map((k) => `"${k}"`).join(', ')})` : ''}, and a state_dict has no graph`
      : 'a state_dict, which has no graph';
  const diagnostics: Diagnostic[] = [{
    severity: 'info', code: 'pytorch-no-graph',
    message: `${name} is ${what}: each module is shown with its tensors (BatchNorm's running statistics counted as non-trainable buffers). Export it to ONNX to see shapes and MACs, ${model.kind === 'torchscript' ? 'with' : 'from the code that builds the model'}: \`${exportLine(file, model.kind === 'torchscript')}\``,
  }];
  return {
    name, format: model.kind === 'torchscript' ? TORCHSCRIPT_FORMAT : STATE_DICT_FORMAT,
    nodes, inputs: [], outputs: [], groups: [...groups.values()], diagnostics, constants,
  };
}
