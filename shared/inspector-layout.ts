// The inspector's remembered layout as the host reads it back from workspaceState or a webview message:
// checked field by field, so that a stale or odd value is dropped instead of laying the panel out wrong.
import type { InspectorLayout } from './protocol';

/** A stored or posted inspector layout, checked field by field (anything else is dropped). */
export function inspectorLayout(value: unknown): InspectorLayout | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.hidden !== 'boolean') return undefined;
  const px = (n: unknown): number | undefined => (typeof n === 'number' && Number.isFinite(n) && n > 0 && n < 10_000 ? Math.round(n) : undefined);
  const width = px(v.width);
  const sheetHeight = px(v.sheetHeight);
  return { hidden: v.hidden, ...(width ? { width } : {}), ...(sheetHeight ? { sheetHeight } : {}) };
}
