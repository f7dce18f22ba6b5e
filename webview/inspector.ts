// The inspector panel: everything known about the selected layer (or collapsed block).
import type { ReportLayer } from '../src/core/analysis/report-types';
import { bytes, grouped, human } from '../src/core/analysis/units';
import type { AttrValue } from '../src/core/ir';
import { dims, fullDims, h } from './dom';
import type { ModelView } from './model';

export interface InspectorEvents {
  select(id: string): void;
  reveal(id: string): void;
  toggle(groupId: string): void;
}

const famClass = (f: string): string => `fam-${/^[a-z]+$/.test(f) ? f : 'unknown'}`;

function share(part: number | null, total: number | null): { text: string; frac: number } {
  if (part === null || total === null || !total) return { text: '', frac: 0 };
  const p = part / total;
  return { text: p > 0 && p < 0.001 ? '<0.1%' : `${(100 * p).toFixed(1)}%`, frac: p };
}

function bar(frac: number): HTMLElement {
  const inner = h('div');
  inner.style.width = `${Math.max(0, Math.min(100, frac * 100)).toFixed(1)}%`;
  return h('div', { class: 'bar' }, inner);
}

/** `1234567` → "1,234,567 (1.23M)". */
const countText = (n: number | null): string => (n === null ? 'unknown' : n >= 1000 ? `${grouped(n)}  (${human(n)})` : grouped(n));

function formatAttr(v: AttrValue): string {
  if (v === null) return 'None';
  if (Array.isArray(v)) return v.every((x) => typeof x === 'number' || x === null) ? `[${v.map((x) => x ?? 'None').join(', ')}]` : JSON.stringify(v);
  if (typeof v === 'object') {
    const o = v as Record<string, AttrValue>;
    if (typeof o.className === 'string') return o.className; // Keras initializers and regularizers
    return JSON.stringify(v);
  }
  return String(v);
}

function row(label: string, value: Node | string, shareText?: string, cls = ''): HTMLTableRowElement {
  return h('tr', {}, h('td', {}, label), h('td', { class: cls }, value), h('td', { class: 'share' }, shareText ?? ''));
}

export function renderInspector(root: HTMLElement, view: ModelView | null, id: string | null, ev: InspectorEvents): void {
  root.replaceChildren();
  if (!view || !id) {
    root.append(h('div', { class: 'empty' },
      h('p', {}, 'Select a layer to see its shapes, parameters, cost and attributes.'),
      h('p', { class: 'help' }, h('kbd', {}, '←↑↓→'), ' move along edges · ', h('kbd', {}, 'f'), ' fit · ', h('kbd', {}, '+'), ' ', h('kbd', {}, '−'), ' zoom · ', h('kbd', {}, '/'), ' search · ', h('kbd', {}, 'Enter'), ' expand block')));
    return;
  }
  const totals = view.report.totals;
  const layer = view.layers.get(id);
  if (!layer) {
    const g = view.groups.get(id);
    if (g) renderGroup(root, view, id, ev);
    return;
  }
  root.append(renderLayerHeader(layer, ev));

  // Shapes
  const shapes = h('section', {}, h('h3', {}, 'Tensors'));
  const t = h('table');
  layer.inputs.forEach((input, i) => {
    const a = h('a', { class: 'ref', role: 'link', tabindex: 0, title: `Select ${input}` }, input);
    a.addEventListener('click', () => ev.select(input));
    a.addEventListener('keydown', (e) => e.key === 'Enter' && ev.select(input));
    const cell = h('span', {}, a, ' ', h('span', { class: 'mono' }, dims(layer.inputShapes[i] ?? view.layers.get(input)?.outputShape)));
    t.append(row(layer.inputs.length > 1 ? `Input ${i + 1}` : 'Input', cell));
  });
  t.append(row('Output', h('span', { class: 'mono', 'data-testid': 'inspector-output' }, fullDims(layer.outputShape))));
  shapes.append(t);
  root.append(shapes);

  // Parameters
  const params = h('section', {}, h('h3', {}, 'Parameters'));
  const pt = h('table');
  const ps = share(layer.params, totals.params);
  pt.append(row('Total', countText(layer.params), ps.text, 'num'));
  pt.append(row('Trainable', grouped(layer.trainableParams), '', 'num'));
  pt.append(row('Non-trainable', grouped(layer.nonTrainableParams), '', 'num'));
  params.append(pt, bar(ps.frac));
  root.append(params);

  // Compute
  const compute = h('section', {}, h('h3', {}, 'Compute'));
  const ct = h('table');
  const ms = share(layer.macs, totals.macs);
  const fs = share(layer.flops, totals.flops);
  ct.append(row('MACs', countText(layer.macs), ms.text, 'num'), row('FLOPs', countText(layer.flops), fs.text, 'num'));
  compute.append(ct, bar(ms.frac));
  root.append(compute);

  // Memory
  const mem = h('section', {}, h('h3', {}, 'Memory'));
  const mt = h('table');
  mt.append(
    row('Weights', bytes(layer.weightBytes), share(layer.weightBytes, totals.weightBytes).text, 'num'),
    row('Activation', bytes(layer.activationBytes), share(layer.activationBytes, totals.activationBytes).text, 'num'),
  );
  mem.append(mt);
  root.append(mem);

  // Diagnostics
  const diags = view.report.diagnostics.filter((d) => d.layer === id);
  if (diags.length) {
    const s = h('section', {}, h('h3', {}, 'Problems'));
    for (const d of diags) s.append(h('div', { class: `diag ${d.severity}` }, h('span', {}, d.severity === 'error' ? '⛔' : d.severity === 'warning' ? '⚠' : 'ℹ'), h('span', {}, d.message)));
    root.append(s);
  }

  // Attributes
  const entries = Object.entries(layer.attrs);
  const attrs = h('section', {}, h('h3', {}, 'Attributes'));
  if (!entries.length) attrs.append(h('div', { class: 'empty-attrs' }, h('span', { class: 'label' }, 'None')));
  else {
    const at = h('table');
    for (const [k, v] of entries) at.append(row(k, h('span', { class: 'attr-val' }, formatAttr(v))));
    attrs.append(at);
  }
  if (layer.sourceClass && layer.sourceClass !== layer.type) attrs.append(h('div', { class: 'label' }, `Class in file: ${layer.sourceClass}`));
  root.append(attrs);
}

function renderLayerHeader(layer: ReportLayer, ev: InspectorEvents): HTMLElement {
  const reveal = h('vscode-button', { secondary: true, 'data-action': 'reveal', title: 'Show this layer in the model file' }, 'Reveal in file');
  if (!layer.range) reveal.setAttribute('disabled', '');
  reveal.addEventListener('click', () => ev.reveal(layer.name));
  const header = h('header', { class: famClass(layer.family) },
    h('div', { class: 'kind' }, h('span', { class: 'swatch' }), h('span', { class: 'type' }, layer.type), h('span', { class: 'label' }, layer.label)),
    h('div', { class: 'lname', 'data-testid': 'inspector-name' }, layer.name),
    h('div', { class: 'actions' }, reveal),
  );
  return header;
}

function renderGroup(root: HTMLElement, view: ModelView, id: string, ev: InspectorEvents): void {
  const g = view.groups.get(id)!;
  const totals = view.report.totals;
  const toggle = h('vscode-button', { secondary: true, 'data-action': 'toggle' }, 'Expand / collapse');
  toggle.addEventListener('click', () => ev.toggle(id));
  root.append(h('header', { class: famClass(g.family) },
    h('div', { class: 'kind' }, h('span', { class: 'swatch' }), h('span', { class: 'type' }, g.kind === 'model' ? 'Nested model' : 'Block'), h('span', { class: 'label' }, `${g.allLayers.length} layers`)),
    h('div', { class: 'lname', 'data-testid': 'inspector-name' }, g.name),
    h('div', { class: 'actions' }, toggle)));
  const s = h('section', {}, h('h3', {}, 'Totals'));
  const t = h('table');
  const ps = share(g.params, totals.params);
  const ms = share(g.macs, totals.macs);
  t.append(
    row('Output', h('span', { class: 'mono', 'data-testid': 'inspector-output' }, fullDims(g.outputShape))),
    row('Params', countText(g.params), ps.text, 'num'),
    row('MACs', countText(g.macs), ms.text, 'num'),
    row('FLOPs', countText(g.flops), share(g.flops, totals.flops).text, 'num'),
  );
  s.append(t, bar(ms.frac));
  root.append(s);
  const list = h('section', {}, h('h3', {}, 'Layers'));
  const lt = h('table');
  for (const lid of g.allLayers) {
    const l = view.layers.get(lid)!;
    const a = h('a', { class: 'ref', role: 'link', tabindex: 0 }, lid.slice(lid.lastIndexOf('/') + 1));
    a.addEventListener('click', () => ev.select(lid));
    lt.append(row(l.type, a));
  }
  list.append(lt);
  root.append(list);
}
