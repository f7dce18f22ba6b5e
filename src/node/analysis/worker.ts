import { parentPort } from 'node:worker_threads';
import { analyze } from '../../core';
import { parseSource } from '../../core/formats/registry';
import { bytesSource, textSource } from '../../core/formats/source';
import type { AnalysisReply, AnalysisRequest } from './protocol';

// The analysis worker (bundled as dist/analysis-worker.js): parses and analyses one model at a time
// off the extension host's main thread, so a model that takes seconds freezes no extension. Parsing
// reads only the file itself (weights and shards are read later, by the engine, in the host), so the
// worker needs no access to the files next to it. A newer request for the same document makes the
// host terminate this worker mid-analysis (analysis-worker.ts): nothing here has to poll for it.

parentPort!.on('message', ({ id, input }: AnalysisRequest) => {
  let reply: AnalysisReply;
  try {
    const source = 'text' in input ? textSource(input.name, input.text) : bytesSource(input.name, input.bytes);
    reply = { id, analysis: analyze(parseSource(source)) };
  } catch (e) {
    reply = { id, error: e instanceof Error ? e.message : String(e) };
  }
  parentPort!.postMessage(reply);
});
