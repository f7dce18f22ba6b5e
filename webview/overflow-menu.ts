// The toolbar's overflow menu (issue 11): the rarely used commands behind one "⋯" button, so the toolbar
// keeps one row at every width. A WAI-ARIA menu button: Enter, Space or ArrowDown opens it on its first
// item (ArrowUp on its last), the arrows, Home and End move, Enter and Space run an item, Escape or Tab
// closes it and focus returns to the button.
import { h } from './dom';

export interface MenuEntry {
  readonly id: string;
  readonly label: string;
  readonly kind?: 'item' | 'checkbox' | 'radio';
  /** checkbox and radio items: whether it is on now (read when the menu opens). */
  readonly checked?: () => boolean;
  /** Whether it is offered now (read when the menu opens); CSS may hide it too (class `narrow-only`). */
  readonly visible?: () => boolean;
  /** Extra class names (`narrow-only`: only when the toolbar has no room for the control itself). */
  readonly className?: string;
  readonly run: () => void;
}

export class OverflowMenu {
  readonly button: HTMLButtonElement;
  readonly el: HTMLElement;
  private readonly items: { entry: MenuEntry; el: HTMLElement }[] = [];

  constructor(label: string, entries: readonly (MenuEntry | 'separator' | 'narrow-separator')[]) {
    this.button = h('button', {
      class: 'overflow-button diagram-only', type: 'button', 'aria-haspopup': 'menu', 'aria-expanded': 'false',
      'aria-controls': 'cl-overflow-menu', 'aria-label': label, title: label, 'data-testid': 'overflow-button',
    }, '⋯');
    this.el = h('div', { class: 'context-menu overflow-menu', id: 'cl-overflow-menu', role: 'menu', 'aria-label': label, hidden: true, 'data-testid': 'overflow-menu' });
    for (const e of entries) {
      if (e === 'separator' || e === 'narrow-separator') {
        this.el.append(h('div', { class: e === 'separator' ? 'sep' : 'sep narrow-only', role: 'separator' }));
        continue;
      }
      const role = e.kind === 'checkbox' ? 'menuitemcheckbox' : e.kind === 'radio' ? 'menuitemradio' : 'menuitem';
      const el = h('div', { class: `item${e.kind && e.kind !== 'item' ? ' check' : ''}${e.className ? ` ${e.className}` : ''}`, role, tabindex: -1, 'data-action': e.id }, h('span', {}, e.label));
      el.addEventListener('click', () => this.activate(e));
      this.el.append(el);
      this.items.push({ entry: e, el });
    }
    this.button.addEventListener('click', () => (this.isOpen ? this.close(true) : this.open('first')));
    this.button.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        this.open(e.key === 'ArrowDown' ? 'first' : 'last');
      }
    });
    this.el.addEventListener('keydown', (e) => this.onKey(e));
    document.addEventListener('pointerdown', (e) => {
      if (this.isOpen && !this.el.contains(e.target as Node) && !this.button.contains(e.target as Node)) this.close(false);
    }, true);
    window.addEventListener('resize', () => this.close(false));
  }

  get isOpen(): boolean {
    return !this.el.hidden;
  }

  open(focus: 'first' | 'last'): void {
    for (const { entry, el } of this.items) {
      el.hidden = entry.visible ? !entry.visible() : false;
      if (entry.checked) el.setAttribute('aria-checked', String(entry.checked()));
    }
    this.el.hidden = false;
    this.button.setAttribute('aria-expanded', 'true');
    // Under the button, right-aligned with it, inside the window.
    const b = this.button.getBoundingClientRect();
    const w = this.el.offsetWidth;
    this.el.style.left = `${Math.max(4, Math.min(b.right - w, window.innerWidth - w - 4))}px`;
    this.el.style.top = `${b.bottom + 2}px`;
    const shown = this.shown();
    (focus === 'first' ? shown[0] : shown.at(-1))?.focus();
  }

  close(refocus: boolean): void {
    if (!this.isOpen) return;
    this.el.hidden = true;
    this.button.setAttribute('aria-expanded', 'false');
    if (refocus) this.button.focus();
  }

  /** The items on screen now (CSS hides the narrow-only ones when the toolbar has room for their control). */
  private shown(): HTMLElement[] {
    return this.items.map((i) => i.el).filter((el) => !el.hidden && el.getClientRects().length > 0);
  }

  private activate(e: MenuEntry): void {
    this.close(true);
    e.run();
  }

  private onKey(e: KeyboardEvent): void {
    const shown = this.shown();
    const at = shown.indexOf(document.activeElement as HTMLElement);
    switch (e.key) {
      case 'ArrowDown':
      case 'ArrowUp':
        shown[(at + (e.key === 'ArrowDown' ? 1 : -1) + shown.length) % shown.length]?.focus();
        break;
      case 'Home':
        shown[0]?.focus();
        break;
      case 'End':
        shown.at(-1)?.focus();
        break;
      case 'Enter':
      case ' ': {
        const item = this.items.find((i) => i.el === document.activeElement);
        if (item) this.activate(item.entry);
        break;
      }
      case 'Escape':
        this.close(true);
        break;
      case 'Tab':
        this.close(true);
        break;
      default:
        return;
    }
    e.preventDefault();
    e.stopPropagation();
  }
}
