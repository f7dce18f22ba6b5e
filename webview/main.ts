// The diagram webview's entry: receives the host's ModelReport, lays it out in a worker, draws it, and
// lets the user explore it (pan, zoom, search, keyboard navigation, inspector, summary table, export).
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import type { ModelReport } from '../src/core/analysis/report-types';
import { bytes, grouped, human } from '../src/core/analysis/units';
import { Diagram, type HeatMode } from './diagram';
import { dims, h } from './dom';
import { fromElk, toElk, type ElkNode } from './elk-graph';
import { download, exportSvg, svgToPng } from './export';
import { connectHost, LayoutClient } from './host';
import { renderInspector } from './inspector';
import { ancestors, buildModelView, defaultCollapsed, visibleGraph, type ModelView } from './model';
import { PROTOCOL_VERSION, type HostMessage } from './protocol';
import { SummaryTable } from './table';

interface SavedState { uri?: string; collapsed?: string[]; selected?: string | null; heat?: HeatMode; edgeLabels?: boolean; tab?: 'diagram' | 'table' }

const root = document.getElementById('cnn-lens') ?? document.body;
const script = document.currentScript as HTMLScriptElement | null;
const workerUrl = root.dataset.workerSrc ?? script?.dataset.workerSrc;

const host = connectHost();
const layout = new LayoutClient(workerUrl);

// ---------- state ----------
let view: ModelView | null = null;
let uri = '';
let collapsed = new Set<string>();
let selected: string | null = null;
let heat: HeatMode = 'none';
let edgeLabels = false;
let tab: 'diagram' | 'table' = 'diagram';
let query = '';
let matches: string[] = [];
let matchIndex = -1;
let layoutSeq = 0;
let firstDraw = true;
const saved = host.getState<SavedState>();
if (saved) {
  heat = saved.heat ?? heat;
  edgeLabels = saved.edgeLabels ?? edgeLabels;
  tab = saved.tab ?? tab;
}

// ---------- DOM ----------
const app = h('div', { id: 'app' });
const titleName = h('span', { class: 'name' }, 'CNN Lens');
const titleFormat = h('span', { class: 'badge', hidden: true });
const tabDiagram = h('button', { role: 'tab', 'aria-selected': 'true', 'data-tab': 'diagram' }, 'Diagram');
const tabTable = h('button', { role: 'tab', 'aria-selected': 'false', 'data-tab': 'table' }, 'Summary');
const search = h('vscode-textfield', { placeholder: 'Search layers…', 'aria-label': 'Search layers by name or type', type: 'search' }) as HTMLElement & { value: string };
const matchCount = h('span', { class: 'match-count', 'aria-live': 'polite' });
const heatSelect = h('vscode-single-select', { 'aria-label': 'Heat overlay' },
  h('vscode-option', { value: 'none' }, 'No overlay'),
  h('vscode-option', { value: 'macs' }, 'Heat: MACs'),
  h('vscode-option', { value: 'params' }, 'Heat: params')) as HTMLElement & { value: string };
const edgeToggle = h('vscode-checkbox', { label: 'Edge shapes', checked: edgeLabels }) as HTMLElement & { checked: boolean };
const btn = (text: string, title: string, action: string, extra: Record<string, string | boolean> = {}): HTMLElement =>
  h('vscode-button', { secondary: true, title, 'aria-label': title, 'data-action': action, ...extra }, text);
const expandAll = btn('Expand all', 'Expand every block', 'expand-all');
const collapseAll = btn('Collapse all', 'Collapse every block', 'collapse-all');
const zoomOut = btn('−', 'Zoom out (-)', 'zoom-out', { class: 'icon' });
const zoomIn = btn('+', 'Zoom in (+)', 'zoom-in', { class: 'icon' });
const fitBtn = btn('Fit', 'Fit to view (f)', 'fit');
const exportSvgBtn = btn('SVG', 'Export the diagram as SVG', 'export-svg');
const exportPngBtn = btn('PNG', 'Export the diagram as PNG', 'export-png');

const toolbar = h('header', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Diagram tools' },
  h('div', { class: 'title' }, titleName, titleFormat),
  h('div', { class: 'view-tabs', role: 'tablist' }, tabDiagram, tabTable),
  h('div', { class: 'group' }, search, matchCount),
  h('div', { class: 'spacer' }),
  h('div', { class: 'group diagram-only' }, heatSelect, edgeToggle),
  h('span', { class: 'sep diagram-only' }),
  h('div', { class: 'group diagram-only' }, expandAll, collapseAll),
  h('span', { class: 'sep diagram-only' }),
  h('div', { class: 'group diagram-only' }, zoomOut, zoomIn, fitBtn),
  h('span', { class: 'sep diagram-only' }),
  h('div', { class: 'group diagram-only', 'aria-label': 'Export' }, exportSvgBtn, exportPngBtn),
);

const diagramView = h('div', { class: 'view diagram-view' });
const tableView = h('div', { class: 'view table-view', hidden: true });
const status = h('div', { class: 'status' }, 'Waiting for a model…');
const legend = h('div', { class: 'legend', hidden: true });
const families = h('div', { class: 'families' });
const zoomReadout = h('div', { class: 'zoom-readout' });
const tooltip = h('div', { class: 'tooltip', hidden: true, role: 'tooltip' });
const stage = h('div', { class: 'stage' }, diagramView, tableView, status);
diagramView.append(legend, families, zoomReadout, tooltip);
const inspector = h('aside', { class: 'inspector', 'aria-label': 'Layer inspector' });
const main = h('div', { class: 'main' }, stage, inspector);
const totals = h('footer', { class: 'totals', 'aria-label': 'Model totals' });
app.append(toolbar, main, totals);
root.append(app);

for (const [fam, name] of [['conv', 'Conv'], ['dense', 'Dense'], ['pool', 'Pool'], ['norm', 'Norm'], ['activation', 'Activation'], ['merge', 'Merge'], ['reshape', 'Other']]) {
  families.append(h('span', { class: `fam-${fam}` }, h('i'), name));
}

const diagram = new Diagram(diagramView, {
  select: (id) => select(id, { post: true, reveal: false }),
  toggle: (g) => toggleGroup(g),
  hover: (id, x, y) => showTooltip(id, x, y),
});
diagramView.insertBefore(diagram.svg, legend);
diagram.onZoom = (k) => (zoomReadout.textContent = `${Math.round(k * 100)}%`);
diagram.setEdgeLabels(edgeLabels);

const table = new SummaryTable(tableView, (id) => select(id, { post: true, reveal: true }));

// ---------- rendering ----------
function setStatus(text: string | null): void {
  status.hidden = text === null;
  status.textContent = text ?? '';
}

function persist(): void {
  host.setState({ uri, collapsed: [...collapsed], selected, heat, edgeLabels, tab } satisfies SavedState);
}

// Performance marks (cheap; read by bench/diagram.ts): model received → layout requested → layout done
// → SVG rendered → painted (double requestAnimationFrame after the first draw of a model).
const mark = (name: string): void => void performance.mark(`cnn-lens:${name}`);
/** The last layout's figures: visible nodes and edges, ELK's own time in the worker, round trip. */
const lastLayout = { nodes: 0, edges: 0, elkMs: NaN, roundTripMs: NaN, renderMs: NaN };

async function relayout(): Promise<void> {
  if (!view) return;
  const v = view;
  const seq = ++layoutSeq;
  const painting = firstDraw;
  document.body.dataset.state = 'layout';
  const graph = visibleGraph(v, collapsed);
  const elk = toElk(graph, {
    size: (id, kind) => diagram.size(v, id, kind),
  });
  if (firstDraw) setStatus(`Laying out ${v.layers.size} layers…`);
  let laid;
  try {
    mark('layout-requested');
    const t0 = performance.now();
    const result = await layout.layout<ElkNode & { elkMs?: number }>(elk);
    if (seq === layoutSeq) {
      mark('layout-done');
      Object.assign(lastLayout, { nodes: graph.nodes.length, edges: graph.edges.length, elkMs: result.elkMs ?? NaN, roundTripMs: performance.now() - t0 });
    }
    laid = fromElk(result);
  } catch (err) {
    if (seq === layoutSeq) {
      setStatus(`Layout failed: ${err instanceof Error ? err.message : String(err)}`);
      document.body.dataset.state = 'error';
    }
    return;
  }
  if (seq !== layoutSeq || v !== view) return;
  setStatus(v.layers.size === 0 ? 'This model has no layers.' : null);
  const r0 = performance.now();
  diagram.render(v, graph, laid, heat);
  updateLegend();
  highlightSelection();
  diagram.setMatches(query ? new Set(matches.map((m) => graph.rep.get(m)!)) : null);
  if (firstDraw) {
    diagram.initialView();
    firstDraw = false;
  }
  lastLayout.renderMs = performance.now() - r0;
  mark('rendered');
  if (painting) requestAnimationFrame(() => requestAnimationFrame(() => mark('painted')));
  document.body.dataset.state = 'ready';
}

function updateLegend(): void {
  const info = diagram.applyHeat(heat);
  legend.hidden = !info;
  families.hidden = !!info;
  if (!info) return;
  legend.replaceChildren(
    h('div', { class: 'title' }, heat === 'macs' ? 'MACs per node' : 'Parameters per node'),
    h('div', { class: 'ramp' }),
    h('div', { class: 'ends' }, h('span', {}, '0'), h('span', {}, human(info.max / 4, 1)), h('span', {}, human(info.max, 1))),
    h('div', {}, 'square-root scale'),
  );
}

function renderTotals(): void {
  if (!view) return totals.replaceChildren();
  const t = view.report.totals;
  const errors = view.report.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = view.report.diagnostics.filter((d) => d.severity === 'warning').length;
  const item = (label: string, value: string, title?: string): HTMLElement => h('span', { title }, `${label} `, h('b', {}, value));
  totals.replaceChildren(
    item('Params', human(t.params), t.params === null ? undefined : `${grouped(t.params)} parameters`),
    item('Trainable', human(t.trainableParams), t.trainableParams === null ? undefined : grouped(t.trainableParams)),
    item('MACs', human(t.macs), t.macs === null ? undefined : grouped(t.macs)),
    item('FLOPs', human(t.flops), t.flops === null ? undefined : grouped(t.flops)),
    item('Weights', bytes(t.weightBytes)),
    item('Activations', bytes(t.activationBytes)),
    h('span', { class: 'right' }, h('b', {}, String(view.layers.size)), ' layers · ', h('b', {}, String(view.groups.size)), ' blocks'),
    h('span', { class: `problems${errors + warnings ? ' has' : ''}` }, h('b', {}, String(errors)), ' errors · ', h('b', {}, String(warnings)), ' warnings'),
  );
}

function highlightSelection(): void {
  if (!view) return;
  const rep = selected ? (view.layers.has(selected) ? visibleRep(selected) : selected) : null;
  diagram.setSelection(rep);
}

function visibleRep(layer: string): string {
  if (!view) return layer;
  let rep = layer;
  for (const g of ancestors(view, layer)) if (collapsed.has(g)) rep = g;
  return rep;
}

// ---------- selection ----------
async function select(id: string | null, opts: { post: boolean; reveal: boolean; expand?: boolean }): Promise<void> {
  if (!view) return;
  if (id && !view.layers.has(id) && !view.groups.has(id)) id = null;
  selected = id;
  renderInspector(inspector, view, id, {
    select: (other) => select(other, { post: true, reveal: true, expand: true }),
    reveal: (layer) => host.post({ type: 'reveal', node: layer }),
    toggle: (g) => toggleGroup(g),
  });
  table.select(id && view.layers.has(id) ? id : null);
  if (opts.post && (id === null || view.layers.has(id))) host.post({ type: 'select', node: id });
  persist();
  if (id && opts.expand && view.layers.has(id)) {
    const hiddenBy = ancestors(view, id).filter((g) => collapsed.has(g));
    if (hiddenBy.length) {
      for (const g of hiddenBy) collapsed.delete(g);
      await relayout();
    }
  }
  highlightSelection();
  if (id && opts.reveal) {
    const rep = view.layers.has(id) ? visibleRep(id) : id;
    diagram.reveal(rep);
  }
}

async function toggleGroup(g: string): Promise<void> {
  if (!view?.groups.has(g)) return;
  if (collapsed.has(g)) collapsed.delete(g);
  else collapsed.add(g);
  persist();
  await relayout();
  diagram.reveal(g);
}

// ---------- tooltip ----------
function showTooltip(id: string | null, x: number, y: number): void {
  if (!id || !view) {
    tooltip.hidden = true;
    return;
  }
  const l = view.layers.get(id);
  const g = view.groups.get(id);
  const rows: [string, string][] = [];
  let title: HTMLElement;
  if (l) {
    title = h('div', { class: 'tt-title' }, h('span', {}, l.name), h('span', { class: 'tt-type' }, l.type));
    l.inputs.forEach((input, i) => rows.push([l.inputs.length > 1 ? `In ${i + 1}` : 'Input', dims(l.inputShapes[i] ?? view!.layers.get(input)?.outputShape)]));
    rows.push(['Output', dims(l.outputShape)], ['Params', grouped(l.params)], ['MACs', l.macs === null ? '?' : `${human(l.macs)}`]);
  } else if (g) {
    title = h('div', { class: 'tt-title' }, h('span', {}, g.name), h('span', { class: 'tt-type' }, `${g.allLayers.length} layers`));
    rows.push(['Output', dims(g.outputShape)], ['Params', grouped(g.params)], ['MACs', human(g.macs)], ['', 'Double-click to expand']);
  } else {
    tooltip.hidden = true;
    return;
  }
  tooltip.replaceChildren(title, h('dl', {}, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', { class: k === 'Output' || k.startsWith('In') ? 'mono' : '' }, v)])));
  tooltip.hidden = false;
  const r = diagramView.getBoundingClientRect();
  const tw = tooltip.offsetWidth;
  const th = tooltip.offsetHeight;
  let left = x - r.left + 14;
  let top = y - r.top + 16;
  if (left + tw > r.width - 8) left = x - r.left - tw - 14;
  if (top + th > r.height - 8) top = y - r.top - th - 12;
  tooltip.style.left = `${Math.max(4, left)}px`;
  tooltip.style.top = `${Math.max(4, top)}px`;
}

// ---------- search ----------
function runSearch(q: string): void {
  query = q.trim().toLowerCase();
  if (!view || !query) {
    matches = [];
    matchIndex = -1;
    matchCount.textContent = '';
    diagram.setMatches(null);
    return;
  }
  matches = view.report.layers.filter((l) => l.name.toLowerCase().includes(query) || l.type.toLowerCase().includes(query)).map((l) => l.name);
  matchIndex = -1;
  matchCount.textContent = matches.length ? `${matches.length} found` : 'No match';
  diagram.setMatches(new Set(matches.map(visibleRep)));
}

function nextMatch(step: 1 | -1): void {
  if (!matches.length) return;
  matchIndex = (matchIndex + step + matches.length) % matches.length;
  matchCount.textContent = `${matchIndex + 1} / ${matches.length}`;
  void select(matches[matchIndex], { post: true, reveal: true, expand: true }).then(() => diagram.setMatches(new Set(matches.map(visibleRep))));
}

search.addEventListener('input', () => runSearch(search.value ?? ''));
search.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') {
    e.preventDefault();
    if ((search.value ?? '').trim().toLowerCase() !== query) runSearch(search.value ?? '');
    nextMatch(e.shiftKey ? -1 : 1);
  } else if (e.key === 'Escape') {
    search.value = '';
    runSearch('');
    diagram.svg.focus();
  }
});

// ---------- keyboard ----------
function navigate(key: string): void {
  if (!view) return;
  const current = selected ? (view.layers.has(selected) ? visibleRep(selected) : selected) : null;
  if (!current || !diagram.has(current)) {
    const first = diagram.visibleBoxes().sort((a, b) => a[1].y - b[1].y || a[1].x - b[1].x)[0];
    if (first) void select(first[0], { post: true, reveal: true });
    return;
  }
  const b = diagram.box(current)!;
  const cx = b.x + b.width / 2;
  const cy = b.y + b.height / 2;
  let candidates: string[];
  if (key === 'ArrowDown' || key === 'ArrowUp') {
    candidates = diagram.neighbours(current, key === 'ArrowDown' ? 'out' : 'in');
  } else {
    const dir = key === 'ArrowRight' ? 1 : -1;
    const side = diagram.visibleBoxes().filter(([id, o]) => id !== current && (o.x + o.width / 2 - cx) * dir > 1);
    const sameRow = side.filter(([, o]) => Math.abs(o.y + o.height / 2 - cy) < Math.max(b.height, o.height));
    candidates = (sameRow.length ? sameRow : side).map(([id]) => id);
  }
  if (!candidates.length) return;
  const dist = (id: string): number => {
    const o = diagram.box(id)!;
    return Math.hypot(o.x + o.width / 2 - cx, (o.y + o.height / 2 - cy) * (key === 'ArrowLeft' || key === 'ArrowRight' ? 3 : 0.2));
  };
  candidates.sort((a, c) => dist(a) - dist(c));
  void select(candidates[0], { post: true, reveal: true });
}

document.addEventListener('keydown', (e) => {
  const target = e.target as HTMLElement;
  const typing = !!target.closest?.('vscode-textfield, input, textarea, vscode-single-select');
  if (typing || e.altKey || e.metaKey) return;
  if ((e.ctrlKey && e.key === 'f') || (!e.ctrlKey && e.key === '/')) {
    e.preventDefault();
    search.focus();
    return;
  }
  if (e.ctrlKey || tab !== 'diagram') return;
  const onControl = !!target.closest?.('vscode-button, button, a, vscode-checkbox, th');
  switch (e.key) {
    case 'f': case 'F': diagram.fit(); break;
    case '+': case '=': diagram.zoomBy(1.25); break;
    case '-': case '_': diagram.zoomBy(0.8); break;
    case '0': diagram.fit(); break;
    case 'ArrowUp': case 'ArrowDown': case 'ArrowLeft': case 'ArrowRight':
      if (onControl) return;
      navigate(e.key);
      break;
    case 'Enter': case ' ':
      if (onControl || !selected || !view) return;
      if (view.groups.has(selected)) void toggleGroup(selected);
      else if (e.key === 'Enter') {
        const g = view.groupOf.get(selected);
        if (g && visibleRep(selected) !== selected) void toggleGroup(visibleRep(selected));
      }
      break;
    case 'Escape':
      if (query) {
        search.value = '';
        runSearch('');
      } else void select(null, { post: true, reveal: false });
      break;
    default:
      return;
  }
  e.preventDefault();
});

// ---------- toolbar ----------
// The summary table (a row per layer) is built when first shown: on a 10,000-layer model building it
// cost as much as the diagram's first paint.
let tableFor: ModelView | null = null;
function ensureTable(): void {
  if (!view || tableFor === view) return;
  table.render(view);
  tableFor = view;
  table.select(selected && view.layers.has(selected) ? selected : null);
}

function setTab(t: 'diagram' | 'table'): void {
  tab = t;
  if (t === 'table') ensureTable();
  tabDiagram.setAttribute('aria-selected', String(t === 'diagram'));
  tabTable.setAttribute('aria-selected', String(t === 'table'));
  diagramView.hidden = t !== 'diagram';
  tableView.hidden = t !== 'table';
  for (const el of toolbar.querySelectorAll<HTMLElement>('.diagram-only')) el.hidden = t !== 'diagram';
  if (t === 'table' && selected) table.select(selected);
  persist();
}
tabDiagram.addEventListener('click', () => setTab('diagram'));
tabTable.addEventListener('click', () => setTab('table'));
heatSelect.addEventListener('change', () => {
  heat = (heatSelect.value as HeatMode) || 'none';
  updateLegend();
  persist();
});
edgeToggle.addEventListener('change', () => {
  edgeLabels = edgeToggle.checked;
  diagram.setEdgeLabels(edgeLabels);
  persist();
});
expandAll.addEventListener('click', () => {
  collapsed.clear();
  persist();
  void relayout().then(() => diagram.fit());
});
collapseAll.addEventListener('click', () => {
  if (!view) return;
  collapsed = new Set(view.groups.keys());
  persist();
  void relayout().then(() => diagram.fit());
});
zoomIn.addEventListener('click', () => diagram.zoomBy(1.25));
zoomOut.addEventListener('click', () => diagram.zoomBy(0.8));
fitBtn.addEventListener('click', () => diagram.fit());

async function doExport(format: 'svg' | 'png'): Promise<void> {
  if (!view) return;
  // Big graphs keep only the part near the viewport drawn; an export wants all of it.
  await diagram.withEverythingShown(() => exportNow(format));
}

async function exportNow(format: 'svg' | 'png'): Promise<void> {
  if (!view) return;
  const box = diagram.svg.querySelector<SVGGElement>('.viewport')!.getBBox();
  const bounds = { width: Math.max(box.x + box.width, 1), height: Math.max(box.y + box.height, 1) };
  const text = exportSvg(diagram.svg, bounds);
  const base = (view.report.model.name || 'model').replace(/[^\w.-]+/g, '_');
  const w = Math.ceil(bounds.width + 32);
  const hh = Math.ceil(bounds.height + 32);
  if (format === 'svg') {
    if (host.inVsCode) host.post({ type: 'export', format, fileName: `${base}.svg`, data: text });
    else download(`${base}.svg`, text, 'image/svg+xml');
  } else {
    const png = await svgToPng(text, w, hh);
    if (host.inVsCode) host.post({ type: 'export', format, fileName: `${base}.png`, data: png });
    else download(`${base}.png`, png, 'image/png');
  }
}
exportSvgBtn.addEventListener('click', () => void doExport('svg'));
exportPngBtn.addEventListener('click', () => void doExport('png').catch((err) => setStatus(`PNG export failed: ${err}`)));

// ---------- messages ----------
function loadModel(report: ModelReport, newUri: string): void {
  mark('model-received');
  const sameDoc = !!view && newUri === uri;
  view = buildModelView(report);
  const restoring = !sameDoc && saved?.uri === newUri && !!saved.collapsed;
  if (sameDoc) {
    for (const g of [...collapsed]) if (!view.groups.has(g)) collapsed.delete(g);
  } else if (restoring) {
    collapsed = new Set(saved!.collapsed!.filter((g) => view!.groups.has(g)));
    selected = saved!.selected ?? null;
  } else {
    collapsed = defaultCollapsed(view);
    selected = null;
    firstDraw = true;
  }
  uri = newUri;
  titleName.textContent = report.model.name || 'Model';
  titleName.title = newUri;
  titleFormat.textContent = report.model.format;
  titleFormat.hidden = !report.model.format;
  renderTotals();
  tableFor = null;
  if (tab === 'table') ensureTable();
  runSearch(search.value ?? '');
  void select(selected && (view.layers.has(selected) || view.groups.has(selected)) ? selected : null, { post: false, reveal: false });
  persist();
  void relayout();
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const msg = event.data;
  if (!msg || typeof msg !== 'object') return;
  switch (msg.type) {
    case 'model':
      if (msg.version !== PROTOCOL_VERSION) {
        setStatus(`This view speaks protocol ${PROTOCOL_VERSION} but the extension sent ${msg.version}: reload the window.`);
        return;
      }
      loadModel(msg.report, msg.uri);
      break;
    case 'select':
      void select(msg.node, { post: false, reveal: true, expand: true });
      break;
  }
});

setTab(tab);
heatSelect.value = heat;
renderInspector(inspector, null, null, { select: () => {}, reveal: () => {}, toggle: () => {} });

// The standalone page embeds its model; VS Code posts one after `ready`.
const embedded = document.getElementById('cnn-lens-initial');
const initial = (window as unknown as { __CNN_LENS_INITIAL__?: ModelReport }).__CNN_LENS_INITIAL__ ?? (embedded?.textContent ? (JSON.parse(embedded.textContent) as ModelReport) : undefined);
if (initial) loadModel(initial, embedded?.dataset.uri ?? `standalone:${initial.model.name}`);

// For tests and debugging.
(window as unknown as { __cnnLens: unknown }).__cnnLens = {
  get selected() { return selected; },
  get collapsed() { return [...collapsed]; },
  drawnLayerCount: () => diagram.drawnLayerCount(),
  layerCount: () => view?.layers.size ?? 0,
  lastLayout: () => ({ ...lastLayout }),
  reveal: (id: string) => diagram.reveal(view?.layers.has(id) ? visibleRep(id) : id, false),
};

host.post({ type: 'ready', version: PROTOCOL_VERSION });
