import { getNodeValue, parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import type { Diagnostic, SourceRange } from '../../ir';
import { bytesText, MAX_JSON_DEPTH, MAX_REPORTED_ERRORS, MAX_TEXT_MODEL_BYTES } from '../limits';

// Reading JSON with offsets. jsonc-parser (VS Code's own JSON scanner) keeps every value's position,
// which is how each layer remembers where it was defined, for hovers, diagnostics and edits.

export type { JsonNode };

/**
 * Parses a JSON document with every value's offsets. Guarded against inputs that would cost more
 * than their size: a document over MAX_TEXT_MODEL_BYTES or nested deeper than MAX_JSON_DEPTH is
 * refused before parsing (jsonc-parser recurses per level), NUL characters (UTF-16 or a binary
 * file) are one error, not one per byte, and errors are deduplicated and capped with a count.
 */
export function parseJson(text: string): { root?: JsonNode; diagnostics: Diagnostic[] } {
  const refusal = refusalOf(text);
  if (refusal) return { diagnostics: [{ severity: 'error', code: 'json', message: refusal, range: { start: 0, end: Math.min(1, text.length) } }] };
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: false, disallowComments: false });
  const lines = lineIndex(text);
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  let more = 0;
  for (const e of errors) {
    const message = `invalid JSON: ${describeParseError(printParseErrorCode(e.error))} at line ${lines(e.offset)}`;
    if (seen.has(message)) continue;
    seen.add(message);
    if (diagnostics.length >= MAX_REPORTED_ERRORS) {
      more++;
      continue;
    }
    diagnostics.push({ severity: 'error', code: 'json', message, range: { start: e.offset, end: e.offset + Math.max(e.length, 1) } });
  }
  if (more) diagnostics.push({ severity: 'error', code: 'json', message: `invalid JSON: and ${more.toLocaleString('en-US')} more errors`, range: diagnostics[diagnostics.length - 1].range });
  return { root, diagnostics };
}

/** Why a text is refused before parsing, or undefined: too large, NUL characters, nested too deep. */
function refusalOf(text: string): string | undefined {
  if (text.length > MAX_TEXT_MODEL_BYTES) return `the file is ${text.length.toLocaleString('en-US')} characters long, more than the ${bytesText(MAX_TEXT_MODEL_BYTES)} CNN Lens parses as a JSON model`;
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    const utf16 = text.charCodeAt(0) === 0xfffd || text.charCodeAt(0) === 0xfeff || nul < 4;
    return utf16 ? 'the file is not UTF-8 (NUL characters: it looks like UTF-16); save it as UTF-8' : `the file contains a NUL character (at character ${nul}): it is binary, not JSON`;
  }
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // a backslash escapes the next character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > MAX_JSON_DEPTH) return `the JSON is nested more than ${MAX_JSON_DEPTH} levels deep (at character ${i}); no model nests that deep`;
    } else if (c === 125 || c === 93) depth--;
  }
  return undefined;
}

const describeParseError = (code: string): string => code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

/** Line numbers (1-based) of offsets, from one pass over the text and a binary search per offset. */
export function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

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
