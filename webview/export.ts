// Export of the diagram as a standalone SVG (theme colours resolved, no CSS variables left) and as PNG.

const PROPS = ['fill', 'stroke', 'stroke-width', 'stroke-dasharray', 'opacity', 'font-family', 'font-size', 'font-weight', 'text-anchor', 'dominant-baseline', 'display'] as const;

/** A self-contained SVG document of the whole diagram (not just the visible part). */
export function exportSvg(svgEl: SVGSVGElement, bounds: { width: number; height: number }): string {
  const clone = svgEl.cloneNode(true) as SVGSVGElement;
  const src = [svgEl, ...svgEl.querySelectorAll('*')] as Element[];
  const dst = [clone, ...clone.querySelectorAll('*')] as Element[];
  for (let i = 0; i < src.length; i++) {
    const cs = getComputedStyle(src[i]);
    const el = dst[i];
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
  const hh = Math.ceil(bounds.height + 2 * pad);
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
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}`;
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
