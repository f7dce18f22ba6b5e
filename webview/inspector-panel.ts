// The inspector's place on screen (issue 11): a column beside the drawing that the user can hide, bring
// back and resize with a splitter (drag, or the arrow keys when it has focus), and below NARROW_AT px a
// bottom sheet under the drawing instead, so that the drawing keeps the full width of a narrow group.
// Either way the inspector takes room from the drawing rather than lying over it, so it never covers
// the selected node (main.ts pans the node back into view when the room changes).
import type { InspectorLayout } from '../shared/protocol';
import { h } from './dom';

/** Webviews narrower than this show the inspector as a bottom sheet. */
export const NARROW_AT = 700;
const MIN_WIDTH = 200;
const MIN_SHEET = 120;
/** The drawing keeps at least this share of the room along the splitter's axis. */
const KEEP = 0.5;
const STEP = 16;
const BIG_STEP = 64;

export class InspectorPanel {
  readonly el: HTMLElement;
  readonly splitter: HTMLElement;
  readonly toggle: HTMLButtonElement;
  private hidden = false;
  private width: number | undefined;
  private sheetHeight: number | undefined;
  private narrow = false;

  /**
   * `content` is the inspector itself (main.ts renders into it); `onChange` hears what the user did
   * (to remember it), `onResize` any change of the drawing's room (to keep the selection in view).
   */
  constructor(
    private readonly main: HTMLElement,
    content: HTMLElement,
    private readonly onChange: (layout: InspectorLayout) => void,
    private readonly onResize: () => void,
  ) {
    const hide = h('button', { class: 'panel-hide', type: 'button', title: 'Hide the inspector (i)', 'aria-label': 'Hide the inspector', 'data-testid': 'inspector-hide' }, '×');
    hide.addEventListener('click', () => this.setHidden(true, true));
    const bar = h('div', { class: 'inspector-bar' }, h('span', { class: 'inspector-title' }, 'Inspector'), hide);
    content.id = 'cl-inspector';
    this.el = h('div', { class: 'inspector-panel', 'data-testid': 'inspector-panel' }, bar, content);
    this.splitter = h('div', {
      class: 'splitter', role: 'separator', tabindex: 0, 'aria-controls': 'cl-inspector', 'aria-label': 'Inspector size',
      title: 'Drag, or use the arrow keys, to resize the inspector; double-click: its default size; Enter: hide it', 'data-testid': 'inspector-splitter',
    });
    this.toggle = h('button', {
      class: 'panel-toggle', type: 'button', 'aria-controls': 'cl-inspector', 'aria-pressed': 'true',
      title: 'Show or hide the inspector (i)', 'aria-label': 'Inspector', 'data-testid': 'inspector-toggle',
    }, h('span', { class: 'panel-icon', 'aria-hidden': 'true' }));
    this.toggle.addEventListener('click', () => this.setHidden(!this.hidden, true));
    this.installSplitter();
    if (typeof ResizeObserver === 'function') new ResizeObserver(() => this.apply()).observe(main);
    window.addEventListener('resize', () => this.apply());
  }

  get isHidden(): boolean {
    return this.hidden;
  }

  /** The layout the host remembered for this workspace (not posted back). */
  restore(layout: InspectorLayout): void {
    this.hidden = layout.hidden;
    this.width = layout.width;
    this.sheetHeight = layout.sheetHeight;
    this.apply();
  }

  setHidden(hidden: boolean, fromUser: boolean): void {
    if (hidden === this.hidden) return;
    // Focus inside a panel that disappears would be lost: give it to the button that brings it back.
    const refocus = hidden && (this.el.contains(document.activeElement) || this.splitter === document.activeElement);
    this.hidden = hidden;
    this.apply();
    if (refocus) this.toggle.focus();
    if (fromUser) this.changed();
  }

  private changed(): void {
    this.onChange({ hidden: this.hidden, ...(this.width ? { width: this.width } : {}), ...(this.sheetHeight ? { sheetHeight: this.sheetHeight } : {}) });
  }

  /** The room along the splitter's axis, and the panel's size range in it. */
  private range(): { room: number; min: number; max: number; value: number } {
    const r = this.main.getBoundingClientRect();
    if (this.narrow) {
      const room = r.height;
      const max = Math.max(MIN_SHEET, Math.round(room * (1 - KEEP)));
      const preferred = this.sheetHeight ?? Math.round(room * 0.3);
      return { room, min: MIN_SHEET, max, value: clamp(preferred, MIN_SHEET, max) };
    }
    const room = r.width;
    const max = Math.max(MIN_WIDTH, Math.min(600, Math.round(room * (1 - KEEP))));
    // By default about a quarter of the room, 240–340 px: the drawing keeps ≥ 60% at 800 px.
    const preferred = this.width ?? clamp(Math.round(room * 0.28), 240, 340);
    return { room, min: MIN_WIDTH, max, value: clamp(preferred, MIN_WIDTH, max) };
  }

  /** Lays the panel out for the current width and state. */
  apply(): void {
    const wasNarrow = this.narrow;
    this.narrow = window.innerWidth < NARROW_AT;
    const m = this.main;
    const before = m.style.cssText + m.className;
    m.classList.toggle('inspector-sheet', this.narrow);
    document.body.classList.toggle('inspector-sheet', this.narrow); // the toolbar's icon follows
    m.classList.toggle('inspector-hidden', this.hidden);
    this.toggle.setAttribute('aria-pressed', String(!this.hidden));
    const { min, max, value } = this.range();
    m.style.setProperty(this.narrow ? '--inspector-h' : '--inspector-w', `${value}px`);
    const s = this.splitter;
    s.setAttribute('aria-orientation', this.narrow ? 'horizontal' : 'vertical');
    s.setAttribute('aria-valuemin', String(min));
    s.setAttribute('aria-valuemax', String(max));
    s.setAttribute('aria-valuenow', String(value));
    if (wasNarrow !== this.narrow || before !== m.style.cssText + m.className) this.onResize();
  }

  /** Sets the panel's size along the splitter's axis (clamped), as the user chose it. */
  private resizeTo(px: number): void {
    const { min, max } = this.range();
    const v = clamp(Math.round(px), min, max);
    if (this.narrow) this.sheetHeight = v;
    else this.width = v;
    this.apply();
  }

  private installSplitter(): void {
    const s = this.splitter;
    let drag: { id: number; start: number; from: number } | null = null;
    s.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      e.preventDefault();
      s.setPointerCapture(e.pointerId);
      drag = { id: e.pointerId, start: this.narrow ? e.clientY : e.clientX, from: this.range().value };
      s.classList.add('dragging');
    });
    s.addEventListener('pointermove', (e) => {
      if (!drag || drag.id !== e.pointerId) return;
      // The panel is right of (or under) the splitter: moving towards it makes it smaller.
      this.resizeTo(drag.from - ((this.narrow ? e.clientY : e.clientX) - drag.start));
    });
    const end = (e: PointerEvent): void => {
      if (!drag || drag.id !== e.pointerId) return;
      drag = null;
      s.classList.remove('dragging');
      if (s.hasPointerCapture(e.pointerId)) s.releasePointerCapture(e.pointerId);
      this.changed();
    };
    s.addEventListener('pointerup', end);
    s.addEventListener('pointercancel', end);
    s.addEventListener('dblclick', () => {
      if (this.narrow) this.sheetHeight = undefined;
      else this.width = undefined;
      this.apply();
      this.changed();
    });
    s.addEventListener('keydown', (e) => {
      const { min, max, value } = this.range();
      const step = e.shiftKey ? BIG_STEP : STEP;
      // Arrows move the splitter: towards the panel makes it smaller.
      const grow: Record<string, number> = this.narrow ? { ArrowUp: step, ArrowDown: -step } : { ArrowLeft: step, ArrowRight: -step };
      let next: number | null = null;
      if (e.key in grow) next = value + grow[e.key];
      else if (e.key === 'Home') next = min;
      else if (e.key === 'End') next = max;
      else if (e.key === 'Enter') {
        this.setHidden(true, true);
      } else return;
      e.preventDefault();
      e.stopPropagation();
      if (next !== null) {
        this.resizeTo(next);
        this.changed();
      }
    });
  }
}

const clamp = (v: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, v));
