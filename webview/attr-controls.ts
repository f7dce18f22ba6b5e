// The inspector's attribute editors: one control per attribute that fits its schema (number field,
// drop-down, a pair of number fields, checkbox, JSON text field), validated before anything is sent.
import type { ReportLayer } from '../src/core/analysis/report-types';
import type { AttrValue } from '../src/core/ir';
import { h } from './dom';
import { kerasName } from './edit-ui';
import type { OpCatalogEntry } from '../shared/protocol';

export type AttrSchema = OpCatalogEntry['attrs'][number];

type Field = HTMLElement & { value: string; invalid: boolean };
type Check = HTMLElement & { checked: boolean };

/** Attributes that count things or sizes: integers ≥ 1. */
const POSITIVE = new Set(['filters', 'units', 'kernelSize', 'poolSize', 'strides', 'dilationRate', 'depthMultiplier', 'groups', 'size', 'depthRadius']);

export type Checked = { readonly ok: true; readonly value: AttrValue } | { readonly ok: false; readonly error: string };

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

function num(raw: string, name: string, kind: 'int' | 'float'): Checked {
  const s = raw.trim();
  if (s === '') return { ok: false, error: `${name} needs a value` };
  const n = Number(s);
  if (!Number.isFinite(n)) return { ok: false, error: `${name} must be a number` };
  if (kind === 'int' && !Number.isInteger(n)) return { ok: false, error: `${name} must be a whole number` };
  return { ok: true, value: n };
}

/** Checks a value against the attribute's schema and the rules the host would refuse it for. */
export function checkAttr(attr: AttrSchema, value: AttrValue, layer?: ReportLayer): Checked {
  const name = kerasName(attr.name);
  const v = value;
  switch (attr.kind) {
    case 'int':
      if (!isInt(v)) return { ok: false, error: `${name} must be a whole number` };
      if (POSITIVE.has(attr.name) && v < 1) return { ok: false, error: `${name} must be at least 1` };
      break;
    case 'float':
      if (typeof v !== 'number' || !Number.isFinite(v)) return { ok: false, error: `${name} must be a number` };
      if (attr.name === 'rate' && (v < 0 || v >= 1)) return { ok: false, error: 'rate must be between 0 and 1 (1 excluded)' };
      if (attr.name === 'epsilon' && v <= 0) return { ok: false, error: 'epsilon must be greater than 0' };
      if (attr.name === 'momentum' && (v < 0 || v > 1)) return { ok: false, error: 'momentum must be between 0 and 1' };
      break;
    case 'pair': {
      if (!Array.isArray(v) || v.length !== 2 || !v.every(isInt)) return { ok: false, error: `${name} must be two whole numbers` };
      const min = attr.name === 'outputPadding' ? 0 : POSITIVE.has(attr.name) ? 1 : -Infinity;
      if ((v as number[]).some((x) => x < min)) return { ok: false, error: `${name} must be at least ${min}` };
      // A window larger than its (unpadded) input is refused by the host: say so at once.
      const input = layer?.inputShapes[0];
      if ((attr.name === 'kernelSize' || attr.name === 'poolSize') && input && input.length === 4 && layer?.attrs.padding !== 'same') {
        const [, ih, iw] = input;
        const [kh, kw] = v as number[];
        const dil = (layer?.attrs.dilationRate as number[] | undefined) ?? [1, 1];
        const eh = (kh - 1) * (dil[0] ?? 1) + 1;
        const ew = (kw - 1) * (dil[1] ?? 1) + 1;
        if ((ih !== null && eh > ih) || (iw !== null && ew > iw)) return { ok: false, error: `a ${kh}×${kw} window is larger than the ${ih ?? '?'}×${iw ?? '?'} input (padding "valid")` };
      }
      break;
    }
    case 'ints':
      if (isInt(v)) return { ok: true, value: [v] };
      if (!Array.isArray(v) || !v.every(isInt)) return { ok: false, error: `${name} must be a list of whole numbers, e.g. [3]` };
      if (attr.name === 'targetShape') {
        if ((v as number[]).some((x) => x === 0 || x < -1)) return { ok: false, error: 'target_shape sizes must be positive (or one -1)' };
        if ((v as number[]).filter((x) => x === -1).length > 1) return { ok: false, error: 'target_shape can hold one -1 at most' };
      }
      break;
    case 'pads': {
      const flat = isInt(v) ? [v] : Array.isArray(v) ? (v as unknown[]).flat() : [];
      const okShape = isInt(v) || (Array.isArray(v) && v.length === 2 && (v.every(isInt) || v.every((p) => Array.isArray(p) && p.length === 2 && p.every(isInt))));
      if (!okShape) return { ok: false, error: `${name} must be p, [ph, pw] or [[top, bottom], [left, right]]` };
      if ((flat as number[]).some((x) => x < 0)) return { ok: false, error: `${name} cannot be negative` };
      break;
    }
    case 'enum':
      if (typeof v !== 'string' || !(attr.values ?? []).includes(v)) return { ok: false, error: `${name} must be one of ${(attr.values ?? []).join(', ')}` };
      break;
    case 'bool':
      if (typeof v !== 'boolean') return { ok: false, error: `${name} must be true or false` };
      break;
    case 'string':
      if (typeof v !== 'string') return { ok: false, error: `${name} must be text` };
      break;
  }
  return { ok: true, value: v };
}

/** Text for a value in a JSON text field. */
const jsonText = (v: AttrValue | undefined): string => (v === undefined || v === null ? '' : JSON.stringify(v).replace(/,/g, ', '));

const same = (a: AttrValue | undefined, b: AttrValue | undefined): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export interface AttrEditorEvents {
  /** A valid, changed value was committed. */
  commit(attr: string, value: AttrValue): void;
}

/**
 * A table row with the control for one attribute. `current` is the layer's value (null when the file leaves
 * it to the default). Commits on Enter or change; shows a message under the control instead of sending a
 * value that cannot be right.
 */
export function attrEditorRow(layer: ReportLayer, attr: AttrSchema, ev: AttrEditorEvents): HTMLTableRowElement {
  const name = kerasName(attr.name);
  let current = layer.attrs[attr.name] as AttrValue | undefined;
  const msg = h('div', { class: 'attr-error', role: 'alert', hidden: true });
  const id = `attr-${attr.name}`;
  const fields: Field[] = [];
  const setError = (error: string | null): void => {
    msg.hidden = !error;
    msg.textContent = error ?? '';
    for (const f of fields) f.classList.toggle('invalid', !!error);
  };
  const send = (value: AttrValue): void => {
    const c = checkAttr(attr, value, layer);
    if (!c.ok) return setError(c.error);
    setError(null);
    if (same(c.value, current)) return;
    current = c.value;
    ev.commit(attr.name, c.value);
  };
  const textField = (value: string, opts: Record<string, string | number | boolean>): Field => {
    const f = h('vscode-textfield', { value, ...opts }) as Field;
    f.value = value;
    fields.push(f);
    return f;
  };
  /** Commit on Enter and on change (blur), whichever comes first; Escape restores the file's value. */
  const wire = (f: Field, read: () => Checked, restore: () => void): void => {
    const go = (): void => {
      const r = read();
      if (!r.ok) setError(r.error);
      else send(r.value);
    };
    f.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        go();
      } else if (e.key === 'Escape') {
        restore();
        setError(null);
      }
    });
    f.addEventListener('change', go);
    f.addEventListener('input', () => msg.hidden || setError(null));
  };

  let control: HTMLElement;
  switch (attr.kind) {
    case 'int':
    case 'float': {
      const kind = attr.kind;
      const f = textField(current === null || current === undefined ? '' : String(current), {
        // Floats as text: a number field's step would mark 0.001 invalid.
        type: kind === 'int' ? 'number' : 'text', id, 'aria-label': name, class: 'num', placeholder: current === null ? 'None' : '', ...(kind === 'int' ? { step: 1 } : {}),
        ...(POSITIVE.has(attr.name) ? { min: 1 } : {}),
      });
      wire(f, () => num(f.value ?? '', name, kind), () => (f.value = current === null || current === undefined ? '' : String(current)));
      control = f;
      break;
    }
    case 'pair': {
      const pair = Array.isArray(current) ? (current as number[]) : [];
      const a = textField(pair[0] === undefined ? '' : String(pair[0]), { type: 'number', id, 'aria-label': `${name} (height)`, class: 'num pair', step: 1, placeholder: 'None' });
      const b = textField(pair[1] === undefined ? '' : String(pair[1]), { type: 'number', 'aria-label': `${name} (width)`, class: 'num pair', step: 1, placeholder: 'None' });
      const read = (): Checked => {
        const x = num(a.value ?? '', name, 'int');
        if (!x.ok) return x;
        const y = num(b.value ?? '', name, 'int');
        if (!y.ok) return y;
        return { ok: true, value: [x.value as number, y.value as number] };
      };
      const restore = (): void => {
        const p = Array.isArray(current) ? (current as number[]) : [];
        a.value = p[0] === undefined ? '' : String(p[0]);
        b.value = p[1] === undefined ? '' : String(p[1]);
      };
      wire(a, read, restore);
      wire(b, read, restore);
      control = h('div', { class: 'pair-fields', role: 'group', 'aria-label': name }, a, h('span', { class: 'times' }, '×'), b);
      break;
    }
    case 'enum': {
      const sel = h('vscode-single-select', { id, 'aria-label': name, class: 'enum' },
        ...(attr.values ?? []).map((v) => h('vscode-option', { value: v, selected: v === current }, v))) as Field;
      sel.addEventListener('change', () => send(sel.value));
      queueMicrotask(() => typeof current === 'string' && (sel.value = current));
      control = sel;
      break;
    }
    case 'bool': {
      const cb = h('vscode-checkbox', { id, 'aria-label': name, checked: current === true }) as Check;
      cb.addEventListener('change', () => send(cb.checked));
      control = cb;
      break;
    }
    case 'ints':
    case 'pads':
    case 'string': {
      const asText = attr.kind === 'string';
      const f = textField(asText ? String(current ?? '') : jsonText(current), { id, 'aria-label': name, class: 'json', placeholder: attr.kind === 'pads' ? '[[1, 1], [1, 1]]' : attr.kind === 'ints' ? '[-1]' : '' });
      const read = (): Checked => {
        const s = (f.value ?? '').trim();
        if (asText) return { ok: true, value: s };
        if (!s) return { ok: false, error: `${name} needs a value` };
        try {
          return { ok: true, value: JSON.parse(s) as AttrValue };
        } catch {
          return { ok: false, error: `${name}: not valid JSON (write e.g. ${attr.kind === 'pads' ? '[[1, 1], [1, 1]]' : '[3]'})` };
        }
      };
      wire(f, read, () => (f.value = asText ? String(current ?? '') : jsonText(current)));
      control = f;
      break;
    }
    default:
      control = h('span', { class: 'attr-val', title: 'Not editable here' }, jsonText(current) || 'None');
  }
  const label = h('label', { for: id, title: attr.name }, name);
  return h('tr', { class: 'attr-edit', 'data-attr': attr.name }, h('td', {}, label), h('td', { colspan: 2 }, control, msg));
}
