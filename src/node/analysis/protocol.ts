import type { Analysis } from '../../core';

// Messages between the extension host and the analysis worker (worker.ts). The analysis travels by
// structured clone: plain data, Maps and typed arrays, shared references kept (byId's values are the
// very objects of `nodes`).

/** What to analyse: a text document's content, or a binary model file's bytes (transferred). */
export type AnalysisInput = { readonly name: string; readonly text: string } | { readonly name: string; readonly bytes: Uint8Array };

export interface AnalysisRequest {
  readonly id: number;
  readonly input: AnalysisInput;
}

export type AnalysisReply = { readonly id: number; readonly analysis: Analysis } | { readonly id: number; readonly error: string };
