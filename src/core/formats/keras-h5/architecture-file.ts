import type { Diagnostic, Graph } from '../../ir';
import { SourceError, type ModelSource } from '../source';
import { architectureStem } from './read-config';

// A weights-only Keras file opened as a model: it cannot be drawn, but the architecture JSON that
// goes with it is often right next to it. Found by its size alone (never read here).

/** When the graph is a weights-only file's, and `<stem>.json` lies next to it: an info that names it. */
export async function findArchitectureFile(source: ModelSource, graph: Graph): Promise<Diagnostic[]> {
  if (graph.nodes.length || !graph.diagnostics.some((d) => /holds only weights/.test(d.message))) return [];
  const name = `${architectureStem(source.name)}.json`;
  try {
    await source.sibling(name);
  } catch (e) {
    if (e instanceof SourceError) return [];
    throw e;
  }
  return [{ severity: 'info', code: 'keras-file', message: `${source.name}: ${name} is next to it: open ${name} to see the model (it runs with these weights)` }];
}
