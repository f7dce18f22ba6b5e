// The toolbar's width multiplier α (MobileNet's knob, offered for every model): a drop-down of
// presets and "Other…", which opens a number field for any α (Enter applies, Escape cancels).
// Choosing α asks for one scaleWidth edit of the file; the control then reads 1.0 again, since the
// file now holds the scaled widths.
import { h } from './dom';

const PRESETS = ['1.0', '0.75', '0.5', '0.25'];
const OTHER = 'other';

const TOOLTIP =
  'Width multiplier α (MobileNet’s knob, on any model): every Conv and Dense layer’s width (filters, units) × α, rounded down, ' +
  'except the last weighted layer (the classifier); depthwise layers follow their input and Reshapes of the scaled channels follow. ' +
  'Applied once to the file (undo with Ctrl+Z); “Other…” takes any α in (0, 16].';

/** α from what the user chose or typed, or an error message. */
export function parseAlpha(text: string): { alpha: number } | { error: string } {
  const alpha = text.trim() === '' ? NaN : Number(text);
  if (!(alpha > 0) || alpha > 16) return { error: `The width multiplier α must be a number in (0, 16], not “${text}”.` };
  return { alpha };
}

type Field = HTMLElement & { value: string };

export class WidthKnob {
  readonly el: HTMLElement;
  private readonly select: Field;
  private readonly other: Field;

  /** `choose` gets a valid α other than 1; `refuse` the message for anything else typed. */
  constructor(
    private readonly choose: (alpha: number) => void,
    private readonly refuse: (message: string) => void,
  ) {
    this.select = h('vscode-single-select', { title: TOOLTIP, 'aria-label': 'Width multiplier α', 'data-testid': 'width-alpha', class: 'alpha' },
      ...PRESETS.map((p) => h('vscode-option', { value: p }, p)),
      h('vscode-option', { value: OTHER }, 'Other…')) as Field;
    this.other = h('vscode-textfield', { type: 'number', min: 0.01, max: 16, step: 0.05, class: 'size', placeholder: 'α', title: TOOLTIP, 'aria-label': 'Width multiplier α (any value; Enter applies)', 'data-testid': 'width-alpha-other', hidden: true }) as Field;
    this.el = h('div', { class: 'group width-knob diagram-only', role: 'group', 'aria-label': 'Width multiplier', hidden: true },
      h('span', { class: 'inline-label', title: TOOLTIP }, 'Width α'), this.select, this.other);
    this.select.addEventListener('change', () => this.picked(this.select.value));
    this.other.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') (e.preventDefault(), this.typed());
      else if (e.key === 'Escape') (e.preventDefault(), e.stopPropagation(), this.reset(), this.select.focus());
    });
  }

  show(visible: boolean): void {
    this.el.hidden = !visible;
  }

  private picked(value: string): void {
    if (value === OTHER) {
      this.other.hidden = false;
      this.other.value = '';
      this.other.focus();
      return;
    }
    this.reset();
    const parsed = parseAlpha(value);
    if ('alpha' in parsed && parsed.alpha !== 1) this.choose(parsed.alpha);
  }

  private typed(): void {
    const parsed = parseAlpha(this.other.value ?? '');
    if ('error' in parsed) return this.refuse(parsed.error);
    this.reset();
    this.select.focus();
    if (parsed.alpha !== 1) this.choose(parsed.alpha);
  }

  /** Back to 1.0: after a choice the file holds the new widths. */
  private reset(): void {
    this.other.hidden = true;
    this.select.value = PRESETS[0];
  }
}
