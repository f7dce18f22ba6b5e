import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeText } from '../../src/core';
import type { Analysis } from '../../src/core';

export const ROOT = join(__dirname, '..', '..');
export const MODELS = join(ROOT, 'models');
export const FIXTURES = join(ROOT, 'test', 'fixtures');

export const readModel = (name: string): string => readFileSync(join(MODELS, name), 'utf8');
export const readFixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

export const analyzeModel = (name: string, options?: Parameters<typeof analyzeText>[2]): Analysis => analyzeText(readModel(name), name, options);
export const analyzeFixture = (name: string, options?: Parameters<typeof analyzeText>[2]): Analysis => analyzeText(readFixture(name), name, options);

/** Our node for a layer name (first call). */
export function node(analysis: Analysis, id: string) {
  const n = analysis.byId.get(id);
  if (!n) throw new Error(`no node "${id}" in ${analysis.graph.name}; have ${analysis.graph.nodes.slice(0, 10).map((x) => x.id).join(', ')}…`);
  return n;
}

/** Errors only, as strings, for readable assertion failures. */
export const errors = (analysis: Analysis): string[] => analysis.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
