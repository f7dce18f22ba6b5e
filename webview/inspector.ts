// The inspector panel: everything known about the selected layer (or collapsed block).
import type { ReportLayer } from '../src/core/analysis/report-types';
import { bytes, grouped, human } from '../src/core/analysis/units';
import type { AttrValue } from '../src/core/ir';
import { attrEditorRow } from './attr-controls';
import { dims, fullDims, h } from './dom';
import { kerasName } from './edit-ui';
import type { ModelView } from './model';
import type { OpCatalogEntry } from '../shared/protocol';
import type { ActivationPreview } from '../shared/protocol';
import { renderTopClasses } from './top-classes';

export interface InspectorEvents {
  select(id: string): void;
  reveal(id: string): void;
  toggle(groupId: string): void;
}

export type LayerAction = 'insert-after' | 'insert-before' | 'delete' | 'duplicate' | 'rename' | 'connect' | 'add-input' | 'replace-input';

/** Present when the host can edit the model (it sent the op catalog). */
export interface InspectorEditing {
  schema(type: string): OpCatalogEntry | undefined;
  commit(layer: string, attr: string, value: AttrValue): void;
  action(action: LayerAction, layer: string, input?: number): void;
  /** The inline rename field is open for this layer. */
  readonly renaming: string | null;
  /** Why a name cannot be used, or null. */
  checkName(layer: string, name: string): string | null;
  rename(layer: string, newName: string | null): void;
  inputShape(layer: string, shape: (number | null)[]): void;
  /** Inserts a copy of the block `groupId` after it. */
  duplicateBlock(groupId: string): void;
}

/** Actions a layer offers, by its type (the same list feeds the context menu). */
export function layerActions(layer: ReportLayer): { action: LayerAction; label: string; key?: string; disabled?: boolean; danger?: boolean }[] {
  const isInput = layer.family === 'input' || layer.type === 'Input' || layer.type === 'InputLayer';
  const merge = layer.family === 'merge';
  return [
    { action: 'insert-after', label: 'Insert after…' },
    { action: 'insert-before', label: 'Insert before…', disabled: isInput },
    { action: 'duplicate', label: 'Duplicate', disabled: isInput },
    { action: 'rename', label: 'Rename', key: 'F2' },
    merge ? { action: 'add-input', label: 'Add input from…' } : { action: 'connect', label: 'Connect input from…', disabled: isInput },
    { action: 'delete', label: 'Delete', key: 'Del', disabled: isInput, danger: true },
  ];
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

/** Activation previews the host computed for an input image (see protocol `activations`). */
export interface Activations {
  readonly image: string;
  readonly random: boolean;
  readonly previews: Readonly<Record<string, ActivationPreview>>;
  /** Where the run ran and why better backends did not ("webgl in the diagram webview; not used: …"). */
  readonly backend?: string;
  /** How to give class names, when a classifier's output has none. */
  readonly labelsHint?: string;
}

export function renderInspector(root: HTMLElement, view: ModelView | null, id: string | null, ev: InspectorEvents, edit?: InspectorEditing, activations?: Activations): void {
  root.replaceChildren();
  if (!view || !id) {
    root.append(h('div', { class: 'empty' },
      h('p', {}, 'Select a layer to see its shapes, parameters, cost and attributes.'),
      h('p', { class: 'help' }, h('kbd', {}, '←↑↓→'), ' move along edges · ', h('kbd', {}, 'f'), ' fit · ', h('kbd', {}, 'Shift+F'), ' fit all · ', h('kbd', {}, '+'), ' ', h('kbd', {}, '−'), ' or Ctrl+wheel zoom · wheel scrolls · ', h('kbd', {}, '/'), ' search · ', h('kbd', {}, 'Enter'), ' expand block · ', h('kbd', {}, 'i'), ' hide or show this panel'),
      edit ? h('p', { class: 'help' }, 'Editing: change attributes here · right-click a layer for actions · ', h('kbd', {}, 'Del'), ' delete · ', h('kbd', {}, 'F2'), ' rename · drag from a layer’s output dot onto another layer to connect') : null));
    return;
  }
  const totals = view.report.totals;
  const layer = view.layers.get(id);
  if (!layer) {
    const g = view.groups.get(id);
    if (g) renderGroup(root, view, id, ev, edit);
    return;
  }
  root.append(renderLayerHeader(layer, ev, edit));
  const preview = activations?.previews[id];
  if (activations && preview) root.append(renderActivation(preview, activations));

  // Shapes
  const shapes = h('section', {}, h('h3', {}, 'Tensors'));
  const t = h('table');
  layer.inputs.forEach((input, i) => {
    const a = h('a', { class: 'ref', role: 'link', tabindex: 0, title: `Select ${input}` }, input);
    a.addEventListener('click', () => ev.select(input));
    a.addEventListener('keydown', (e) => e.key === 'Enter' && ev.select(input));
    const cell = h('span', {}, a, ' ', h('span', { class: 'mono' }, dims(layer.inputShapes[i] ?? view.layers.get(input)?.outputShape)));
    if (edit) {
      const swap = h('button', { class: 'mini', 'data-action': 'replace-input', 'data-input': i, title: `Feed ${layer.inputs.length > 1 ? `input ${i + 1}` : 'the input'} from another layer…`, 'aria-label': `Feed input ${i + 1} from another layer` }, '⇄');
      swap.addEventListener('click', () => edit.action('replace-input', layer.name, i));
      cell.append(swap);
    }
    t.append(row(layer.inputs.length > 1 ? `Input ${i + 1}` : 'Input', cell));
  });
  t.append(row('Output', h('span', { class: 'mono', 'data-testid': 'inspector-output' }, fullDims(layer.outputShape))));
  layer.outputShapes?.slice(1).forEach((s, i) => t.append(row(`Output ${i + 2}`, h('span', { class: 'mono' }, fullDims(s)))));
  const assumed = view.report.model.inputs.find((input) => input.name === layer.name)?.assumed;
  if (assumed?.length) t.append(row('Assumed', h('span', { 'data-testid': 'inspector-assumed' }, assumed.map((d) => `${d.name} = ${d.value} (axis ${d.axis})`).join(', '))));
  shapes.append(t);
  root.append(shapes);
  if (layer.weights?.length) root.append(renderWeights(layer));

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

  // Attributes: under the format's own names where it has them (ONNX `kernel_shape`, `pads`), unless editing.
  const entries = Object.entries(!edit && layer.sourceAttrs ? layer.sourceAttrs : layer.attrs);
  const schema = edit?.schema(layer.type);
  const attrs = h('section', { class: schema ? 'editable' : '' }, h('h3', {}, 'Attributes'));
  const isInput = layer.family === 'input' || layer.type === 'Input' || layer.type === 'InputLayer';
  if (edit && isInput && layer.outputShape?.length === 4) attrs.append(inputShapeEditor(layer, edit));
  if (!entries.length && !schema?.attrs.length) attrs.append(h('div', { class: 'empty-attrs' }, h('span', { class: 'label' }, 'None')));
  else {
    const at = h('table');
    const known = new Set(schema?.attrs.map((a) => a.name));
    if (schema) for (const a of schema.attrs) at.append(attrEditorRow(layer, a, { commit: (attr, value) => edit!.commit(layer.name, attr, value) }));
    for (const [k, v] of entries) if (!known.has(k) && !schema?.foreign.includes(k)) at.append(row(schema || edit ? kerasName(k) : k, h('span', { class: 'attr-val' }, formatAttr(v))));
    attrs.append(at);
  }
  if (layer.sourceClass && layer.sourceClass !== layer.type) attrs.append(h('div', { class: 'label' }, `Class in file: ${layer.sourceClass}`));
  // Editing: the attributes come first, right under the layer's name and actions.
  if (edit) root.insertBefore(attrs, root.children[1] ?? null);
  else root.append(attrs);
}

/** The constants the layer reads (ONNX initializers): names as the file gives them, shapes, stored dtypes and sizes. */
function renderWeights(layer: ReportLayer): HTMLElement {
  const section = h('section', { 'data-testid': 'inspector-weights' }, h('h3', {}, 'Weights'));
  const t = h('table');
  for (const w of layer.weights ?? []) t.append(row(w.name, h('span', { class: 'mono' }, `${w.shape.length ? w.shape.join('×') : 'scalar'} ${w.dtype}`), bytes(w.bytes)));
  section.append(t);
  return section;
}

function renderLayerHeader(layer: ReportLayer, ev: InspectorEvents, edit?: InspectorEditing): HTMLElement {
  const reveal = h('vscode-button', { secondary: true, 'data-action': 'reveal', title: 'Show this layer in the model file' }, 'Reveal in file');
  if (!layer.range) reveal.setAttribute('disabled', '');
  reveal.addEventListener('click', () => ev.reveal(layer.name));
  const name = edit?.renaming === layer.name ? renameField(layer, edit) : h('div', { class: 'lname', 'data-testid': 'inspector-name' }, layer.name);
  const header = h('header', { class: famClass(layer.family) },
    h('div', { class: 'kind' }, h('span', { class: 'swatch' }), h('span', { class: 'type' }, layer.type), h('span', { class: 'label' }, layer.label)),
    name,
    h('div', { class: 'actions' }, reveal),
  );
  if (edit) {
    const bar = h('div', { class: 'actions edit-actions', role: 'toolbar', 'aria-label': 'Layer actions' });
    for (const a of layerActions(layer)) {
      const b = h('vscode-button', { secondary: true, 'data-action': a.action, title: a.key ? `${a.label.replace('…', '')} (${a.key})` : a.label, class: a.danger ? 'danger' : '' }, a.label);
      if (a.disabled) b.setAttribute('disabled', '');
      b.addEventListener('click', () => a.disabled || edit.action(a.action, layer.name));
      bar.append(b);
    }
    header.append(bar);
  }
  return header;
}

function renameField(layer: ReportLayer, edit: InspectorEditing): HTMLElement {
  const f = h('vscode-textfield', { value: layer.name, 'aria-label': `New name for ${layer.name}`, class: 'rename', 'data-testid': 'rename-field' }) as HTMLElement & { value: string; invalid: boolean };
  f.value = layer.name;
  const msg = h('div', { class: 'attr-error', role: 'alert', hidden: true });
  let done = false;
  const commit = (): void => {
    if (done) return;
    const name = (f.value ?? '').trim();
    if (name === layer.name) return void ((done = true), edit.rename(layer.name, null));
    const err = edit.checkName(layer.name, name);
    msg.hidden = !err;
    msg.textContent = err ?? '';
    f.classList.toggle('invalid', !!err);
    if (err) return;
    done = true;
    edit.rename(layer.name, name);
  };
  f.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      commit();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      done = true;
      edit.rename(layer.name, null);
    }
  });
  f.addEventListener('input', () => {
    msg.hidden = true;
    f.classList.remove('invalid');
  });
  requestAnimationFrame(() => {
    f.focus();
    const input = f.shadowRoot?.querySelector('input');
    input?.select();
  });
  return h('div', { class: 'rename-wrap' }, f, msg);
}

/** Height × width × channels of an Input layer; commits `setInputShape`. */
function inputShapeEditor(layer: ReportLayer, edit: InspectorEditing): HTMLElement {
  const shape = layer.outputShape!;
  const msg = h('div', { class: 'attr-error', role: 'alert', hidden: true });
  const names = ['height', 'width', 'channels'];
  const fields = [1, 2, 3].map((d, i) => {
    const f = h('vscode-textfield', { type: 'number', class: 'num pair', min: 1, step: 1, 'aria-label': `Input ${names[i]}`, 'data-dim': d, placeholder: 'None' }) as HTMLElement & { value: string; invalid: boolean };
    f.value = shape[d] === null ? '' : String(shape[d]);
    return f;
  });
  const commit = (): void => {
    const next: (number | null)[] = [null];
    for (const [i, f] of fields.entries()) {
      const s = (f.value ?? '').trim();
      const n = s === '' ? null : Number(s);
      if (n !== null && (!Number.isInteger(n) || n < 1)) {
        msg.hidden = false;
        msg.textContent = `input ${names[i]} must be a whole number ≥ 1`;
        fields.forEach((x) => x.classList.add('invalid'));
        return;
      }
      next.push(n);
    }
    msg.hidden = true;
    fields.forEach((x) => x.classList.remove('invalid'));
    if (JSON.stringify(next.slice(1)) !== JSON.stringify(shape.slice(1))) edit.inputShape(layer.name, next);
  };
  for (const f of fields) {
    f.addEventListener('keydown', (e) => e.key === 'Enter' && (e.preventDefault(), commit()));
    f.addEventListener('change', commit);
  }
  return h('table', {}, h('tr', { class: 'attr-edit' }, h('td', {}, h('label', {}, 'input shape')), h('td', { colspan: 2 },
    h('div', { class: 'pair-fields triple', role: 'group', 'aria-label': 'Input shape' }, fields[0], h('span', { class: 'times' }, '×'), fields[1], h('span', { class: 'times' }, '×'), fields[2]), msg)));
}

function renderGroup(root: HTMLElement, view: ModelView, id: string, ev: InspectorEvents, edit?: InspectorEditing): void {
  const g = view.groups.get(id)!;
  const totals = view.report.totals;
  const toggle = h('vscode-button', { secondary: true, 'data-action': 'toggle' }, 'Expand / collapse');
  toggle.addEventListener('click', () => ev.toggle(id));
  const duplicate = edit && g.kind === 'block'
    ? h('vscode-button', { secondary: true, 'data-action': 'duplicate-block', title: 'Insert a copy of this block after it (only when its output shape equals its input shape)' }, 'Duplicate block')
    : null;
  duplicate?.addEventListener('click', () => edit!.duplicateBlock(id));
  root.append(h('header', { class: famClass(g.family) },
    h('div', { class: 'kind' }, h('span', { class: 'swatch' }), h('span', { class: 'type' }, g.kind === 'model' ? 'Nested model' : 'Block'), h('span', { class: 'label' }, `${g.allLayers.length} layers`)),
    h('div', { class: 'lname', 'data-testid': 'inspector-name' }, g.name),
    h('div', { class: 'actions' }, toggle, duplicate)));
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

/** The layer's output for the chosen image: a grid of its first channels, each normalised, with the value range. */
function renderActivation(p: ActivationPreview, a: Activations): HTMLElement {
  const img = h('img', { class: 'activation', src: p.thumbnail, alt: `Feature maps of this layer for ${a.image}` });
  return h('section', { 'data-testid': 'inspector-activation' },
    h('h3', {}, 'Activation'),
    p.top ? renderTopClasses(p.top, p.channels) : img,
    h('p', { class: 'help' }, `${a.image} · ${p.channels} channel${p.channels === 1 ? '' : 's'} · range ${p.min.toPrecision(3)} … ${p.max.toPrecision(3)}`),
    a.backend ? h('p', { class: 'help', 'data-testid': 'inspector-activation-backend' }, `Ran on ${a.backend}`) : null,
    p.top && a.labelsHint ? h('p', { class: 'help', 'data-testid': 'labels-hint' }, a.labelsHint) : null,
    a.random ? h('p', { class: 'warning' }, 'Random weights (seeded): these activations show the architecture, not a trained model.') : null);
}
