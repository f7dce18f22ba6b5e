import type { DType } from '../../ir';
import { PickleError, unpickle, type PyGlobal, type PyObject, type PyValue } from './pickle';

// What torch.save and torch.jit.save pickle, recognised without running it: an allow-list of the
// globals PyTorch itself writes for tensors and containers; any other global (os.system,
// builtins.eval, a model's own class from torch.save(model)) refuses the file, naming it.

/** A tensor as the pickle describes it: its storage (by key), shape, and whether it was an nn.Parameter. */
export interface TorchTensor {
  readonly kind: 'tensor';
  readonly storage: TorchStorage;
  readonly offset: number;
  readonly shape: readonly number[];
  readonly parameter: boolean;
}

/** A storage a tensor views: the key of its bytes (`data/<key>` in a zip), its dtype and element count. */
export interface TorchStorage {
  readonly kind: 'storage';
  readonly key: string;
  readonly dtype: DType;
  readonly elements: number;
}

/** torch.<Name>Storage → the dtype of its elements. */
const STORAGE_DTYPES: Readonly<Record<string, DType>> = {
  FloatStorage: 'float32', DoubleStorage: 'float64', HalfStorage: 'float16', BFloat16Storage: 'bfloat16',
  LongStorage: 'int64', IntStorage: 'int32', ShortStorage: 'int16', CharStorage: 'int8', ByteStorage: 'uint8',
  BoolStorage: 'bool', ComplexFloatStorage: 'complex64', ComplexDoubleStorage: 'complex128',
  QInt8Storage: 'int8', QUInt8Storage: 'uint8', QInt32Storage: 'int32',
};

/** Globals that build plain containers or tensors; everything else is refused. */
const ALLOWED = new Set([
  'collections.OrderedDict', 'torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_parameter',
  'torch._utils._rebuild_parameter_with_state', 'torch._tensor._rebuild_from_type_v2', 'torch.Size', 'torch.device',
  'torch.nn.parameter.Parameter', 'builtins.set', 'builtins.frozenset', 'builtins.slice', '_codecs.encode', 'torch.jit._pickle.restore_type_tag',
  ...['build_intlist', 'build_doublelist', 'build_boollist', 'build_tensorlist'].map((b) => `torch.jit._pickle.${b}`),
  ...Object.keys(STORAGE_DTYPES).map((s) => `torch.${s}`),
]);

const isGlobal = (v: PyValue, qualified?: string): v is PyGlobal =>
  !!v && typeof v === 'object' && 'kind' in v && v.kind === 'global' && (!qualified || `${(v as PyGlobal).module}.${(v as PyGlobal).name}` === qualified);

/** True for a TorchScript module class (`__torch__.torchvision.models.resnet.ResNet`): data the archive's own code defines, built here as a record. */
const isScriptClass = (module: string): boolean => module === '__torch__' || module.startsWith('__torch__.');

export const isTensor = (v: unknown): v is TorchTensor => !!v && typeof v === 'object' && (v as { kind?: string }).kind === 'tensor';
export const isObject = (v: unknown): v is PyObject => !!v && typeof v === 'object' && (v as { kind?: string }).kind === 'object';

const refuse = (module: string, name: string): never => {
  throw new PickleError(
    `it asks for the Python global ${module}.${name}, which is not one PyTorch writes for tensors` +
      (/^(os|posix|nt|subprocess|builtins|__builtin__|sys|shutil|socket|importlib|runpy|pty|webbrowser)$/.test(module)
        ? ' (unpickling would run it: this file may be hostile)'
        : ' (a class of the model\u2019s own code, as torch.save(model) writes: save model.state_dict() instead)') +
      '; CNN Lens runs nothing from a pickle and read no further',
  );
};

/** Reads a torch pickle (data.pkl, or a legacy file's main pickle) at `offset` into values: tensors, dicts (Maps), lists, TorchScript module records. */
export function readTorchPickle(bytes: Uint8Array, offset = 0): { value: PyValue; end: number } {
  return unpickle(bytes, {
    resolve: (module, name) => {
      const qualified = `${module}.${name}`;
      if (ALLOWED.has(qualified) || isScriptClass(module)) return { kind: 'global', module, name };
      return refuse(module, name);
    },
    call: (callable, args) => {
      if (!isGlobal(callable)) throw new PickleError('the pickle calls something that is not a global');
      const qualified = `${callable.module}.${callable.name}`;
      if (isScriptClass(callable.module)) return { kind: 'object', type: callable };
      switch (qualified) {
        case 'collections.OrderedDict':
          return new Map();
        case 'torch._utils._rebuild_tensor_v2': {
          const [storage, offset, size] = args;
          if (!storage || (storage as { kind?: string }).kind !== 'storage' || !Array.isArray(size)) throw new PickleError('a tensor in it names no storage or no shape');
          return { kind: 'tensor', storage: storage as unknown as TorchStorage, offset: Number(offset), shape: size.map(Number), parameter: false };
        }
        case 'torch._utils._rebuild_parameter':
        case 'torch._utils._rebuild_parameter_with_state':
        case 'torch.nn.parameter.Parameter':
          { const t = args[0] as unknown; return isTensor(t) ? { ...t, parameter: true } : args[0]; }
        case 'torch._tensor._rebuild_from_type_v2': {
          // (func, new_type, args, state): the tensor func rebuilds from args; new_type (Parameter, a subclass) is only a label.
          const [func, , inner] = args;
          return Array.isArray(inner) ? readCall(func, inner) : null;
        }
        case 'torch.Size':
          return Array.isArray(args[0]) ? args[0] : [];
        case 'builtins.set': case 'builtins.frozenset':
          return Array.isArray(args[0]) ? args[0] : [];
        case 'torch.device': case '_codecs.encode': case 'builtins.slice':
          return String(args[0]);
        case 'torch.jit._pickle.restore_type_tag':
        case 'torch.jit._pickle.build_intlist': case 'torch.jit._pickle.build_doublelist':
        case 'torch.jit._pickle.build_boollist': case 'torch.jit._pickle.build_tensorlist':
          return args[0];
        default:
          throw new PickleError(`it calls ${qualified}, which builds no tensor or container`);
      }
    },
    persistent: (pid) => {
      // ('storage', torch.FloatStorage, key, location, numel[, view metadata]): zip and legacy files alike.
      if (!Array.isArray(pid) || pid[0] !== 'storage' || !isGlobal(pid[1])) throw new PickleError('it holds a persistent id that is not a tensor storage');
      const dtype = STORAGE_DTYPES[pid[1].name];
      if (!dtype) throw new PickleError(`a storage of type ${pid[1].module}.${pid[1].name}, which CNN Lens does not know`);
      return { kind: 'storage', key: String(pid[2]), dtype, elements: Number(pid[4]) };
    },
  }, offset);

  function readCall(func: PyValue, args: PyValue[]): PyValue {
    if (isGlobal(func, 'torch._utils._rebuild_tensor_v2')) {
      const [storage, offset, size] = args;
      if (Array.isArray(size) && storage && (storage as { kind?: string }).kind === 'storage') return <TorchTensor>{ kind: 'tensor', storage: storage as unknown as TorchStorage, offset: Number(offset), shape: size.map(Number), parameter: true };
    }
    throw new PickleError('a tensor subclass in it is rebuilt by something other than torch._utils._rebuild_tensor_v2');
  }
}
