import type { Graph } from '../../ir';
import type { ModelFormat } from '../format';
import { baseName, type ModelSource } from '../source';
import { isZip } from '../zip';
import { STATE_DICT_FORMAT, torchGraph, TORCHSCRIPT_FORMAT } from './graph';
import { dataPickleOf, isLegacyTorch, openTorchZip, readTorchFile, TorchFileError } from './read';

// PyTorch (.pt, .pth): torch.save's zip archives and legacy pickles, and torch.jit.save's
// TorchScript archives, read by a pickle reader of our own that runs nothing (pickle.ts) and
// recognises only the globals PyTorch writes for tensors (torch-pickle.ts). Read-only; the graph
// is the module tree (graph.ts), since a state_dict has none.

const TORCH_EXTENSIONS = ['.pt', '.pth'];
const named = (name: string): boolean => TORCH_EXTENSIONS.some((e) => name.toLowerCase().endsWith(e));

/** A zip holding data.pkl, a legacy torch pickle, or (by name) any zip or pickle called .pt/.pth, which parse then explains. */
function looksLikeTorch(source: ModelSource): boolean {
  const bytes = source.bytes();
  if (isLegacyTorch(bytes)) return true;
  const pickle = bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5;
  if (named(source.name) && (pickle || (bytes[0] === 0x50 && bytes[1] === 0x4b))) return true;
  if (!isZip(bytes)) return false;
  try {
    return dataPickleOf(openTorchZip(bytes, source.name).entries) !== undefined;
  } catch {
    return false;
  }
}

function parseTorch(source: ModelSource): Graph {
  try {
    return torchGraph(readTorchFile(source.bytes(), source.name), source.name);
  } catch (e) {
    // Anything else is a damaged file this reader did not foresee: still a message, never an exception.
    const reason = e instanceof TorchFileError ? e.reason : `it could not be read (${(e as Error).message})`;
    return {
      name: baseName(source.name), format: STATE_DICT_FORMAT, nodes: [], inputs: [], outputs: [], groups: [],
      diagnostics: [{ severity: 'error', code: 'pytorch', message: `${baseName(source.name)}: ${reason}` }],
    };
  }
}

export const pytorchFormat: ModelFormat = {
  id: 'pytorch',
  displayName: 'PyTorch',
  extensions: TORCH_EXTENSIONS,
  produces: [STATE_DICT_FORMAT, TORCHSCRIPT_FORMAT],
  binary: true,
  detect: looksLikeTorch,
  parse: parseTorch,
};
