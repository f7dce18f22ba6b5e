import { parentPort } from 'node:worker_threads';
import { analyze, type Analysis } from '../../core';
import { parseSource, preparedFormat } from '../../core/formats/registry';
import { bytesSource, textSource } from '../../core/formats/source';
import { NODES_PER_SLICE, type AnalysisReply, type AnalysisRequest } from './protocol';

// The analysis worker (bundled as dist/analysis-worker.js): parses and analyses one model at a time
// off the extension host's main thread, so a model that takes seconds freezes no extension. Parsing
// reads only the file itself (weights and shards are read later, by the engine, in the host), so the
// worker needs no access to the files next to it. A newer request for the same document makes the
// host terminate this worker mid-analysis (analysis-worker.ts): nothing here has to poll for it.

/** The replies of the analysis being sent, after the one the host has. */
let unsent: AnalysisReply[] = [];

parentPort!.on('message', async (request: AnalysisRequest) => {
  if ('next' in request) {
    const reply = unsent.shift();
    if (reply?.id === request.id) parentPort!.postMessage(reply);
    return;
  }
  const { id, input } = request;
  let replies: AnalysisReply[];
  try {
    const source = 'text' in input ? textSource(input.name, input.text) : bytesSource(input.name, input.bytes);
    // (The sibling files are not here: the host adds their problems; a format's parser library is.)
    await preparedFormat(source);
    replies = inSlices(id, analyze(parseSource(source)));
  } catch (e) {
    replies = [{ id, error: e instanceof Error ? e.message : String(e) }];
  }
  parentPort!.postMessage(replies[0]);
  unsent = replies.slice(1);
});

function inSlices(id: number, analysis: Analysis): AnalysisReply[] {
  const { byId: _rebuilt, ...rest } = analysis;
  const { graph, nodes } = analysis;
  const replies: AnalysisReply[] = [{ id, head: { ...rest, graph: { ...graph, nodes: [] }, nodes: [] }, last: nodes.length === 0 }];
  for (let i = 0; i < nodes.length; i += NODES_PER_SLICE) {
    replies.push({ id, graphNodes: graph.nodes.slice(i, i + NODES_PER_SLICE), nodes: nodes.slice(i, i + NODES_PER_SLICE), last: i + NODES_PER_SLICE >= nodes.length });
  }
  return replies;
}
