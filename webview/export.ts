// Export of the diagram as a standalone SVG (theme colours resolved, no CSS variables left) and as PNG.

const PROPS = ['fill', 'stroke', 'stroke-width', 'stroke-dasharray', 'opacity', 'font-family', 'font-size', 'font-weight', 'text-anchor', 'dominant-baseline', 'display'] as const;

/**
 * What the exported picture carries under the drawing (issue 11): the legend of the overlay on screen,
 * the families' colours or the heat scale, with the colours as the page resolved them.
 */
export type ExportLegend =
  | { readonly kind: 'swatches'; readonly items: readonly { readonly label: string; readonly color: string }[] }
  | { readonly kind: 'ramp'; readonly title: string; readonly stops: readonly string[]; readonly ends: readonly string[]; readonly note: string };

/** Interaction marks that do not belong in a picture: the selection halo, output dots, edge handles, edit flashes, hit areas. */
const INTERACTIVE = '.halo, .port-out, .edge-hit, .edge-handle, .flashes, .twistie .hit, .rewire-line, .rewire-tag';
const LEGEND_H = 34;

/**
 * A self-contained SVG document of the whole diagram (not just the visible part), with `legend` under
 * it. The caller clears the search dimming and the selection first (main.ts): styles are read as drawn.
 */
export function exportSvg(svgEl: SVGSVGElement, bounds: { width: number; height: number }, legend?: ExportLegend): { text: string; width: number; height: number } {
  const clone = svgEl.cloneNode(true) as SVGSVGElement;
  const src = [svgEl, ...svgEl.querySelectorAll('*')] as Element[];
  const dst = [clone, ...clone.querySelectorAll('*')] as Element[];
  const drop = new Set(svgEl.querySelectorAll(INTERACTIVE));
  for (let i = 0; i < src.length; i++) {
    const el = dst[i];
    if (drop.has(src[i])) {
      el.setAttribute('data-drop', '');
      continue;
    }
    const cs = getComputedStyle(src[i]);
    for (const p of PROPS) {
      const v = cs.getPropertyValue(p);
      if (v) el.setAttribute(p, v);
    }
    el.removeAttribute('class');
    el.removeAttribute('style');
    el.removeAttribute('tabindex');
    el.removeAttribute('role');
  }
  const pad = 16;
  const vp = clone.querySelector('g');
  // The first <g> after <defs> is the viewport; reset pan/zoom.
  const viewport = clone.querySelector(':scope > g') ?? vp;
  viewport?.setAttribute('transform', `translate(${pad},${pad})`);
  const w = Math.ceil(bounds.width + 2 * pad);
  for (const el of clone.querySelectorAll('[data-drop]')) el.remove();
  const drawn = Math.ceil(bounds.height + 2 * pad);
  const fg = getComputedStyle(document.body).color;
  const legendEl = legend ? legendSvg(legend, pad, drawn, fg) : null;
  if (legendEl) clone.append(legendEl);
  const hh = drawn + (legendEl ? LEGEND_H : 0);
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(w));
  clone.setAttribute('height', String(hh));
  clone.setAttribute('viewBox', `0 0 ${w} ${hh}`);
  const bg = getComputedStyle(document.body).backgroundColor;
  const rect = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  rect.setAttribute('width', '100%');
  rect.setAttribute('height', '100%');
  rect.setAttribute('fill', bg);
  clone.insertBefore(rect, clone.firstChild);
  return { text: `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}`, width: w, height: hh };
}

const SVG_NS = 'http://www.w3.org/2000/svg';

function node(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The legend as SVG, one row at (x, top): swatches with names, or the heat ramp with its ends. */
function legendSvg(legend: ExportLegend, x: number, top: number, fg: string): SVGGElement {
  const g = node('g', { class: 'export-legend', transform: `translate(${x},${top})`, 'font-family': getComputedStyle(document.body).fontFamily, 'font-size': 11, fill: fg }) as SVGGElement;
  const y = LEGEND_H / 2 - 4;
  if (legend.kind === 'swatches') {
    let at = 0;
    for (const item of legend.items) {
      g.append(node('rect', { x: at, y: y - 5, width: 10, height: 10, rx: 2, fill: item.color }));
      g.append(node('text', { x: at + 15, y: y + 4 }, item.label));
      at += 15 + item.label.length * 6.5 + 16;
    }
    return g;
  }
  const id = 'cl-export-ramp';
  const grad = node('linearGradient', { id, x1: 0, x2: 1, y1: 0, y2: 0 });
  legend.stops.forEach((c, i) => grad.append(node('stop', { offset: legend.stops.length > 1 ? i / (legend.stops.length - 1) : 0, 'stop-color': c })));
  const defs = node('defs', {});
  defs.append(grad);
  g.append(defs);
  g.append(node('text', { x: 0, y: y + 4, 'font-weight': 600 }, legend.title));
  const rampX = legend.title.length * 6.5 + 14;
  g.append(node('rect', { x: rampX, y: y - 4, width: 120, height: 8, rx: 4, fill: `url(#${id})`, stroke: fg, 'stroke-opacity': 0.3 }));
  g.append(node('text', { x: rampX + 130, y: y + 4 }, `${legend.ends.join(' … ')} · ${legend.note}`));
  return g;
}

/** Renders the SVG text onto a canvas and returns PNG bytes as a data: URL. */
export async function svgToPng(svgText: string, width: number, height: number, scale = 2): Promise<string> {
  const max = 16384;
  const s = Math.max(0.25, Math.min(scale, max / width, max / height, Math.sqrt(200e6 / (width * height))));
  const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.decoding = 'async';
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the SVG could not be rendered'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * s);
    canvas.height = Math.round(height * s);
    const ctx = canvas.getContext('2d')!;
    ctx.scale(s, s);
    ctx.drawImage(img, 0, 0, width, height);
    return canvas.toDataURL('image/png');
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Saves through a download link (the standalone page). */
export function download(name: string, data: string | Blob, type: string): void {
  const blob = typeof data === 'string' && data.startsWith('data:') ? dataUrlToBlob(data) : data instanceof Blob ? data : new Blob([data], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function dataUrlToBlob(dataUrl: string): Blob {
  const [head, body] = dataUrl.split(',', 2);
  const type = /data:([^;]+)/.exec(head)?.[1] ?? 'application/octet-stream';
  const bin = atob(body);
  const arr = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) arr[i] = bin.charCodeAt(i);
  return new Blob([arr], { type });
}
