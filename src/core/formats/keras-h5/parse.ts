import type { Diagnostic, Graph } from '../../ir';
import { isHdf5, loadedHdf5 } from '../hdf5';
import { parseKeras } from '../keras/parse';
import { baseName, type ModelSource } from '../source';
import { isZip, openZip } from '../zip';
import { upgradeKeras1 } from './keras1';
import { NoKerasConfig, readArchiveConfig, readH5Config, type KerasConfig } from './read-config';

// A whole-model Keras file (`.h5`, `.keras`) as an IR graph: the architecture JSON it holds, read
// by the Keras JSON reader. The weights stay in the file until a run reads them (index.ts).

/** Graph.format of what this reads: Keras 2 or 3 `.h5` (Keras 3 still writes the legacy format), a Keras 3 `.keras` archive. */
export const KERAS_FILE_FORMATS = ['keras2-h5', 'keras3-h5', 'keras3-archive'] as const;

/** True for HDF5 files, and for zips that are named `.keras` or hold a Keras archive's config.json. */
export function looksLikeKerasFile(source: ModelSource): boolean {
  const bytes = source.bytes();
  if (isHdf5(bytes)) return true;
  if (!isZip(bytes)) return false;
  if (/\.keras$/i.test(source.name)) return true;
  try {
    return openZip(bytes, source.name).entries.some((e) => e.name === 'config.json');
  } catch {
    return false; // a damaged zip with another name is not claimed; one named .keras is, and parse says why it cannot be read
  }
}

export function parseKerasFile(source: ModelSource): Graph {
  const file = source.name;
  const bytes = source.bytes();
  const archive = isZip(bytes);
  const empty = (message: string): Graph => ({
    name: baseName(file).replace(/\.[^.]*$/, ''),
    format: archive ? 'keras3-archive' : 'keras2-h5',
    nodes: [], inputs: [], outputs: [], groups: [],
    diagnostics: [{ severity: 'error', code: 'keras-file', message }],
  });
  let config: KerasConfig;
  try {
    if (archive) config = readArchiveConfig(bytes, file);
    else if (!isHdf5(bytes)) return empty(`${file} is neither an HDF5 file (Keras .h5) nor a zip archive (Keras 3 .keras)`);
    else {
      const h5 = loadedHdf5();
      // Hosts load the HDF5 library before parsing (parseSourceWithFiles); a caller that did not gets this, not an exception.
      if (!h5) return empty(`${file}: the HDF5 reader has not loaded yet (parse with parseSourceWithFiles, which loads it)`);
      config = readH5Config(h5, bytes, file);
    }
  } catch (e) {
    if (e instanceof NoKerasConfig) return empty(e.message);
    throw e;
  }
  // Keras 1 configs are renamed first; a Keras 2 or 3 config is parsed as it is (no second JSON parse).
  const keras1 = /^1\./.test(config.kerasVersion ?? '') || /"(nb_filter|output_dim|border_mode|dim_ordering)"\s*:/.test(config.json) ? upgradeKeras1(config.json) : undefined;
  const parsed = parseKeras(keras1?.json ?? config.json, file);
  const graph = keras1?.renamed
    ? { ...parsed, diagnostics: [...parsed.diagnostics, { severity: 'info' as const, code: 'keras1', message: `a Keras ${config.kerasVersion ?? '1'} model: ${keras1.renamed} layer configs read in Keras 2's names (nb_filter → filters, border_mode → padding, output_dim → units, …)` }] }
    : parsed;
  const keras3 = graph.format === 'keras3-json' || /^3\./.test(config.kerasVersion ?? '');
  const where = archive ? `${file} (config.json)` : `${file} (model_config)`;
  return {
    ...graph,
    name: graph.name === baseName(file) ? baseName(file).replace(/\.[^.]*$/, '') : graph.name,
    format: archive ? 'keras3-archive' : keras3 ? 'keras3-h5' : 'keras2-h5',
    // Offsets into the config text mean nothing in a binary file: no ranges.
    nodes: graph.nodes.map(({ range: _r, nameRange: _n, ...node }) => node),
    groups: graph.groups.map(({ range: _r, ...group }) => group),
    diagnostics: graph.diagnostics.map(({ range: _r, ...d }): Diagnostic => (d.node ? d : { ...d, message: `${where}: ${d.message}` })),
  };
}
