// Small DOM helpers. Nothing here writes `style` attributes or inline handlers, which the webview's
// CSP forbids: styling goes through classes, and per-element values through CSSOM custom properties.
import type { TensorShape } from '../src/core/ir';

export const SVG_NS = 'http://www.w3.org/2000/svg';

type Attrs = Record<string, string | number | boolean | undefined | null>;

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null && v !== false) el.setAttribute(k, v === true ? '' : String(v));
  for (const c of children) el.append(c);
  return el;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs, ...children: (Node | string | null | undefined)[]): HTMLElementTagNameMap[K];
export function h(tag: string, attrs?: Attrs, ...children: (Node | string | null | undefined)[]): HTMLElement;
export function h(tag: string, attrs: Attrs = {}, ...children: (Node | string | null | undefined)[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null && v !== false) el.setAttribute(k, v === true ? '' : String(v));
  for (const c of children) if (c !== null && c !== undefined) el.append(c);
  return el;
}

/** Shape without the batch dimension: [1, 112, 112, 64] → "112×112×64"; unknown → "?". */
export function dims(shape: TensorShape | null | undefined): string {
  if (!shape) return '?';
  const rest = shape.length > 1 ? shape.slice(1) : shape;
  return rest.map((d) => d ?? '?').join('×');
}

/** Full shape with the batch: [null, 224, 224, 3] → "?×224×224×3". */
export const fullDims = (shape: TensorShape | null | undefined): string => (shape ? `(${shape.map((d) => d ?? 'None').join(', ')})` : '?');

/** Text measuring with the same fonts the SVG uses, and ellipsis truncation. */
export class TextMeasure {
  private readonly ctx: CanvasRenderingContext2D;
  private readonly cache = new Map<string, number>();
  readonly sans: string;
  readonly mono: string;
  constructor() {
    this.ctx = document.createElement('canvas').getContext('2d')!;
    const cs = getComputedStyle(document.body);
    this.sans = cs.fontFamily || 'sans-serif';
    this.mono = getComputedStyle(document.documentElement).getPropertyValue('--vscode-editor-font-family').trim() || 'ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace';
  }
  width(text: string, font: string): number {
    const key = `${font}\u0000${text}`;
    let w = this.cache.get(key);
    if (w === undefined) {
      this.ctx.font = font;
      w = this.ctx.measureText(text).width;
      this.cache.set(key, w);
    }
    return w;
  }
  fit(text: string, font: string, max: number): string {
    if (this.width(text, font) <= max) return text;
    let lo = 0;
    let hi = text.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.width(`${text.slice(0, mid)}…`, font) <= max) lo = mid;
      else hi = mid - 1;
    }
    return lo <= 0 ? '' : `${text.slice(0, lo)}…`;
  }
}
