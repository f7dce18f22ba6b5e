// The diagram webview's entry: receives the host's ModelReport, lays it out in a worker, draws it, and
// lets the user explore it (pan, zoom, search, keyboard navigation, inspector, summary table, export).
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import type { ModelReport } from '../src/core/analysis/report-types';
import { bytes, grouped, human } from '../src/core/analysis/units';
import { atLeast, atLeastGrouped, runtimeWeightsText, storedWeightsText, unknownNote, unknownsOf } from '../src/core/analysis/totals-text';
import { Diagram, type HeatMode } from './diagram';
import { dims, h } from './dom';
import { fromElk, toElk, type ElkNode, type LaidOut } from './elk-graph';
import { LayoutMemory, steadiest } from './layout-memory';
import { LazyLayout, LAZY_LAYOUT_MIN_LAYERS } from './lazy-layout';
import { EdgeDrag, type Verdict } from './edge-drag';
import { download, exportSvg, svgToPng, type ExportLegend } from './export';
import { connectHost, LayoutClient } from './host';
import { startModelRuns } from './run/client';
import { Banner, changeText, ContextMenu, diffReports, insertedName, opItems, QuickPick, signed, signedHuman, sourceItems, type ReportDelta } from './edit-ui';
import { layerActions, renderInspector, type Activations, type InspectorEditing, type LayerAction } from './inspector';
import { ancestors, blockKey, buildModelView, defaultCollapsed, visibleGraph, type ModelView } from './model';
import { PROTOCOL_VERSION, type HostMessage, type InputShapes, type OpCatalogEntry } from '../shared/protocol';
import type { ModelEdit } from '../src/core/edit/types';
import type { TensorShape } from '../src/core/ir';
import { SummaryTable } from './table';
import { WidthKnob } from './width-knob';
import { InputShapeControl } from './input-shape';
import { NodeThumbnails, withThumbnailRoom } from './thumbnails';
import { OverflowMenu } from './overflow-menu';
import { fileProblems, hasNothingToDraw } from './file-problems';
import { searchLayers } from './layer-search';
import { InspectorPanel } from './inspector-panel';

interface SavedState { uri?: string; collapsed?: string[]; selected?: string | null; heat?: HeatMode; edgeLabels?: boolean; thumbnails?: boolean; tab?: 'diagram' | 'table'; legendFolded?: boolean }

const root = document.getElementById('cnn-lens') ?? document.body;
const script = document.currentScript as HTMLScriptElement | null;
const workerUrl = root.dataset.workerSrc ?? script?.dataset.workerSrc;

const host = connectHost();
const layout = new LayoutClient(workerUrl);
/** A second layout worker, started when editing is enabled: after an edit it lays out the fresh
 * candidate while the first lays out the seeded one (layout-memory.ts), so that the two cost one. */
let spareLayout: LayoutClient | null = null;
// `run` requests from the host (cnnLens.backend webgpu/webgl): TensorFlow.js loads on the first one.
startModelRuns(host, root.dataset.runSrc ?? script?.dataset.runSrc);

// ---------- state ----------
let view: ModelView | null = null;
/** What the inspector last showed. */
let inspected: { view: ModelView | null; id: string | null } = { view: null, id: null };

let uri = '';
let collapsed = new Set<string>();
let selected: string | null = null;
let heat: HeatMode = 'none';
let edgeLabels = false;
let tab: 'diagram' | 'table' = 'diagram';
let legendFolded = false;
let query = '';
let matches: string[] = [];
let matchIndex = -1;
let layoutSeq = 0;
let firstDraw = true;
// Editing: the host's op catalog (absent: the view is read-only), edits in flight, and what to do when
// the edited model comes back.
let catalog: Map<string, OpCatalogEntry> | null = null;
let editSeq = 0;
const pendingEdits = new Map<number, { edit: ModelEdit; fallback?: string }>();
/** Select this layer once it exists (an inserted or renamed layer arrives with the next model). */
let pendingFocus: string | null = null;
/** Old name → new name of the last rename, so its numbers are compared with its old self. */
let renamedTo = new Map<string, string>();
let renaming: string | null = null;
/** The item to keep under the eye across the next relayout, at this screen position. */
let keepPlace: { id: string; x: number; y: number } | null = null;
/** The last layout, to keep nodes where they were when the model changes under them. */
const layoutMemory = new LayoutMemory();
/** Big models' layout, level by level, with a cache of the levels (lazy-layout.ts). */
const lazyLayout = new LazyLayout((g) => layout.layout(g));
/** The next layout follows an edit of the model: seed ELK with the last one. */
let edited = false;
let pendingFlash: ReadonlyMap<string, string> | null = null;
/** The format's name when the host cannot edit it (the `model` message's readOnly). */
let readOnly: string | undefined;
/** An `analyzeAt` was posted: the next model is its answer, whose errors the banner says. */
let awaitingAnalysis = false;
const saved = host.getState<SavedState>();
if (saved) {
  heat = saved.heat ?? heat;
  edgeLabels = saved.edgeLabels ?? edgeLabels;
  tab = saved.tab ?? tab;
  legendFolded = saved.legendFolded ?? legendFolded;
}

// ---------- DOM ----------
const app = h('div', { id: 'app' });
const titleName = h('span', { class: 'name' }, 'CNN Lens');
const titleFormat = h('span', { class: 'badge', hidden: true });
/** Shown for formats CNN Lens cannot edit: the host then sends no op catalog, so no editing control appears. */
const readOnlyBadge = h('span', { class: 'badge', hidden: true, 'data-testid': 'read-only' });
const tabDiagram = h('button', { role: 'tab', 'aria-selected': 'true', 'data-tab': 'diagram' }, 'Diagram');
const tabTable = h('button', { role: 'tab', 'aria-selected': 'false', 'data-tab': 'table' }, 'Summary');
const search = h('vscode-textfield', { placeholder: 'Search layers…', title: 'Search layer names; type:Conv2D filters by type', 'aria-label': 'Search layer names (type: followed by a type filters by type)', type: 'search' }) as HTMLElement & { value: string };
const matchCount = h('span', { class: 'match-count', 'aria-live': 'polite' });
const heatSelect = h('vscode-single-select', { 'aria-label': 'Heat overlay' },
  h('vscode-option', { value: 'none' }, 'No overlay'),
  h('vscode-option', { value: 'macs' }, 'Heat: MACs'),
  h('vscode-option', { value: 'params' }, 'Heat: params'),
  h('vscode-option', { value: 'latency' }, 'Heat: latency (profile)')) as HTMLElement & { value: string };
/** Activation thumbnails on the nodes: shown after a run unless turned off; nodes grow for them, so toggling lays out again. */
const thumbs = new NodeThumbnails(saved?.thumbnails ?? true, () => {
  persist();
  void relayout();
});
const btn = (text: string, title: string, action: string, extra: Record<string, string | boolean> = {}): HTMLElement =>
  h('vscode-button', { secondary: true, title, 'aria-label': title, 'data-action': action, ...extra }, text);
const zoomOut = btn('−', 'Zoom out (-)', 'zoom-out', { class: 'icon' });
const zoomIn = btn('+', 'Zoom in (+)', 'zoom-in', { class: 'icon' });
const fitBtn = btn('Fit', 'Fit at a readable zoom (f); Fit all is in ⋯ (Shift+F)', 'fit');
const HEAT_CHOICES: readonly [HeatMode, string][] = [['none', 'No overlay'], ['macs', 'Heat: MACs'], ['params', 'Heat: params'], ['latency', 'Heat: latency (profile)']];
/** The rarely used commands; the heat overlay joins them where the toolbar has no room for its select. */
const more = new OverflowMenu('More actions', [
  ...HEAT_CHOICES.map(([mode, label]) => ({
    id: `heat-${mode}`, label, kind: 'radio' as const, className: 'narrow-only', checked: () => heat === mode,
    run: () => setHeat(mode),
  })),
  'narrow-separator',
  { id: 'edge-shapes', label: 'Edge shapes', kind: 'checkbox', checked: () => edgeLabels, run: () => setEdgeLabels(!edgeLabels) },
  { id: 'thumbnails', label: 'Activations', kind: 'checkbox', checked: () => thumbs.on, visible: () => !thumbs.toggle.hidden, run: () => { thumbs.toggle.checked = !thumbs.on; thumbs.toggle.dispatchEvent(new Event('change')); } },
  'separator',
  { id: 'expand-all', label: 'Expand all blocks', run: () => expandEverything() },
  { id: 'collapse-all', label: 'Collapse all blocks', run: () => collapseEverything() },
  { id: 'fit-all', label: 'Fit all (Shift+F)', run: () => diagram.fitAll() },
  'separator',
  { id: 'export-svg', label: 'Export as SVG…', run: () => void doExport('svg') },
  { id: 'export-png', label: 'Export as PNG…', run: () => void doExport('png').catch((err) => setStatus(`PNG export failed: ${err}`)) },
]);
type NumField = HTMLElement & { value: string; invalid: boolean };
const inputH = h('vscode-textfield', { type: 'number', min: 1, step: 1, class: 'size', 'aria-label': 'Input height', title: 'Input height', 'data-testid': 'input-h' }) as NumField;
const inputW = h('vscode-textfield', { type: 'number', min: 1, step: 1, class: 'size', 'aria-label': 'Input width', title: 'Input width', 'data-testid': 'input-w' }) as NumField;
const inputSize = h('div', { class: 'group input-size diagram-only', role: 'group', 'aria-label': 'Input size', hidden: true },
  h('span', { class: 'inline-label' }, 'Input'), inputH, h('span', { class: 'times' }, '×'), inputW);
/** Read-only models: the shape this panel analyses at (the host re-analyses; the file stays as it is). */
const inputShape = new InputShapeControl((shapes) => {
  awaitingAnalysis = true;
  host.post({ type: 'analyzeAt', inputShape: shapes });
});
const widthKnob = new WidthKnob(
  (factor) => sendEdit({ kind: 'scaleWidth', factor }, `Could not scale the widths by α = ${factor}`),
  (message) => banner.show('error', message, [], 5000),
);

/**
 * The whole-model knobs (input size, width α, a read-only model's input shape) join here when they
 * apply: a bar of their own under the toolbar, so the toolbar keeps one row at every width.
 */
const knobs = h('div', { class: 'group knobs' });
const modelBar = h('div', { class: 'model-bar diagram-only', role: 'group', 'aria-label': 'Model input' }, knobs);
const toolbar = h('header', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Diagram tools' },
  h('div', { class: 'title' }, titleName, titleFormat, readOnlyBadge),
  h('div', { class: 'view-tabs', role: 'tablist' }, tabDiagram, tabTable),
  h('div', { class: 'group search' }, search, matchCount),
  h('div', { class: 'spacer' }),
  h('div', { class: 'group diagram-only heat-group' }, heatSelect, thumbs.toggle),
  h('div', { class: 'group diagram-only', role: 'group', 'aria-label': 'Zoom' }, zoomOut, zoomIn, fitBtn),
  more.button,
);

const diagramView = h('div', { class: 'view diagram-view' });
const tableView = h('div', { class: 'view table-view', hidden: true });
const status = h('div', { class: 'status' }, 'Waiting for a model…');
const legend = h('div', { class: 'legend', hidden: true });
const families = h('div', { class: 'families', 'data-testid': 'families-legend' });
const zoomReadout = h('div', { class: 'zoom-readout' });
const tooltip = h('div', { class: 'tooltip', hidden: true, role: 'tooltip' });
/** Legends and badges sit in a strip under the drawing, never over a node or the totals; the strip folds. */
const legendFold = h('button', { class: 'legend-fold', type: 'button', 'aria-expanded': 'true', 'aria-controls': 'cl-legend-body', 'data-testid': 'legend-fold', title: 'Hide the legend' }, h('span', { class: 'chev', 'aria-hidden': 'true' }), 'Legend');
const legendBody = h('div', { class: 'legend-body', id: 'cl-legend-body' });
const legendBar = h('div', { class: 'legend-bar', role: 'region', 'aria-label': 'Legend', 'data-testid': 'legend-bar' }, legendFold, legendBody, zoomReadout);
const stage = h('div', { class: 'stage' }, diagramView, tableView, status);
const banner = new Banner(stage);
const quickPick = new QuickPick(stage);
const menu = new ContextMenu(stage);
legendBody.append(families, legend, thumbs.badge);
diagramView.append(legendBar, tooltip);
const inspector = h('aside', { class: 'inspector', 'aria-label': 'Layer inspector' });
const main = h('div', { class: 'main' }, stage);
const panel = new InspectorPanel(main, inspector, (layout) => host.post({ type: 'panelLayout', inspector: layout }), () => keepSelectionInView());
main.append(panel.splitter, panel.el);
toolbar.insertBefore(panel.toggle, more.button);
const totals = h('footer', { class: 'totals', 'aria-label': 'Model totals' });
const topBars = h('div', { class: 'top-bars' }, toolbar, modelBar);
app.append(topBars, main, totals);
root.append(app);

for (const [fam, name] of [['conv', 'Conv'], ['dense', 'Dense'], ['pool', 'Pool'], ['norm', 'Norm'], ['activation', 'Activation'], ['merge', 'Merge'], ['reshape', 'Other']]) {
  families.append(h('span', { class: `fam-${fam}` }, h('i'), name));
}

const diagram = new Diagram(diagramView, {
  select: (id) => select(id, { post: true, reveal: false }),
  toggle: (g) => toggleGroup(g),
  hover: (id, x, y) => showTooltip(id, x, y),
  contextMenu: (id, x, y) => void openMenu(id, x, y),
});
diagramView.insertBefore(diagram.svg, legendBar);
const edgeDrag = new EdgeDrag(diagram.svg, {
  view: () => (catalog ? view : null),
  toGraph: (x, y) => diagram.toGraph(x, y),
  box: (id) => diagram.box(id),
  portAt: (target, x, y) => diagram.portAt(target, x, y),
  check: (edit) => checkEdit(edit),
  commit: (edit) => {
    if (edit.kind === 'connect') sendEdit(edit, `Could not connect ${edit.from} to ${edit.layer}`);
  },
  refuse: (message) => banner.show('error', message, [], 0),
  started: () => (tooltip.hidden = true),
});
diagram.onZoom = (k) => (zoomReadout.textContent = `${Math.round(k * 100)}%`);
diagram.setEdgeLabels(edgeLabels);

const table = new SummaryTable(tableView, (id) => select(id, { post: true, reveal: true }));

// ---------- rendering ----------
function setStatus(text: string | HTMLElement | null): void {
  status.hidden = text === null;
  status.classList.toggle('has-problems', text instanceof HTMLElement);
  status.replaceChildren(text ?? '');
}

function persist(): void {
  host.setState({ uri, collapsed: [...collapsed], selected, heat, edgeLabels, thumbnails: thumbs.on, tab, legendFolded } satisfies SavedState);
}

// Performance marks (cheap; read by bench/diagram.ts): model received → layout requested → layout done
// → SVG rendered → painted (double requestAnimationFrame after the first draw of a model).
const mark = (name: string): void => void performance.mark(`cnn-lens:${name}`);
/** The last layout's figures: visible nodes and edges, ELK's own time in the worker, round trip. */
const lastLayout = { nodes: 0, edges: 0, elkMs: NaN, roundTripMs: NaN, renderMs: NaN, how: 'fresh' as 'fresh' | 'seeded' | 'reused' | 'levels', levelsRun: 0, levelsStretched: 0, levels: 0 };

async function relayout(): Promise<void> {
  if (!view) return;
  const v = view;
  const seq = ++layoutSeq;
  // Nothing to lay out (not a model, a format not read yet): the reason, in place of a drawing.
  document.body.toggleAttribute('data-nothing-to-draw', hasNothingToDraw(v.report));
  if (hasNothingToDraw(v.report)) {
    setStatus(fileProblems(v.report));
    document.body.dataset.state = 'ready';
    return;
  }
  const painting = firstDraw;
  document.body.dataset.state = 'layout';
  const graph = visibleGraph(v, collapsed);
  const room = thumbs.room;
  const size = (id: string, kind: 'layer' | 'group') => withThumbnailRoom(diagram.size(v, id, kind), room);
  const lazy = v.layers.size > LAZY_LAYOUT_MIN_LAYERS;
  const elk = lazy ? null : toElk(graph, { size });
  if (firstDraw) setStatus(`Laying out ${v.layers.size} layers…`);
  const plan = elk ? layoutMemory.plan(graph, elk, edited) : null;
  edited = false;
  let laid: LaidOut;
  try {
    mark('layout-requested');
    const t0 = performance.now();
    if (!plan) {
      // A big model: one level of the hierarchy at a time, the unchanged levels from the cache.
      const r = await lazyLayout.layout(graph, size);
      laid = r.laid;
      if (seq === layoutSeq) {
        mark('layout-done');
        Object.assign(lastLayout, { nodes: graph.nodes.length, edges: graph.edges.length, elkMs: r.elkMs, roundTripMs: performance.now() - t0, how: 'levels', levelsRun: r.levelsRun, levelsStretched: r.levelsStretched, levels: r.levels });
      }
    } else {
      const results = 'reuse' in plan ? [] : await Promise.all(plan.requests.map((r, i) => (i > 0 && spareLayout ? spareLayout : layout).layout<ElkNode & { elkMs?: number }>(r)));
      const picked = 'reuse' in plan ? { laid: plan.reuse, index: -1 } : layoutMemory.pick(results.map(fromElk), graph, keepPlace ? graph.rep.get(keepPlace.id) : undefined);
      laid = picked.laid;
      if (seq === layoutSeq) {
        mark('layout-done');
        const how = 'reuse' in plan ? 'reused' : plan.seeded && picked.index === 0 ? 'seeded' : 'fresh';
        Object.assign(lastLayout, { nodes: graph.nodes.length, edges: graph.edges.length, elkMs: results.reduce((t, r) => t + (r.elkMs ?? NaN), 0), roundTripMs: performance.now() - t0, how });
      }
    }
  } catch (err) {
    if (seq === layoutSeq) {
      setStatus(`Layout failed: ${err instanceof Error ? err.message : String(err)}`);
      document.body.dataset.state = 'error';
    }
    return;
  }
  if (seq !== layoutSeq || v !== view) return;
  setStatus(v.layers.size === 0 ? 'This model has no layers.' : null);
  // Without a node to keep under the eye, keep the one that moved as most did (ELK may shift the drawing).
  const steady = !firstDraw && diagram.laidOut ? steadiest(diagram.laidOut, laid, graph.nodes.filter((n) => n.kind !== 'container').map((n) => n.id)) : null;
  const steadyAt = steady ? diagram.screenOf(steady) : null;
  if (elk) layoutMemory.remember(graph, elk, laid);
  const r0 = performance.now();
  diagram.thumbRoom = room;
  diagram.cullAlways = lazy;
  diagram.render(v, graph, laid, heat);
  tooltip.hidden = true; // it spoke of the node under the pointer before the drawing moved
  thumbs.paint(diagram, v);
  updateLegend();
  highlightSelection();
  diagram.setMatches(query ? new Set(matches.map((m) => graph.rep.get(m)!)) : null);
  if (firstDraw) {
    diagram.initialView();
    firstDraw = false;
  } else {
    const k = keepPlace;
    const id = k && (graph.rep.get(k.id) ?? (v.groups.has(k.id) ? k.id : null));
    if (k && id) diagram.keepAt(id, k.x, k.y);
    else if (steady && steadyAt) diagram.keepAt(steady, steadyAt.x, steadyAt.y);
  }
  keepPlace = null;
  if (pendingFlash) {
    const byRep = new Map<string, string>();
    for (const [layer, text] of pendingFlash) {
      const rep = graph.rep.get(layer);
      if (rep && !byRep.has(rep)) byRep.set(rep, rep === layer ? text : '');
    }
    diagram.flash(byRep);
    pendingFlash = null;
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
    h('div', { class: 'title' }, heat === 'macs' ? 'MACs per node' : heat === 'latency' ? (diagram.latency.size ? 'Latency per node (ms, last profile)' : 'Latency: run “CNN Lens: Profile Model” first') : 'Parameters per node'),
    h('div', { class: 'ramp' }),
    heat === 'latency'
      ? h('div', { class: 'ends' }, h('span', {}, '0'), h('span', {}, (info.max / 4).toFixed(2)), h('span', {}, `${info.max.toFixed(2)} ms`))
      : h('div', { class: 'ends' }, h('span', {}, '0'), h('span', {}, human(info.max / 4, 1)), h('span', {}, human(info.max, 1))),
    h('div', {}, 'square-root scale'),
  );
}

let totalsTimer = 0;
function renderTotals(delta?: ReportDelta): void {
  if (!view || hasNothingToDraw(view.report)) return totals.replaceChildren();
  const t = view.report.totals;
  const errors = view.report.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = view.report.diagnostics.filter((d) => d.severity === 'warning').length;
  const moved = (key: string): boolean => !!delta && (key === 'params' ? delta.totals.params !== 0 : key === 'trainable' ? delta.totals.trainable !== 0 : key === 'macs' ? !!delta.totals.macs : key === 'flops' ? !!delta.totals.flops : false);
  const item = (label: string, value: string, title?: string): HTMLElement => h('span', { title, 'data-total': label.toLowerCase() }, `${label} `, h('b', { class: moved(label.toLowerCase()) ? 'flash' : '' }, value));
  const chips = deltaChips(delta);
  // Totals that leave layers out are lower bounds and say so (src/core/analysis/totals-text.ts, as the CLI and the editor say them).
  const u = unknownsOf(view.report);
  const costs = u.layers.length > 0;
  const leftOut = costs ? ` (${unknownNote(u)}: ${u.layers.slice(0, 8).join(', ')}${u.layers.length > 8 ? ', …' : ''})` : '';
  const runtime = runtimeWeightsText(view.report);
  totals.replaceChildren(
    item('Params', atLeast(human(t.params), u.params), t.params === null ? undefined : `${atLeastGrouped(t.params, u.params)} parameters${u.params ? leftOut : ''}`),
    item('Trainable', atLeast(human(t.trainableParams), u.params), t.trainableParams === null ? undefined : atLeastGrouped(t.trainableParams, u.params)),
    item('MACs', atLeast(human(t.macs), costs), t.macs === null ? undefined : `${atLeastGrouped(t.macs, costs)}${leftOut}`),
    item('FLOPs', atLeast(human(t.flops), costs), t.flops === null ? undefined : `${atLeastGrouped(t.flops, costs)}${leftOut}`),
    item('Weights', storedWeightsText(view.report, u.params), runtime ? `As stored; ${runtime}` : 'As stored'),
    item('Activations', atLeast(bytes(t.activationBytes), costs), 'All layer outputs, float32'),
    ...(costs ? [h('span', { class: 'unknown-note', 'data-total': 'unknown', title: `Not counted in the totals: ${u.layers.join(', ')}` }, unknownNote(u))] : []),
    ...(chips ? [chips] : []),
    h('span', { class: 'right' }, h('b', {}, String(view.layers.size)), ' layers · ', h('b', {}, String(view.groups.size)), ' blocks'),
    h('span', { class: `problems${errors + warnings ? ' has' : ''}` }, h('b', {}, String(errors)), ' errors · ', h('b', {}, String(warnings)), ' warnings'),
  );
}

/** The totals' changes after an edit, for a moment: `params −590,080`, `MACs −1.85G`. */
function deltaChips(delta?: ReportDelta): HTMLElement | null {
  clearTimeout(totalsTimer);
  if (!delta) return null;
  const d = delta.totals;
  const chip = (key: string, n: number | null, text: (n: number) => string, title: string): HTMLElement | null =>
    n ? h('span', { class: `delta ${n < 0 ? 'minus' : 'plus'}`, 'data-delta': key, title }, text(n)) : null;
  const chips = [
    chip('params', d.params, (n) => `params ${signed(n)}`, 'Change in parameters'),
    chip('macs', d.macs, (n) => `MACs ${signedHuman(n)}`, d.macs === null ? '' : `MACs ${signed(d.macs)}`),
    chip('flops', d.flops, (n) => `FLOPs ${signedHuman(n)}`, d.flops === null ? '' : `FLOPs ${signed(d.flops)}`),
  ].filter((c): c is HTMLElement => !!c);
  if (!chips.length) return null;
  const box = h('span', { class: 'deltas', role: 'status', 'aria-label': 'Change from the edit' }, ...chips);
  totalsTimer = window.setTimeout(() => {
    box.remove();
    for (const b of totals.querySelectorAll('b.flash')) b.classList.remove('flash');
  }, 2600);
  return box;
}

function highlightSelection(): void {
  if (!view) return;
  const rep = selected ? (view.layers.has(selected) ? visibleRep(selected) : selected) : null;
  diagram.setSelection(rep);
}

/** After the drawing's room changed (the inspector shown, hidden or resized): the selected node stays in sight. */
let keepingInView = 0;
function keepSelectionInView(): void {
  cancelAnimationFrame(keepingInView);
  keepingInView = requestAnimationFrame(() => {
    if (view && selected && tab === 'diagram') diagram.reveal(view.layers.has(selected) ? visibleRep(selected) : selected, false);
  });
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
  if (id !== selected) renaming = null;
  selected = id;
  // The host echoes a selection back when revealing it moves the text cursor: re-rendering the
  // inspector for the same layer of the same model would throw away what the user is typing in it.
  if (inspected.view !== view || inspected.id !== id) {
    renderInspectorNow();
    table.select(id && view.layers.has(id) ? id : null);
  }
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

/** The latest activation previews from the host (an image run through the model), if any. */
let activations: Activations | undefined;

function renderInspectorNow(): void {
  inspected = { view, id: selected };
  renderInspector(inspector, view, selected, {
    select: (other) => select(other, { post: true, reveal: true, expand: true }),
    reveal: (layer) => host.post({ type: 'reveal', node: layer }),
    toggle: (g) => toggleGroup(g),
  }, editing(), activations);
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
    rows.push(['Output', dims(g.outputShape)], ['Params', grouped(g.params)], ['MACs', human(g.macs)], ['', 'Click ▶ or double-click to expand']);
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
  matches = searchLayers(view.report.layers, query);
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
  let current = selected ? (view.layers.has(selected) ? visibleRep(selected) : selected) : null;
  // An expanded block (selected as it was opened): move from its first layer inside, Down to that layer.
  const opened = current && !diagram.has(current) ? view.groups.get(current) : undefined;
  if (current && opened?.allLayers.length) {
    const entry = visibleRep(opened.allLayers[0]);
    if (diagram.has(entry)) {
      if (key === 'ArrowDown') return void select(entry, { post: true, reveal: true });
      current = entry;
    }
  }
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
  if (!e.ctrlKey && (e.key === 'i' || e.key === 'I')) {
    e.preventDefault();
    panel.setHidden(!panel.isHidden, true);
    return;
  }
  if (e.ctrlKey || tab !== 'diagram') return;
  const onControl = !!target.closest?.('vscode-button, button, a, vscode-checkbox, th');
  switch (e.key) {
    case 'f': diagram.fit(); break;
    case 'F': diagram.fitAll(); break;
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
    case 'Delete':
      if (onControl || !catalog || !selected || !view?.layers.has(selected)) return;
      layerAction('delete', selected);
      break;
    case 'F2':
      if (!catalog || !selected || !view?.layers.has(selected)) return;
      layerAction('rename', selected);
      break;
    case 'ContextMenu':
      if (!selected) return;
      void openMenuAtNode(selected);
      break;
    case 'F10':
      if (!e.shiftKey || !selected) return;
      void openMenuAtNode(selected);
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
  quickPick.close(null);
  menu.close(null);
  more.close(false);
  if (t === 'table') ensureTable();
  tabDiagram.setAttribute('aria-selected', String(t === 'diagram'));
  tabTable.setAttribute('aria-selected', String(t === 'table'));
  diagramView.hidden = t !== 'diagram';
  tableView.hidden = t !== 'table';
  for (const el of topBars.querySelectorAll<HTMLElement>('.diagram-only')) el.hidden = t !== 'diagram';
  renderInputSize();
  if (t === 'table' && selected) table.select(selected);
  persist();
}
tabDiagram.addEventListener('click', () => setTab('diagram'));
tabTable.addEventListener('click', () => setTab('table'));
function setHeat(mode: HeatMode): void {
  heat = mode;
  if (heatSelect.value !== mode) heatSelect.value = mode;
  updateLegend();
  persist();
}
heatSelect.addEventListener('change', () => setHeat((heatSelect.value as HeatMode) || 'none'));
function setEdgeLabels(on: boolean): void {
  edgeLabels = on;
  diagram.setEdgeLabels(edgeLabels);
  persist();
}
function expandEverything(): void {
  collapsed.clear();
  persist();
  void relayout().then(() => diagram.fit());
}
function collapseEverything(): void {
  if (!view) return;
  collapsed = new Set(view.groups.keys());
  persist();
  void relayout().then(() => diagram.fit());
}
function setLegendFolded(folded: boolean): void {
  legendFolded = folded;
  legendBody.hidden = folded;
  legendBar.classList.toggle('folded', folded);
  legendFold.setAttribute('aria-expanded', String(!folded));
  legendFold.title = folded ? 'Show the legend' : 'Hide the legend';
  persist();
}
legendFold.addEventListener('click', () => setLegendFolded(!legendFolded));
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
  // A clean picture: no search dimming, no selection halo or hot edges, no tooltip; put back after.
  tooltip.hidden = true;
  diagram.setMatches(null);
  diagram.setSelection(null);
  let out: ReturnType<typeof exportSvg>;
  try {
    const box = diagram.svg.querySelector<SVGGElement>('.viewport')!.getBBox();
    const bounds = { width: Math.max(box.x + box.width, 1), height: Math.max(box.y + box.height, 1) };
    out = exportSvg(diagram.svg, bounds, exportLegend());
  } finally {
    highlightSelection();
    if (query) diagram.setMatches(new Set(matches.map(visibleRep)));
  }
  const base = (view.report.model.name || 'model').replace(/[^\w.-]+/g, '_');
  if (format === 'svg') {
    if (host.inVsCode) host.post({ type: 'export', format, fileName: `${base}.svg`, data: out.text });
    else download(`${base}.svg`, out.text, 'image/svg+xml');
  } else {
    const png = await svgToPng(out.text, out.width, out.height);
    if (host.inVsCode) host.post({ type: 'export', format, fileName: `${base}.png`, data: png });
    else download(`${base}.png`, png, 'image/png');
  }
}

/** The legend on screen, for the export: the heat scale of the overlay, or the families' colours. */
function exportLegend(): ExportLegend {
  const color = (el: Element, prop: 'backgroundColor'): string => getComputedStyle(el)[prop];
  if (!legend.hidden) {
    const ramp = legend.querySelector('.ramp');
    const stops = ramp ? getComputedStyle(ramp).backgroundImage.match(/(?:rgba?|color)\([^)]*\)/g) ?? [] : [];
    return {
      kind: 'ramp',
      title: legend.querySelector('.title')?.textContent ?? '',
      stops,
      ends: [...legend.querySelectorAll('.ends span')].map((s) => s.textContent ?? ''),
      note: 'square-root scale',
    };
  }
  return { kind: 'swatches', items: [...families.querySelectorAll('span')].map((s) => ({ label: s.textContent ?? '', color: color(s.querySelector('i')!, 'backgroundColor') })) };
}

// ---------- editing ----------
function editing(): InspectorEditing | undefined {
  if (!catalog || !view) return undefined;
  const cat = catalog;
  return {
    schema: (type) => cat.get(type),
    commit: (layer, attr, value) => sendEdit({ kind: 'setAttribute', layer, attr, value }, `Could not change ${attr} of ${layer}`),
    action: (action, layer, input) => layerAction(action, layer, input),
    renaming,
    checkName: (layer, name) => checkName(layer, name),
    rename: (layer, newName) => {
      renaming = null;
      if (newName) sendEdit({ kind: 'renameLayer', layer, newName }, `Could not rename ${layer}`);
      renderInspectorNow();
      if (!newName) diagram.svg.focus();
    },
    inputShape: (layer, shape) => sendEdit({ kind: 'setInputShape', layer, shape }, 'Could not change the input shape'),
    duplicateBlock: (group) => duplicateBlock(group),
  };
}

function checkName(layer: string, name: string): string | null {
  if (!name) return 'A layer needs a name';
  if (/\s/.test(name)) return 'Names cannot contain spaces';
  if (!/^[A-Za-z0-9_.\-]+$/.test(name)) return 'Use letters, digits, _ . and - only';
  if (name !== layer && view?.layers.has(name)) return `There is already a layer named ${name}`;
  return null;
}

const refusalTitle = new Map<number, string>();
/** Dry runs in flight (`checkEdit`), answered by `editCheck`. */
const checks = new Map<number, (v: Verdict | null) => void>();

/** Asks the host whether an edit would be applied, without applying it; null when no answer comes within 3 s. */
function checkEdit(edit: ModelEdit): Promise<Verdict | null> {
  const id = ++editSeq;
  host.post({ type: 'checkEdit', id, edit });
  return new Promise((resolve) => {
    checks.set(id, resolve);
    setTimeout(() => checks.delete(id) && resolve(null), 3000);
  });
}

/** Posts an edit; the host answers with `editResult` (same id) and, when applied, a new `model`. */
function sendEdit(edit: ModelEdit, refusal: string, fallback?: string): number {
  const id = ++editSeq;
  pendingEdits.set(id, { edit, fallback });
  // The new model may come before the result: know at once which layer a rename is about.
  if (edit.kind === 'renameLayer') renamedTo = new Map([[edit.layer, edit.newName]]);
  refusalTitle.set(id, refusal);
  banner.hide();
  document.body.dataset.editing = 'pending';
  host.post({ type: 'edit', id, edit });
  return id;
}

function onEditResult(msg: Extract<HostMessage, { type: 'editResult' }>): void {
  const p = pendingEdits.get(msg.id);
  const title = refusalTitle.get(msg.id) ?? 'The edit was refused';
  pendingEdits.delete(msg.id);
  refusalTitle.delete(msg.id);
  if (!pendingEdits.size) delete document.body.dataset.editing;
  if (!msg.ok) {
    if (p?.edit.kind === 'renameLayer') renamedTo = new Map();
    banner.show('error', `${title}: ${msg.message ?? 'the host refused the edit'}`, [], 0);
    renderInspectorNow(); // back to the file's values
    return;
  }
  if (msg.problems?.length) banner.show('warning', `Applied, but it breaks ${msg.problems.length === 1 ? 'a layer' : `${msg.problems.length} layers`} downstream (undo with Ctrl+Z):`, msg.problems, 0);
  const focus = msg.focus ?? p?.fallback ?? null;
  if (!focus) return;
  if (view?.layers.has(focus)) {
    if (focus !== selected) void select(focus, { post: true, reveal: true, expand: true });
  } else pendingFocus = focus;
}

async function pickOp(layer: string, position: 'after' | 'before'): Promise<void> {
  tooltip.hidden = true;
  const l = view?.layers.get(layer);
  if (!l || !catalog) return;
  const op = await quickPick.show(`Insert a layer ${position} ${layer}`, 'Type to search layer kinds…', opItems([...catalog.values()], l.type, position));
  if (!op || !view) return;
  const v = view;
  // Named after the anchor, so that it joins the anchor's block and the layout keeps its shape.
  const name = insertedName(layer, op, (n) => v.layers.has(n) || v.layers.has(layer.includes('/') ? `${layer.slice(0, layer.lastIndexOf('/'))}/${n}` : n));
  sendEdit({ kind: 'insertLayer', anchor: layer, position, op, name }, `Could not insert ${op} ${position} ${layer}`);
}

async function pickSource(layer: string, input: number, append: boolean): Promise<void> {
  if (!view) return;
  const l = view.layers.get(layer);
  if (!l) return;
  const shape = l.inputShapes[append ? 0 : input] ?? view.layers.get(l.inputs[append ? 0 : input])?.outputShape ?? null;
  const want = l.family === 'merge' && l.type !== 'Concatenate' && shape ? dims(shape) : null;
  const title = append ? `Add an input to ${layer} from…` : `Feed ${l.inputs.length > 1 ? `input ${input + 1} of ` : ''}${layer} from…`;
  const items = sourceItems(view.report, view.consumers, l, want, append ? [...l.inputs] : [l.inputs[input]].filter(Boolean));
  const from = await quickPick.show(title, 'Type to search layers…', items);
  if (from) sendEdit({ kind: 'connect', layer, input: append ? l.inputs.length : input, from }, `Could not connect ${from} to ${layer}`);
}

function layerAction(action: LayerAction, layer: string, input = 0): void {
  const l = view?.layers.get(layer);
  if (!l || !catalog) return;
  switch (action) {
    case 'insert-after': void pickOp(layer, 'after'); break;
    case 'insert-before': void pickOp(layer, 'before'); break;
    case 'duplicate': sendEdit({ kind: 'duplicateLayer', layer }, `Could not duplicate ${layer}`); break;
    case 'delete': sendEdit({ kind: 'deleteLayer', layer }, `Could not delete ${layer}`, l.inputs[0]); break;
    case 'rename':
      if (selected !== layer) void select(layer, { post: true, reveal: true });
      renaming = layer;
      renderInspectorNow();
      break;
    case 'connect': void pickSource(layer, 0, false); break;
    case 'replace-input': void pickSource(layer, input, false); break;
    case 'add-input': void pickSource(layer, 0, true); break;
  }
}

async function openMenu(id: string, clientX: number, clientY: number): Promise<void> {
  if (!view) return;
  tooltip.hidden = true;
  if (selected !== id) await select(id, { post: true, reveal: false });
  const r = stage.getBoundingClientRect();
  const l = view.layers.get(id);
  const items = l && catalog
    ? [...layerActions(l).map((a) => ({ id: a.action, label: a.label, key: a.key, disabled: a.disabled, danger: a.danger, separator: a.action === 'delete' })), { id: 'reveal', label: 'Reveal in file', separator: true, disabled: !l.range }]
    : view.groups.has(id)
      ? [{ id: 'toggle', label: visibleRep(view.groups.get(id)!.allLayers[0]) === id ? 'Expand block' : 'Collapse block' }, ...(catalog && blockKey(id) ? [{ id: 'duplicate-block', label: 'Duplicate block' }] : [])]
      : l ? [{ id: 'reveal', label: 'Reveal in file', disabled: !l.range }] : [];
  if (!items.length) return;
  const choice = await menu.show(clientX - r.left, clientY - r.top, `Actions for ${id}`, items);
  if (!choice) return;
  if (choice === 'reveal') host.post({ type: 'reveal', node: id });
  else if (choice === 'toggle') void toggleGroup(id);
  else if (choice === 'duplicate-block') duplicateBlock(id);
  else layerAction(choice as LayerAction, id);
}

/** A copy of the block after it (the host refuses blocks whose output shape differs from their input's, and says why). */
function duplicateBlock(group: string): void {
  const block = blockKey(group);
  if (block) sendEdit({ kind: 'duplicateBlock', block }, `Could not duplicate ${view?.groups.get(group)?.name ?? block}`);
}

/** The context menu from the keyboard (the menu key or Shift+F10): opens beside the selected node. */
async function openMenuAtNode(id: string): Promise<void> {
  const rep = view?.layers.has(id) ? visibleRep(id) : id;
  diagram.reveal(rep, false);
  const el = diagram.svg.querySelector(`.node[data-id="${CSS.escape(rep)}"]`);
  const r = el?.getBoundingClientRect();
  if (r) await openMenu(id, r.left + Math.min(r.width, 60), r.bottom);
}

function renderInputSize(): void {
  widthKnob.show(!!catalog && !!view && tab === 'diagram');
  inputShape.show(!catalog && !!readOnly && tab === 'diagram');
  const ins = view?.report.model.inputs ?? [];
  const shape = ins.length === 1 ? ins[0].shape : null;
  inputSize.hidden = !catalog || !shape || shape.length !== 4 || tab !== 'diagram';
  if (inputSize.hidden || !shape) return;
  inputH.value = shape[1] === null ? '' : String(shape[1]);
  inputW.value = shape[2] === null ? '' : String(shape[2]);
  inputH.classList.remove('invalid');
  inputW.classList.remove('invalid');
}

function commitInputSize(): void {
  const ins = view?.report.model.inputs ?? [];
  const shape = ins[0]?.shape;
  if (!shape || shape.length !== 4) return;
  const read = (f: NumField): number | null | undefined => {
    const t = (f.value ?? '').trim();
    if (t === '') return null;
    const n = Number(t);
    return Number.isInteger(n) && n >= 1 ? n : undefined;
  };
  const hh = read(inputH);
  const ww = read(inputW);
  inputH.classList.toggle('invalid', hh === undefined);
  inputW.classList.toggle('invalid', ww === undefined);
  if (hh === undefined || ww === undefined) {
    banner.show('error', 'The input size must be whole numbers ≥ 1 (or empty for any size).', [], 5000);
    return;
  }
  if (hh === shape[1] && ww === shape[2]) return;
  const next: TensorShape = [null, hh, ww, shape[3]]; // the batch stays free, as Keras writes it
  sendEdit({ kind: 'setInputShape', layer: ins[0].name, shape: next }, 'Could not change the input size');
}
for (const f of [inputH, inputW]) {
  f.addEventListener('keydown', (e) => e.key === 'Enter' && (e.preventDefault(), commitInputSize()));
  f.addEventListener('change', commitInputSize);
}

function setCatalog(ops: readonly OpCatalogEntry[]): void {
  catalog = new Map(ops.map((o) => [o.kind, o]));
  spareLayout ??= new LayoutClient(workerUrl);
  // The whole-model knobs join the toolbar only when the host can edit.
  if (!inputSize.isConnected) knobs.append(inputSize, widthKnob.el);
  diagram.editable = true;
  document.body.dataset.editable = 'true';
  renderInputSize();
  renderInspectorNow();
  if (view) void relayout();
}

// ---------- messages ----------
/** After an `analyzeAt`: the errors of the analysis at that shape (a refused shape, an input too small for a kernel). */
function sayAnalysisErrors(report: ModelReport): void {
  awaitingAnalysis = false;
  const errors = report.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) banner.show('error', `At this input shape the analysis reports ${errors.length === 1 ? 'an error' : `${errors.length} errors`}:`, errors.map((d) => d.message), 0);
}

function loadModel(report: ModelReport, newUri: string, format?: string, analyzedAt?: InputShapes): void {
  mark('model-received');
  const sameDoc = !!view && newUri === uri;
  const previous = sameDoc ? view!.report : null;
  if (sameDoc && selected) {
    // Keep the edited (selected) node where it is on screen.
    const rep = view!.layers.has(selected) ? visibleRep(selected) : selected;
    const at = diagram.screenOf(rep);
    const keepId = renamedTo.get(selected) ?? selected;
    if (at) keepPlace = { id: keepId, x: at.x, y: at.y };
  }
  view = buildModelView(report);
  edgeDrag.reset();
  tooltip.hidden = true; // its numbers are the old model's
  let delta: ReportDelta | undefined;
  if (previous && previous !== report) {
    edited = true;
    delta = diffReports(previous, report, renamedTo);
    const renamedBack = new Set(renamedTo.values());
    pendingFlash = new Map([...delta.layers].filter(([name]) => !renamedBack.has(name)).map(([name, c]) => [name, changeText(c)]));
    if (selected && renamedTo.has(selected)) selected = renamedTo.get(selected)!;
  }
  layoutMemory.rename(renamedTo);
  renamedTo = new Map();
  if (pendingFocus && view.layers.has(pendingFocus)) {
    selected = pendingFocus;
    pendingFocus = null;
  }
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
  // Activations belong to the model they were computed on: out of date after an edit (until the
  // host's rerun arrives), gone with another model.
  if (sameDoc) thumbs.markStale();
  else if (activations) {
    activations = undefined;
    thumbs.set(undefined);
  }
  uri = newUri;
  titleName.textContent = report.model.name || 'Model';
  titleName.title = newUri;
  titleFormat.textContent = report.model.format;
  titleFormat.hidden = !report.model.format;
  readOnly = format;
  // The input shape joins the toolbar for read-only models alone: editable ones change the file's (renderInputSize).
  if (readOnly) {
    if (!inputShape.el.isConnected) knobs.prepend(inputShape.el);
    inputShape.render(report, analyzedAt);
  }
  readOnlyBadge.textContent = readOnly ? `read-only (${readOnly})` : '';
  readOnlyBadge.title = readOnly ? `CNN Lens explores ${readOnly} files but does not edit them` : '';
  readOnlyBadge.hidden = !readOnly;
  renderTotals(delta);
  renderInputSize();
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
      loadModel(msg.report, msg.uri, msg.readOnly, msg.analyzedAt);
      if (awaitingAnalysis) sayAnalysisErrors(msg.report);
      break;
    case 'select':
      void select(msg.node, { post: false, reveal: true, expand: true });
      break;
    case 'panelLayout':
      panel.restore(msg.inspector);
      break;
    case 'catalog':
      setCatalog(msg.ops);
      break;
    case 'latency':
      diagram.latency = new Map(Object.entries(msg.ms));
      heat = 'latency';
      heatSelect.value = heat;
      persist();
      updateLegend();
      break;
    case 'activations':
      activations = msg;
      renderInspectorNow();
      if (!thumbs.set(msg)) {
        if (view) thumbs.paint(diagram, view);
      } else if (view) {
        // The nodes grow (or shrink) for the pictures: keep the selected one under the eye.
        const rep = selected && (view.layers.has(selected) ? visibleRep(selected) : selected);
        const at = rep ? diagram.screenOf(rep) : null;
        if (rep && at) keepPlace = { id: rep, x: at.x, y: at.y };
        void relayout();
      }
      break;
    case 'editResult':
      onEditResult(msg);
      break;
    case 'editCheck':
      checks.get(msg.id)?.(msg);
      checks.delete(msg.id);
      break;
  }
});

setTab(tab);
heatSelect.value = heat;
setLegendFolded(legendFolded);
app.append(more.el);
renderInspector(inspector, null, null, { select: () => {}, reveal: () => {}, toggle: () => {} });

// The standalone page embeds its model; VS Code posts one after `ready`.
const embedded = document.getElementById('cnn-lens-initial');
const initial = (window as unknown as { __CNN_LENS_INITIAL__?: ModelReport }).__CNN_LENS_INITIAL__ ?? (embedded?.textContent ? (JSON.parse(embedded.textContent) as ModelReport) : undefined);
if (initial) loadModel(initial, embedded?.dataset.uri ?? `standalone:${initial.model.name}`);

// For tests and debugging.
(window as unknown as { __cnnLens: unknown }).__cnnLens = {
  get selected() { return selected; },
  get collapsed() { return [...collapsed]; },
  get zoom() { return diagram.scale; },
  drawnLayerCount: () => diagram.drawnLayerCount(),
  layerCount: () => view?.layers.size ?? 0,
  lastLayout: () => ({ ...lastLayout }),
  toggle: (id: string) => toggleGroup(id),
  reveal: (id: string) => diagram.reveal(view?.layers.has(id) ? visibleRep(id) : id, false),
  screenOf: (id: string) => diagram.screenOf(view?.layers.has(id) ? visibleRep(id) : id),
  get editable() { return !!catalog; },
};

host.post({ type: 'ready', version: PROTOCOL_VERSION });
