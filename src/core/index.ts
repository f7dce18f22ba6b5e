// The core's public face: parse a model file into the IR, analyse it, report it.
import { analyze } from './analysis/analyze';
import { buildReport } from './analysis/report';
import type { Analysis, AnalysisOptions } from './analysis/types';
import { parseModel } from './formats/registry';

export { analyze } from './analysis/analyze';
export { buildReport } from './analysis/report';
export { parseModel, FORMATS } from './formats/registry';
export { OPS, getOp } from './ops';
export type * from './ir';
export type * from './analysis/types';
export type * from './analysis/report-types';

/** Parses and analyses a model file's text in one step. Never throws on bad input: problems are diagnostics. */
export function analyzeText(text: string, fileName: string, options?: AnalysisOptions): Analysis {
  return analyze(parseModel(text, fileName), options);
}

export const reportText = (text: string, fileName: string, options?: AnalysisOptions) => buildReport(analyzeText(text, fileName, options));
