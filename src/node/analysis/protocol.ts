import type { Analysis } from '../../core';

// Messages between the extension host and the analysis worker (worker.ts). The analysis travels by
// structured clone (plain data, Maps, typed arrays) in parts: the receiving thread decodes each
// message whole before it can do anything else, so a 60,000-layer analysis in one message would
// stall the host for a second or two. The worker sends the head (everything but the per-node
// lists), then the nodes a slice at a time, each slice only when the host asks for it after it
// has had a turn of its event loop.

/** What to analyse: a text document's content, or a binary model file's bytes (transferred). */
export type AnalysisInput = { readonly name: string; readonly text: string } | { readonly name: string; readonly bytes: Uint8Array };

/** Nodes per slice: about a tenth of a second of decoding on a slow machine. */
export const NODES_PER_SLICE = 4000;

export type AnalysisRequest = { readonly id: number; readonly input: AnalysisInput } | { readonly id: number; readonly next: true };

/** The analysis with its per-node lists empty (and no byId, which the host rebuilds from them). */
export type AnalysisHead = Omit<Analysis, 'byId'>;

export type AnalysisReply =
  | { readonly id: number; readonly head: AnalysisHead; readonly last: boolean }
  | { readonly id: number; readonly graphNodes: Analysis['graph']['nodes']; readonly nodes: Analysis['nodes']; readonly last: boolean }
  | { readonly id: number; readonly error: string };
