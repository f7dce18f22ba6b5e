// Human units for counts and bytes, shared by the CLI, hovers and the webview, so one number
// reads the same everywhere: 138,357,544 → "138.36M"; 15,470,264,320 MACs → "15.47G".

const SCALES: readonly [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'K']];

/** 1234567 → "1.23M"; unknown (null/NaN) → "?". */
export function human(n: number | null | undefined, digits = 2): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '?';
  const abs = Math.abs(n);
  for (const [scale, suffix] of SCALES) if (abs >= scale) return `${(n / scale).toFixed(digits)}${suffix}`;
  return String(Math.round(n));
}

/** 1234567 → "1,234,567". */
export const grouped = (n: number | null | undefined): string => (n === null || n === undefined || !Number.isFinite(n) ? '?' : Math.round(n).toLocaleString('en-US'));

/** Bytes in binary units: 553,430,176 → "527.8 MiB". */
export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '?';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** [1, 224, 224, 3] → "1×224×224×3"; unknown dimensions show as "?". */
export const shapeText = (shape: readonly (number | null)[] | null | undefined): string => (shape ? shape.map((d) => d ?? '?').join('×') : '?');

/** Share of a total as a percentage with one decimal; "?" when unknown. */
export const percent = (part: number | null, total: number | null): string =>
  part === null || total === null || !Number.isFinite(part) || !Number.isFinite(total) || total === 0 ? '?' : `${((100 * part) / total).toFixed(1)}%`;
