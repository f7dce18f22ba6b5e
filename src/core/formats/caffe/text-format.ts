import type { SourceRange } from '../../ir';

// Protobuf text format (what `.prototxt` files are), parsed without a schema and keeping the
// range of every field, so diagnostics, hovers and edits can point into the text. No package on
// npm parses text format (protobufjs reads .proto schemas and binary messages only), and Caffe
// needs only the general grammar: `name: value`, `name { … }` / `name: < … >`, lists `[a, b]`,
// `#` comments, optional `,` / `;` separators. Enum values and booleans stay identifiers; the
// reader (net.ts) gives them meaning.

export type TextScalar =
  | { readonly kind: 'string'; readonly value: string; readonly range: SourceRange }
  | { readonly kind: 'number'; readonly value: number; readonly range: SourceRange }
  | { readonly kind: 'identifier'; readonly value: string; readonly range: SourceRange };

export interface TextMessage {
  readonly kind: 'message';
  readonly fields: readonly TextField[];
  /** From the opening brace to the closing one (the whole text for the top-level message). */
  readonly range: SourceRange;
}

export type TextValue = TextScalar | TextMessage;

export interface TextField {
  readonly name: string;
  readonly nameRange: SourceRange;
  readonly value: TextValue;
  /** The whole field: its name to the end of its value. */
  readonly range: SourceRange;
}

export interface TextSyntaxError {
  readonly message: string;
  readonly range: SourceRange;
}

export type TextParse = { readonly message: TextMessage; readonly error?: undefined } | { readonly message?: undefined; readonly error: TextSyntaxError };

type TokenKind = 'identifier' | 'number' | 'string' | 'punct' | 'end';
interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** Decoded value of a string token. */
  readonly value?: string;
}

class SyntaxFailure extends Error {
  constructor(message: string, readonly range: SourceRange) {
    super(message);
  }
}

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_.]*/y;
// Decimal, hex and octal integers, floats with exponents and a trailing f (text format allows `1.5f`).
const NUMBER = /-?(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fF]?|inf(?:inity)?|nan)(?![A-Za-z0-9_])/iy;
const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '?': '?' };

/** Splits the text into tokens, skipping whitespace and `#` comments. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '"' || c === "'") {
      const start = i++;
      let value = '';
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\n') throw new SyntaxFailure('a string is not closed before the end of the line', { start, end: i });
        if (text[i] === '\\' && i + 1 < text.length) {
          const e = text[i + 1];
          const octal = /^[0-7]{1,3}/.exec(text.slice(i + 1, i + 4));
          if (octal) {
            value += String.fromCharCode(parseInt(octal[0], 8));
            i += 1 + octal[0].length;
          } else {
            value += ESCAPES[e] ?? e;
            i += 2;
          }
        } else value += text[i++];
      }
      if (i >= text.length) throw new SyntaxFailure('a string is not closed before the end of the file', { start, end: text.length });
      i++;
      tokens.push({ kind: 'string', text: text.slice(start, i), start, end: i, value });
    } else if (/[-0-9.]/.test(c) && (NUMBER.lastIndex = i, NUMBER.exec(text))) {
      const end = NUMBER.lastIndex;
      tokens.push({ kind: 'number', text: text.slice(i, end), start: i, end });
      i = end;
    } else if ((IDENTIFIER.lastIndex = i, IDENTIFIER.exec(text))) {
      const end = IDENTIFIER.lastIndex;
      tokens.push({ kind: 'identifier', text: text.slice(i, end), start: i, end });
      i = end;
    } else if ('{}<>[]:,;'.includes(c)) {
      tokens.push({ kind: 'punct', text: c, start: i, end: i + 1 });
      i++;
    } else {
      throw new SyntaxFailure(`unexpected character "${c}"`, { start: i, end: i + 1 });
    }
  }
  tokens.push({ kind: 'end', text: '', start: text.length, end: text.length });
  return tokens;
}

function numberValue(text: string): number {
  const t = text.toLowerCase();
  const sign = t.startsWith('-') ? -1 : 1;
  const body = t.replace(/^-/, '');
  if (body.startsWith('inf')) return sign * Infinity;
  if (body === 'nan') return NaN;
  if (body.startsWith('0x')) return sign * parseInt(body.slice(2), 16);
  return sign * Number(body.replace(/f$/, ''));
}

/** Identifiers that are number literals in text format (`inf`, `nan`); others are enum names or booleans. */
const NUMBER_WORDS = /^(inf|infinity|nan)$/i;

class Parser {
  private at = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  private peek(): Token {
    return this.tokens[this.at];
  }
  private next(): Token {
    return this.tokens[this.at++];
  }
  private isPunct(text: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === text;
  }
  private fail(what: string, t: Token = this.peek()): never {
    const found = t.kind === 'end' ? 'the end of the file' : `"${t.text}"`;
    throw new SyntaxFailure(`expected ${what}, found ${found}`, { start: t.start, end: Math.max(t.end, t.start) });
  }

  /** Fields until `close` ('' for the end of the file). */
  fields(close: string): TextField[] {
    const fields: TextField[] = [];
    for (;;) {
      const t = this.peek();
      if (close === '' ? t.kind === 'end' : t.kind === 'punct' && t.text === close) return fields;
      if (t.kind === 'end') this.fail(`"${close}" to close the message`);
      fields.push(...this.field());
      if (this.isPunct(',') || this.isPunct(';')) this.next();
    }
  }

  /** One field; a list `name: [a, b]` gives one field per element, as repeated fields do. */
  private field(): TextField[] {
    const name = this.next();
    if (name.kind !== 'identifier') this.fail('a field name', name);
    const nameRange = { start: name.start, end: name.end };
    const colon = this.isPunct(':');
    if (colon) this.next();
    const make = (value: TextValue): TextField => ({ name: name.text, nameRange, value, range: { start: name.start, end: value.range.end } });
    if (this.isPunct('{') || this.isPunct('<')) return [make(this.message())];
    if (!colon) this.fail(`":" or "{" after the field name "${name.text}"`);
    if (this.isPunct('[')) {
      this.next();
      const values: TextField[] = [];
      while (!this.isPunct(']')) {
        values.push(make(this.isPunct('{') || this.isPunct('<') ? this.message() : this.scalar()));
        if (this.isPunct(',')) this.next();
        else if (!this.isPunct(']')) this.fail('"," or "]" in the list');
      }
      this.next();
      return values;
    }
    return [make(this.scalar())];
  }

  private message(): TextMessage {
    const open = this.next();
    const close = open.text === '{' ? '}' : '>';
    const fields = this.fields(close);
    const end = this.next();
    return { kind: 'message', fields, range: { start: open.start, end: end.end } };
  }

  private scalar(): TextScalar {
    const t = this.next();
    const range = { start: t.start, end: t.end };
    switch (t.kind) {
      case 'number':
        return { kind: 'number', value: numberValue(t.text), range };
      case 'identifier':
        return NUMBER_WORDS.test(t.text) ? { kind: 'number', value: numberValue(t.text), range } : { kind: 'identifier', value: t.text, range };
      case 'string': {
        // Adjacent strings concatenate ("a" "b" is "ab").
        let value = t.value!;
        let end = t.end;
        while (this.peek().kind === 'string') {
          const more = this.next();
          value += more.value!;
          end = more.end;
        }
        return { kind: 'string', value, range: { start: t.start, end } };
      }
      default:
        return this.fail('a value', t);
    }
  }
}

/** Parses protobuf text format; a syntax error comes back with the range of the offending text. */
export function parseTextFormat(text: string): TextParse {
  try {
    const fields = new Parser(tokenize(text)).fields('');
    return { message: { kind: 'message', fields, range: { start: 0, end: text.length } } };
  } catch (e) {
    if (e instanceof SyntaxFailure) return { error: { message: e.message, range: e.range } };
    throw e;
  }
}
