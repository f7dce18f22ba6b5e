// The editing chrome that is not the inspector: the quick-pick palette (ops to insert, layers to
// connect from), the node context menu, the feedback banner, and the comparison of two reports that
// drives the delta flashes. Knows nothing about the host: main.ts posts the edits.
import type { ModelReport, ReportLayer } from '../src/core/analysis/report-types';
import { grouped, human } from '../src/core/analysis/units';
import { dims, h } from './dom';
import type { OpCatalogEntry } from '../shared/protocol';
import { suggestedAfter, suggestedBefore } from '../src/core/edit/catalog';

// ---------- names ----------

/** The schema's camelCase name as Keras writes it: kernelSize → kernel_size. */
export const kerasName = (attr: string): string => attr.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

const famClass = (f: string): string => `fam-${/^[a-z]+$/.test(f) ? f : 'unknown'}`;

// ---------- palette order ----------

const SUFFIX: Record<string, string> = {
  BatchNormalization: 'bn', ReLU: 'relu', Activation: 'act', Dropout: 'drop', MaxPooling2D: 'pool', AveragePooling2D: 'avgpool',
  Conv2D: 'conv', DepthwiseConv2D: 'dwconv', SeparableConv2D: 'sepconv', Dense: 'dense', ZeroPadding2D: 'pad', Flatten: 'flatten',
  GlobalAveragePooling2D: 'gap', GlobalMaxPooling2D: 'gmp', LeakyReLU: 'lrelu',
};

/**
 * A name for a layer inserted next to `anchor` that keeps it in the anchor's block (blocks come from
 * names: block3_conv1 → block3_conv1_bn stays in block3), unique in the model.
 */
export function insertedName(anchor: string, op: string, taken: (name: string) => boolean): string {
  const base = `${anchor.slice(anchor.lastIndexOf('/') + 1)}_${SUFFIX[op] ?? kerasName(op).replace(/^_/, '')}`;
  let name = base;
  for (let i = 2; taken(name); i++) name = `${base}_${i}`;
  return name;
}

const FAMILY_ORDER = ['conv', 'norm', 'activation', 'pool', 'regularization', 'dense', 'merge', 'reshape', 'padding', 'resize', 'other'];

/** The catalog ordered for an insertion next to `op`: suggestions first, then by family. */
export function paletteOrder(catalog: readonly OpCatalogEntry[], op: string, position: 'after' | 'before'): { suggested: OpCatalogEntry[]; rest: OpCatalogEntry[] } {
  const wanted = position === 'after' ? suggestedAfter(op) : suggestedBefore(op);
  const byKind = new Map(catalog.map((o) => [o.kind, o]));
  const suggested = wanted.map((k) => byKind.get(k)).filter((o): o is OpCatalogEntry => !!o);
  const rank = (f: string): number => (FAMILY_ORDER.indexOf(f) + 1 || FAMILY_ORDER.length + 1);
  const rest = catalog.filter((o) => !wanted.includes(o.kind)).sort((a, b) => rank(a.family) - rank(b.family));
  return { suggested, rest };
}

// ---------- quick pick ----------

export interface PickItem {
  readonly id: string;
  readonly label: string;
  readonly detail?: string;
  readonly meta?: string;
  readonly family?: string;
  /** Section header shown above the first item of a section. */
  readonly section?: string;
  /** Extra text the filter matches. */
  readonly keywords?: string;
}

/**
 * A VS Code-like quick pick over the stage: a search field and a filtered list, driven by the keyboard
 * (↑ ↓ Enter Esc) or the mouse. Resolves with the chosen item's id, or null when dismissed.
 */
export class QuickPick {
  readonly el: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly list: HTMLElement;
  private readonly heading: HTMLElement;
  private items: readonly PickItem[] = [];
  private shown: PickItem[] = [];
  private active = 0;
  private resolve: ((id: string | null) => void) | null = null;
  private returnFocus: HTMLElement | null = null;

  constructor(parent: HTMLElement) {
    this.heading = h('div', { class: 'qp-title', id: 'cl-qp-title' });
    this.input = h('input', { class: 'qp-input', type: 'text', spellcheck: 'false', autocomplete: 'off', role: 'combobox', 'aria-expanded': 'true', 'aria-controls': 'cl-qp-list', 'aria-labelledby': 'cl-qp-title' });
    this.list = h('ul', { class: 'qp-list', id: 'cl-qp-list', role: 'listbox', 'aria-labelledby': 'cl-qp-title' });
    this.el = h('div', { class: 'quick-pick', role: 'dialog', 'aria-labelledby': 'cl-qp-title', hidden: true }, this.heading, this.input, this.list);
    parent.append(this.el);
    this.input.addEventListener('input', () => this.filter());
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        if (this.shown.length) this.setActive((this.active + (e.key === 'ArrowDown' ? 1 : -1) + this.shown.length) % this.shown.length);
      } else if (e.key === 'Enter') {
        e.preventDefault();
        const item = this.shown[this.active];
        if (item) this.close(item.id);
      } else if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        this.close(null);
      }
    });
    this.input.addEventListener('blur', () => setTimeout(() => {
      if (!this.el.hidden && !this.el.contains(document.activeElement)) this.close(null);
    }, 120));
    this.list.addEventListener('pointerdown', (e) => e.preventDefault()); // keep the focus in the field
    this.list.addEventListener('click', (e) => {
      const li = (e.target as Element).closest('li[data-id]') as HTMLElement | null;
      if (li) this.close(li.dataset.id!);
    });
  }

  get open(): boolean {
    return !this.el.hidden;
  }

  show(title: string, placeholder: string, items: readonly PickItem[]): Promise<string | null> {
    if (this.resolve) this.close(null);
    this.returnFocus = document.activeElement as HTMLElement | null;
    this.items = items;
    this.heading.textContent = title;
    this.input.placeholder = placeholder;
    this.input.value = '';
    this.el.hidden = false;
    this.filter();
    this.input.focus();
    return new Promise((r) => (this.resolve = r));
  }

  close(id: string | null): void {
    if (this.el.hidden) return;
    this.el.hidden = true;
    const r = this.resolve;
    this.resolve = null;
    if (id === null) this.returnFocus?.focus?.();
    r?.(id);
  }

  private filter(): void {
    const q = this.input.value.trim().toLowerCase();
    if (!q) this.shown = [...this.items];
    else {
      const score = (it: PickItem): number => {
        const l = it.label.toLowerCase();
        if (l.startsWith(q)) return 0;
        if (l.includes(q)) return 1;
        return `${it.detail ?? ''} ${it.keywords ?? ''}`.toLowerCase().includes(q) ? 2 : 9;
      };
      this.shown = this.items.map((it, i) => ({ it, s: score(it), i })).filter((x) => x.s < 9).sort((a, b) => a.s - b.s || a.i - b.i).map((x) => x.it);
    }
    this.list.replaceChildren();
    let section: string | undefined;
    this.shown.forEach((it, i) => {
      if (!q && it.section && it.section !== section) {
        section = it.section;
        this.list.append(h('li', { class: 'qp-section', role: 'presentation' }, it.section));
      }
      this.list.append(h('li', { id: `cl-qp-${i}`, class: `qp-item ${it.family ? famClass(it.family) : ''}`, role: 'option', 'data-id': it.id, 'aria-selected': 'false' },
        it.family ? h('span', { class: 'swatch' }) : null,
        h('span', { class: 'qp-label' }, it.label),
        it.detail ? h('span', { class: 'qp-detail' }, it.detail) : null,
        it.meta ? h('span', { class: 'qp-meta' }, it.meta) : null));
    });
    if (!this.shown.length) this.list.append(h('li', { class: 'qp-empty', role: 'presentation' }, 'No match'));
    this.setActive(0);
  }

  private setActive(i: number): void {
    this.active = i;
    for (const li of this.list.querySelectorAll('li[aria-selected="true"]')) li.setAttribute('aria-selected', 'false');
    const li = this.list.querySelector<HTMLElement>(`#cl-qp-${i}`);
    if (!li) return this.input.removeAttribute('aria-activedescendant');
    li.setAttribute('aria-selected', 'true');
    this.input.setAttribute('aria-activedescendant', li.id);
    li.scrollIntoView?.({ block: 'nearest' });
  }
}

/** The palette's items for an insertion next to a layer of type `op`. */
export function opItems(catalog: readonly OpCatalogEntry[], op: string, position: 'after' | 'before'): PickItem[] {
  const { suggested, rest } = paletteOrder(catalog, op, position);
  const item = (o: OpCatalogEntry, section: string): PickItem => ({ id: o.kind, label: o.kind, detail: o.summary, family: o.family, section, keywords: o.family });
  return [...suggested.map((o) => item(o, `Suggested ${position} ${op}`)), ...rest.map((o) => item(o, 'All layers'))];
}

/** Layers a layer may read from: not itself, nothing downstream of it (a cycle); compatible shapes first, nearest first. */
export function sourceItems(report: ModelReport, consumers: ReadonlyMap<string, readonly string[]>, target: ReportLayer, wantShape: string | null, exclude: readonly string[] = []): PickItem[] {
  const downstream = new Set<string>([target.name]);
  const stack = [target.name];
  while (stack.length) for (const c of consumers.get(stack.pop()!) ?? []) if (!downstream.has(c)) (downstream.add(c), stack.push(c));
  const idx = report.layers.indexOf(target);
  const cands = report.layers.map((l, i) => ({ l, i })).filter(({ l }) => !downstream.has(l.name) && !exclude.includes(l.name));
  const fits = (l: ReportLayer): boolean => wantShape !== null && dims(l.outputShape) === wantShape;
  cands.sort((a, b) => Number(fits(b.l)) - Number(fits(a.l)) || Math.abs(idx - a.i) - Math.abs(idx - b.i));
  return cands.map(({ l }) => ({
    id: l.name, label: l.name, detail: l.type, meta: dims(l.outputShape), family: l.family, keywords: l.type,
    section: wantShape === null ? 'Layers, nearest first' : fits(l) ? `Same shape (${wantShape})` : 'Other layers',
  }));
}

// ---------- context menu ----------

export interface MenuItem {
  readonly id: string;
  readonly label: string;
  readonly key?: string;
  readonly disabled?: boolean;
  readonly danger?: boolean;
  /** Draw a separator above. */
  readonly separator?: boolean;
}

export class ContextMenu {
  readonly el: HTMLElement;
  private resolve: ((id: string | null) => void) | null = null;
  private returnFocus: HTMLElement | null = null;

  constructor(parent: HTMLElement) {
    this.el = h('div', { class: 'context-menu', role: 'menu', hidden: true, tabindex: -1 });
    parent.append(this.el);
    this.el.addEventListener('keydown', (e) => {
      e.stopPropagation(); // the diagram's own keys (arrows, Delete…) wait until the menu is closed
      const items = [...this.el.querySelectorAll<HTMLElement>('[role="menuitem"]:not([aria-disabled="true"])')];
      const at = items.indexOf(document.activeElement as HTMLElement);
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        items[(at + (e.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length]?.focus();
      } else if (e.key === 'Escape' || e.key === 'Tab') {
        e.preventDefault();
        e.stopPropagation();
        this.close(null);
      } else if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        const it = document.activeElement as HTMLElement;
        if (it?.dataset.id && it.getAttribute('aria-disabled') !== 'true') this.close(it.dataset.id);
      }
    });
    this.el.addEventListener('click', (e) => {
      const it = (e.target as Element).closest('[role="menuitem"]') as HTMLElement | null;
      if (it && it.getAttribute('aria-disabled') !== 'true') this.close(it.dataset.id!);
    });
    document.addEventListener('pointerdown', (e) => {
      if (!this.el.hidden && !this.el.contains(e.target as Node)) this.close(null);
    }, true);
  }

  get open(): boolean {
    return !this.el.hidden;
  }

  /** Opens at a point relative to the menu's offset parent. */
  show(x: number, y: number, label: string, items: readonly MenuItem[]): Promise<string | null> {
    if (this.resolve) this.close(null);
    this.returnFocus = document.activeElement as HTMLElement | null;
    this.el.setAttribute('aria-label', label);
    const nodes: HTMLElement[] = [];
    for (const it of items) {
      if (it.separator && nodes.length) nodes.push(h('div', { class: 'sep', role: 'separator' }));
      nodes.push(h('div', { class: `item${it.danger ? ' danger' : ''}`, role: 'menuitem', tabindex: -1, 'data-id': it.id, 'aria-disabled': it.disabled ? 'true' : undefined },
        h('span', {}, it.label), it.key ? h('kbd', {}, it.key) : null));
    }
    this.el.replaceChildren(...nodes);
    this.el.hidden = false;
    const parent = (this.el.offsetParent as HTMLElement | null) ?? document.body;
    const pw = parent.clientWidth;
    const ph = parent.clientHeight;
    this.el.style.left = `${Math.max(4, Math.min(x, pw - this.el.offsetWidth - 4))}px`;
    this.el.style.top = `${Math.max(4, Math.min(y, ph - this.el.offsetHeight - 4))}px`;
    this.el.querySelector<HTMLElement>('[role="menuitem"]:not([aria-disabled="true"])')?.focus();
    return new Promise((r) => (this.resolve = r));
  }

  close(id: string | null): void {
    if (this.el.hidden) return;
    this.el.hidden = true;
    const r = this.resolve;
    this.resolve = null;
    if (id === null) this.returnFocus?.focus?.();
    r?.(id);
  }
}

// ---------- banner ----------

/** A non-blocking message over the top of the stage: a refused edit (error) or the problems an edit made (warning). */
export class Banner {
  readonly el: HTMLElement;
  private timer = 0;

  constructor(parent: HTMLElement) {
    this.el = h('div', { class: 'banner', role: 'alert', hidden: true });
    parent.append(this.el);
  }

  show(kind: 'error' | 'warning' | 'info', title: string, lines: readonly string[] = [], autoHideMs = 0): void {
    clearTimeout(this.timer);
    const close = h('button', { class: 'banner-close', title: 'Dismiss', 'aria-label': 'Dismiss' }, '×');
    close.addEventListener('click', () => this.hide());
    this.el.className = `banner ${kind}`;
    this.el.replaceChildren(
      h('span', { class: 'banner-icon', 'aria-hidden': 'true' }, kind === 'info' ? 'i' : '!'),
      h('div', { class: 'banner-body' },
        h('div', { class: 'banner-title' }, title),
        lines.length ? h('ul', {}, ...lines.slice(0, 6).map((l) => h('li', {}, l)), lines.length > 6 ? h('li', {}, `… and ${lines.length - 6} more`) : null) : null),
      close);
    this.el.hidden = false;
    if (autoHideMs > 0) this.timer = window.setTimeout(() => this.hide(), autoHideMs);
  }

  hide(): void {
    clearTimeout(this.timer);
    this.el.hidden = true;
  }
}

// ---------- deltas ----------

export interface LayerChange {
  readonly params: number;
  readonly macs: number;
  readonly shape: string | null;
  readonly added: boolean;
}

export interface ReportDelta {
  readonly totals: { readonly params: number; readonly trainable: number; readonly macs: number | null; readonly flops: number | null };
  readonly layers: ReadonlyMap<string, LayerChange>;
}

/** What moved between two reports of the same model, layer by layer (matched by name; `renamed` maps old → new). */
export function diffReports(before: ModelReport, after: ModelReport, renamed: ReadonlyMap<string, string> = new Map()): ReportDelta {
  const sub = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : b - a);
  const old = new Map(before.layers.map((l) => [renamed.get(l.name) ?? l.name, l]));
  const layers = new Map<string, LayerChange>();
  for (const l of after.layers) {
    const o = old.get(l.name);
    if (!o) {
      layers.set(l.name, { params: l.params, macs: l.macs ?? 0, shape: dims(l.outputShape), added: true });
      continue;
    }
    const shape = dims(o.outputShape) !== dims(l.outputShape) ? dims(l.outputShape) : null;
    const params = l.params - o.params;
    const macs = (l.macs ?? 0) - (o.macs ?? 0);
    if (params || macs || shape) layers.set(l.name, { params, macs, shape, added: false });
  }
  const t0 = before.totals;
  const t1 = after.totals;
  return {
    totals: { params: (t1.params ?? 0) - (t0.params ?? 0), trainable: (t1.trainableParams ?? 0) - (t0.trainableParams ?? 0), macs: sub(t0.macs, t1.macs), flops: sub(t0.flops, t1.flops) },
    layers,
  };
}

/** +1,234 / −1,234 with a true minus sign. */
export const signed = (n: number, fmt: (n: number) => string = grouped): string => `${n < 0 ? '−' : '+'}${fmt(Math.abs(n))}`;
export const signedHuman = (n: number): string => signed(n, (x) => human(x));

/** The text a changed node flashes: "params +590,080 · 56×56×32". */
export function changeText(c: LayerChange): string {
  const parts: string[] = [];
  if (c.added) parts.push('new');
  if (c.params) parts.push(`params ${signed(c.params)}`);
  else if (c.macs) parts.push(`MACs ${signedHuman(c.macs)}`);
  if (c.shape && !c.added) parts.push(`→ ${c.shape}`);
  return parts.join(' · ');
}
