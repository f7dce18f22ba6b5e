import { getNodeValue, parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import type { Diagnostic, SourceRange } from '../../ir';

// Reading JSON with offsets. jsonc-parser (VS Code's own JSON scanner) keeps every value's position,
// which is how each layer remembers where it was defined, for hovers, diagnostics and edits.

export type { JsonNode };

export function parseJson(text: string): { root?: JsonNode; diagnostics: Diagnostic[] } {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: false, disallowComments: false });
  const diagnostics = errors.map((e): Diagnostic => ({
    severity: 'error',
    code: 'json',
    message: `invalid JSON: ${describeParseError(printParseErrorCode(e.error))} at line ${lineOf(text, e.offset)}`,
    range: { start: e.offset, end: e.offset + Math.max(e.length, 1) },
  }));
  return { root, diagnostics };
}

const describeParseError = (code: string): string => code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

const lineOf = (text: string, offset: number): number => {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
};

/** The value node of property `key` of an object node. */
export function prop(node: JsonNode | undefined, key: string): JsonNode | undefined {
  if (node?.type !== 'object') return undefined;
  for (const p of node.children ?? []) {
    const [k, v] = p.children ?? [];
    if (k?.value === key) return v;
  }
  return undefined;
}

export const items = (node: JsonNode | undefined): readonly JsonNode[] => (node?.type === 'array' ? node.children ?? [] : []);

export const valueOf = (node: JsonNode | undefined): unknown => (node === undefined ? undefined : getNodeValue(node));

export const str = (node: JsonNode | undefined): string | undefined => (node?.type === 'string' ? (node.value as string) : undefined);

export const rangeOf = (node: JsonNode | undefined): SourceRange | undefined => (node ? { start: node.offset, end: node.offset + node.length } : undefined);
