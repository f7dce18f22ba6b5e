// The toolbar's input shape for read-only models (ONNX): the dimensions the file leaves open or that
// make sense to change (its symbolic ones by name, the batch, the spatial size where the format fixes
// the layout), the others shown as they are. Applying (Enter, or leaving the control) asks the host to
// analyse this panel's model at that shape (`analyzeAt`); the file is not touched. The analysis judges
// the numbers (a zero or a fraction comes back as its own diagnostic), so nothing here checks them.
import type { ModelReport } from '../src/core/analysis/report-types';
import type { TensorShape } from '../src/core/ir';
import { spatialAxesOf } from '../src/core/ops/window';
import type { InputShapes } from '../shared/protocol';
import { h } from './dom';

type ReportInput = ModelReport['model']['inputs'][number];

/** One axis of the input: a field (`label` visible, `description` for screen readers) or a fixed number. */
export type ShapeAxis =
  | { readonly axis: number; readonly editable: true; readonly label: string; readonly description: string; readonly value: number | null }
  | { readonly axis: number; readonly editable: false; readonly value: number | null };

const SPATIAL_LABELS: Readonly<Record<number, readonly string[]>> = { 1: ['L'], 2: ['H', 'W'], 3: ['D', 'H', 'W'] };
const SPATIAL_WORDS: Readonly<Record<string, string>> = { L: 'length', D: 'depth', H: 'height', W: 'width' };

/**
 * Which axes of `shape` the control edits: the file's symbolic dimensions (by their names), the batch
 * (axis 0), dimensions the file leaves open, and the spatial axes of the format's layout (none when
 * the format does not fix one: names are never read for the layout).
 */
export function shapeAxes(shape: TensorShape, dimNames: ReportInput['dimNames'], layout: ModelReport['model']['layout']): ShapeAxis[] {
  const spatial = layout ? spatialAxesOf(shape.length, layout) : [];
  return shape.map((value, axis): ShapeAxis => {
    const name = dimNames?.[axis] ?? null;
    const s = spatial.indexOf(axis);
    const letter = s >= 0 ? SPATIAL_LABELS[spatial.length]?.[s] : undefined;
    if (name) return { axis, editable: true, label: name, description: `${name} (symbolic, axis ${axis})`, value };
    if (letter) return { axis, editable: true, label: letter, description: `Input ${SPATIAL_WORDS[letter]} (axis ${axis})`, value };
    if (axis === 0) return { axis, editable: true, label: 'batch', description: 'Batch size (axis 0)', value };
    if (s >= 0 || value === null) return { axis, editable: true, label: `axis ${axis}`, description: `Axis ${axis}`, value };
    return { axis, editable: false, value };
  });
}

/** The shape the fields ask for: each field's number (empty: left open, as the file may have it), fixed axes as they are. */
export function readShape(axes: readonly ShapeAxis[], typed: ReadonlyMap<number, string>): TensorShape {
  return axes.map((a) => {
    if (!a.editable) return a.value;
    const text = (typed.get(a.axis) ?? '').trim();
    return text === '' ? null : Number(text);
  });
}

type NumField = HTMLElement & { value: string; label: string };

export class InputShapeControl {
  readonly el: HTMLElement;
  private readonly fields: HTMLElement;
  private readonly reset: HTMLElement;
  private input: string | null = null;
  private axes: ShapeAxis[] = [];
  private inputs = new Map<number, NumField>();
  /** What was last applied, so a blur after Enter does not ask twice. */
  private applied = '';

  /** `apply` gets the shapes to analyse at (null: the file's own). */
  constructor(private readonly apply: (shapes: InputShapes | null) => void) {
    this.fields = h('span', { class: 'dims' });
    this.reset = h('vscode-button', { secondary: true, class: 'icon', title: 'Back to the file’s own input shape', 'aria-label': 'Back to the file’s own input shape', 'data-testid': 'input-shape-reset', hidden: true }, '↺');
    this.reset.addEventListener('click', () => this.apply(null));
    this.el = h('div', { class: 'group input-shape diagram-only', role: 'group', 'aria-label': 'Input shape to analyse at (the file is not changed)', 'data-testid': 'input-shape', hidden: true },
      h('span', { class: 'inline-label', title: 'Analyse the model at another input shape; the file is not changed' }, 'Input'), this.fields, this.reset);
    // Moving between the fields is not applying: a shape half typed would be analysed for nothing.
    this.fields.addEventListener('focusout', (e) => {
      if (!this.fields.contains(e.relatedTarget as Node | null)) this.commit();
    });
  }

  /**
   * Takes the first input's shape from a new report. A report whose input has no shape (the analysis
   * refused the one asked for) keeps the fields as typed.
   */
  render(report: ModelReport, analyzedAt: InputShapes | undefined): void {
    const input = report.model.inputs[0];
    const sameInput = input?.name === this.input;
    if (input?.shape) {
      this.input = input.name;
      this.axes = shapeAxes(input.shape, input.dimNames, report.model.layout);
      this.build();
    } else if (!sameInput) {
      this.input = null;
      this.axes = [];
      this.fields.replaceChildren();
    }
    this.applied = '';
    this.reset.hidden = !analyzedAt;
  }

  /** Hidden where it does not apply, and for models without an input shape. */
  show(visible: boolean): void {
    this.el.hidden = !visible || !this.axes.length;
  }

  private build(): void {
    this.inputs = new Map();
    const parts: (HTMLElement | string)[] = [];
    for (const a of this.axes) {
      if (parts.length) parts.push(h('span', { class: 'times', 'aria-hidden': 'true' }, '×'));
      if (!a.editable) {
        parts.push(h('span', { class: 'fixed', title: `Axis ${a.axis}, fixed by the file` }, a.value === null ? '?' : String(a.value)));
        continue;
      }
      const field = h('vscode-textfield', { type: 'number', step: 1, class: 'size', placeholder: a.label, title: a.description, 'data-axis': a.axis }) as NumField;
      field.label = a.description; // the inner input's aria-label
      field.value = a.value === null ? '' : String(a.value);
      field.addEventListener('keydown', (e) => e.key === 'Enter' && (e.preventDefault(), this.commit()));
      this.inputs.set(a.axis, field);
      parts.push(h('span', { class: 'dim', title: a.description }, h('span', { class: 'dim-name', 'aria-hidden': 'true' }, a.label), field));
    }
    this.fields.replaceChildren(...parts);
  }

  private commit(): void {
    if (!this.input) return;
    const shape = readShape(this.axes, new Map([...this.inputs].map(([axis, f]) => [axis, f.value ?? ''])));
    const key = JSON.stringify(shape);
    // Nothing changed since the report came (or since the last apply): no analysis to ask for.
    if (key === (this.applied || JSON.stringify(this.axes.map((a) => a.value)))) return;
    this.applied = key;
    this.apply({ [this.input]: shape });
  }
}
