import { PROFILE_PROTOCOL_VERSION, type ProfileHostMessage, type ProfileLayerRow, type ProfileView, type ProfileWebviewMessage } from '../../shared/profile-protocol';

// The profile panel: totals, the backend and why, a horizontal bar chart of per-layer latency
// (SVG; median bar, p10–p90 whisker), and a sortable table. Export buttons ask the host to save
// JSON or CSV (the host owns the file dialog). Everything is built with DOM calls: no innerHTML.

declare function acquireVsCodeApi(): { postMessage(message: ProfileWebviewMessage): void; setState(s: unknown): void; getState(): unknown };

const vscode = acquireVsCodeApi();
const root = document.getElementById('profile')!;
const SVG = 'http://www.w3.org/2000/svg';

type Key = 'order' | 'name' | 'type' | 'ms' | 'spread' | 'share' | 'gflops';
let profile: ProfileView | undefined;
let sortKey: Key = ((vscode.getState() as { sortKey?: Key } | undefined)?.sortKey) ?? 'order';
let descending = ((vscode.getState() as { descending?: boolean } | undefined)?.descending) ?? false;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<Record<string, string>> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) if (v !== undefined) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}
function svg(tag: string, attrs: Record<string, string | number>, ...children: (Node | string)[]): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  for (const c of children) e.append(c);
  return e;
}

export const formatMs = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3));
export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u ? v.toFixed(1) : v} ${units[u]}`;
}

function sorted(p: ProfileView): ProfileLayerRow[] {
  const rows = p.layers.map((l, i) => ({ l, i }));
  const value = (r: { l: ProfileLayerRow; i: number }): number | string => {
    switch (sortKey) {
      case 'order': return r.i;
      case 'name': return r.l.name;
      case 'type': return r.l.type;
      case 'spread': return r.l.p90Ms - r.l.p10Ms;
      default: return r.l[sortKey];
    }
  };
  rows.sort((a, b) => {
    const x = value(a);
    const y = value(b);
    const c = typeof x === 'string' ? x.localeCompare(y as string) : x - (y as number);
    return descending ? -c : c;
  });
  return rows.map((r) => r.l);
}

function chart(rows: readonly ProfileLayerRow[]): SVGElement {
  const rowH = 16;
  const labelW = Math.min(260, 8 + 7 * Math.max(...rows.map((r) => r.name.length), 4));
  const barW = 420;
  const max = Math.max(1e-9, ...rows.map((r) => r.p90Ms));
  const scale = (ms: number) => (ms / max) * barW;
  const height = rows.length * rowH + 20;
  const figure = svg('svg', { width: labelW + barW + 90, height, role: 'img', 'aria-label': `Per-layer latency, ${rows.length} layers, largest ${formatMs(Math.max(...rows.map((r) => r.ms)))} ms` });
  rows.forEach((r, i) => {
    const y = i * rowH;
    const g = svg('g', { class: 'row' },
      svg('title', {}, `${r.name} (${r.type}): median ${formatMs(r.ms)} ms, p10–p90 ${formatMs(r.p10Ms)}–${formatMs(r.p90Ms)} ms, ${(r.share * 100).toFixed(1)}%`),
      svg('rect', { class: 'bg', x: 0, y, width: labelW + barW + 90, height: rowH }),
      svg('text', { x: labelW - 6, y: y + 12, 'text-anchor': 'end' }, r.name.length > 34 ? `${r.name.slice(0, 33)}…` : r.name),
      svg('rect', { class: 'bar', x: labelW, y: y + 3, width: Math.max(0.5, scale(r.ms)), height: rowH - 6 }),
      svg('rect', { class: 'spread', x: labelW + scale(r.p10Ms), y: y + 7, width: Math.max(0.5, scale(r.p90Ms) - scale(r.p10Ms)), height: 2 }),
      svg('text', { x: labelW + scale(r.p90Ms) + 4, y: y + 12 }, `${formatMs(r.ms)} ms`),
    );
    figure.append(g);
  });
  figure.append(svg('text', { x: labelW, y: height - 4 }, `0 … ${formatMs(max)} ms (bar: median; line: p10–p90)`));
  return figure;
}

const COLUMNS: readonly { key: Key; label: string; num?: boolean }[] = [
  { key: 'order', label: '#', num: true },
  { key: 'name', label: 'Layer' },
  { key: 'type', label: 'Type' },
  { key: 'ms', label: 'Median ms', num: true },
  { key: 'spread', label: 'p10–p90 ms', num: true },
  { key: 'share', label: 'Share', num: true },
  { key: 'gflops', label: 'GFLOP/s', num: true },
];

function table(p: ProfileView): HTMLTableElement {
  const index = new Map(p.layers.map((l, i) => [l.name, i + 1]));
  const head = el('tr', {}, ...COLUMNS.map((c) => {
    const button = el('button', { type: 'button', title: `Sort by ${c.label}` }, `${c.label}${sortKey === c.key ? (descending ? ' ▼' : ' ▲') : ''}`);
    button.addEventListener('click', () => {
      if (sortKey === c.key) descending = !descending;
      else {
        sortKey = c.key;
        descending = c.num === true && c.key !== 'order';
      }
      vscode.setState({ sortKey, descending });
      render();
      (document.querySelector(`th[data-key="${c.key}"] button`) as HTMLButtonElement | null)?.focus();
    });
    return el('th', { class: c.num ? 'num' : '', 'data-key': c.key, 'aria-sort': sortKey === c.key ? (descending ? 'descending' : 'ascending') : 'none', scope: 'col' }, button);
  }));
  const body = el('tbody');
  for (const l of sorted(p)) {
    // A row selects its layer in the diagram and in the text (the host routes it).
    const row = el('tr', { tabindex: '0', class: 'layer-row', title: `Select ${l.name} in the diagram and the text` },
      el('td', { class: 'num' }, String(index.get(l.name))),
      el('td', {}, l.name),
      el('td', {}, l.type),
      el('td', { class: 'num' }, formatMs(l.ms)),
      el('td', { class: 'num' }, `${formatMs(l.p10Ms)}–${formatMs(l.p90Ms)}`),
      el('td', { class: 'num' }, `${(l.share * 100).toFixed(1)}%`),
      el('td', { class: 'num' }, l.gflops ? l.gflops.toFixed(2) : '–'),
    );
    row.addEventListener('click', () => vscode.postMessage({ type: 'reveal', layer: l.name }));
    row.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        vscode.postMessage({ type: 'reveal', layer: l.name });
      }
    });
    body.append(row);
  }
  return el('table', { 'aria-label': 'Per-layer profile' }, el('thead', {}, head), body);
}

function render(): void {
  const p = profile;
  if (!p) return;
  const gap = p.sumOfLayersMs - p.wholeModelMs;
  const pct = p.wholeModelMs > 0 ? (gap / p.wholeModelMs) * 100 : 0;
  const exportButton = (format: 'json' | 'csv', label: string) => {
    const b = el('button', { type: 'button', class: format === 'csv' ? 'secondary' : '' }, label);
    b.addEventListener('click', () => vscode.postMessage({ type: 'export', format }));
    return b;
  };
  // ONNX Runtime's own trace, for Perfetto or chrome://tracing.
  const traceButton = () => {
    const b = el('button', { type: 'button', class: 'secondary', title: "ONNX Runtime's profiler trace (Chrome trace JSON: open it in Perfetto)" }, 'Save trace…');
    b.addEventListener('click', () => vscode.postMessage({ type: 'saveTrace' }));
    return b;
  };
  const dl = el('dl', { class: 'totals' });
  const item = (k: string, v: string) => dl.append(el('dt', {}, k), el('dd', {}, v));
  item('Whole model', `${formatMs(p.wholeModelMs)} ms median of ${p.runs} (p10–p90 ${formatMs(p.wholeModelP10Ms)}–${formatMs(p.wholeModelP90Ms)} ms), untapped, after ${p.warmup} warm-up`);
  item('Sum of layers', `${formatMs(p.sumOfLayersMs)} ms (${gap >= 0 ? '+' : ''}${formatMs(gap)} ms, ${pct >= 0 ? '+' : ''}${pct.toFixed(1)}% vs whole model)`);
  item('Peak activations', `${formatBytes(p.peakActivationBytes)} live at once (all outputs together: ${formatBytes(p.totalActivationBytes)})`);
  item('Weights', formatBytes(p.weightBytes));
  root.replaceChildren(
    el('h1', {}, `Profile: ${p.model}`),
    el('p', { class: 'meta' }, p.file),
    el('p', { class: 'meta engine' }, `Engine: ${p.engine}`),
    el('p', { class: 'meta' }, `Backend: ${p.backend}${p.notUsed.length ? ` — not used: ${p.notUsed.join('; ')}` : ''}`),
    el('p', { class: p.randomWeights ? 'meta warn' : 'meta' }, `Weights: ${p.weights}${p.randomWeights ? ' (timings are still valid)' : ''}`),
    dl,
    el('p', { class: 'explain' }, `Why the sum differs: ${p.sumVsWhole}.`),
    el('div', { class: 'toolbar' }, exportButton('json', 'Export JSON…'), exportButton('csv', 'Export CSV…'), ...(p.hasTrace ? [traceButton()] : [])),
    el('div', { class: 'chart', tabindex: '0', 'aria-label': 'Per-layer latency chart (follows the table’s sort order)' }, chart(sorted(p))),
    table(p),
  );
}

window.addEventListener('message', (event: MessageEvent<ProfileHostMessage>) => {
  const m = event.data;
  if (m.type === 'profile' && m.version === PROFILE_PROTOCOL_VERSION) {
    profile = m.profile;
    render();
  }
});
vscode.postMessage({ type: 'ready' });
