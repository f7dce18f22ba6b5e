// The summary table: one row per layer, like `model.summary()` / torchinfo, with sortable columns.
import type { ReportLayer } from '../src/core/analysis/report-types';
import { bytes, grouped, human } from '../src/core/analysis/units';
import { dims, h } from './dom';
import type { ModelView } from './model';

interface Column {
  readonly key: string;
  readonly title: string;
  readonly num?: boolean;
  readonly value: (l: ReportLayer, i: number) => number | string;
  readonly cell: (l: ReportLayer, i: number) => Node | string;
  /** The footer's cell: the model's total, where the column has one. */
  readonly total?: string;
}

export class SummaryTable {
  private sortKey = '#';
  private dir: 1 | -1 = 1;
  private view: ModelView | null = null;
  private selected: string | null = null;

  constructor(private readonly root: HTMLElement, private readonly onSelect: (id: string) => void) {}

  private columns(view: ModelView): Column[] {
    const total = view.report.totals.macs ?? 0;
    const blockName = (id: string): string => {
      const g = view.groupOf.get(id);
      return g ? view.groups.get(g)!.name : '';
    };
    const t = view.report.totals;
    // The columns that matter first (name, output shape, params, MACs): in a narrow group they are what
    // shows, the name column stays put, and the rest scrolls (media/webview.css).
    return [
      { key: '#', title: '#', num: true, value: (_l, i) => i, cell: (_l, i) => String(i + 1) },
      {
        key: 'name', title: 'Layer', value: (l) => l.name, total: `Total (${view.report.layers.length} layers)`,
        cell: (l) => {
          const dot = h('span', { class: `fam-dot fam-${/^[a-z]+$/.test(l.family) ? l.family : 'unknown'}` });
          return h('span', { class: 'lname', title: l.name }, dot, l.name);
        },
      },
      { key: 'shape', title: 'Output shape', value: (l) => (l.outputShape ?? []).reduce<number>((a, d) => a * (d ?? 1), 1), cell: (l) => h('span', { class: 'mono' }, dims(l.outputShape)) },
      { key: 'params', title: 'Params', num: true, value: (l) => l.params, cell: (l) => grouped(l.params), total: grouped(t.params) },
      { key: 'macs', title: 'MACs', num: true, value: (l) => l.macs ?? -1, cell: (l) => human(l.macs), total: human(t.macs) },
      { key: 'type', title: 'Type', value: (l) => l.type, cell: (l) => l.type },
      { key: 'block', title: 'Block', value: (l) => blockName(l.name), cell: (l) => blockName(l.name) },
      { key: 'flops', title: 'FLOPs', num: true, value: (l) => l.flops ?? -1, cell: (l) => human(l.flops), total: human(t.flops) },
      { key: 'act', title: 'Activations', num: true, value: (l) => l.activationBytes ?? -1, cell: (l) => bytes(l.activationBytes), total: bytes(t.activationBytes) },
      {
        key: 'share', title: 'Share of MACs', num: true, value: (l) => l.macs ?? -1,
        cell: (l) => {
          const p = total && l.macs ? l.macs / total : 0;
          const fill = h('span');
          fill.style.width = `${(p * 100).toFixed(1)}%`;
          return h('span', {}, h('span', { class: 'sharebar' }, fill), p ? `${(p * 100).toFixed(1)}%` : '—');
        },
      },
    ];
  }

  render(view: ModelView): void {
    this.view = view;
    const cols = this.columns(view);
    const idx = new Map(view.report.layers.map((l, i) => [l.name, i]));
    const col = cols.find((c) => c.key === this.sortKey) ?? cols[0];
    const rows = [...view.report.layers].sort((a, b) => {
      const va = col.value(a, idx.get(a.name)!);
      const vb = col.value(b, idx.get(b.name)!);
      const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
      return c * this.dir || idx.get(a.name)! - idx.get(b.name)!;
    });
    const thead = h('thead', {}, h('tr', {}, ...cols.map((c) => {
      const th = h('th', { class: `${c.num ? 'num' : ''} col-${c.key === '#' ? 'index' : c.key}`, 'data-key': c.key, tabindex: 0, scope: 'col', 'aria-sort': c.key === this.sortKey ? (this.dir === 1 ? 'ascending' : 'descending') : 'none' }, c.title);
      const sort = (): void => {
        if (this.sortKey === c.key) this.dir = this.dir === 1 ? -1 : 1;
        else {
          this.sortKey = c.key;
          this.dir = c.num && c.key !== '#' ? -1 : 1;
        }
        this.render(view);
      };
      th.addEventListener('click', sort);
      th.addEventListener('keydown', (e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), sort()));
      return th;
    })));
    const tbody = h('tbody');
    for (const l of rows) {
      const i = idx.get(l.name)!;
      const tr = h('tr', { 'data-id': l.name, class: l.name === this.selected ? 'selected' : '' }, ...cols.map((c) => h('td', { class: `${c.num ? 'num' : ''} col-${c.key === '#' ? 'index' : c.key}${c.key === 'block' || c.key === '#' ? ' muted' : ''}` }, c.cell(l, i))));
      tr.addEventListener('click', () => this.onSelect(l.name));
      tbody.append(tr);
    }
    const tfoot = h('tfoot', {}, h('tr', {}, ...cols.map((c) => h('td', { class: `${c.num ? 'num' : ''} col-${c.key === '#' ? 'index' : c.key}` }, c.total ?? ''))));
    this.root.replaceChildren(h('table', { class: 'table' }, thead, tbody, tfoot));
  }

  select(id: string | null): void {
    this.selected = id;
    if (!this.view) return;
    for (const tr of this.root.querySelectorAll('tr.selected')) tr.classList.remove('selected');
    if (!id) return;
    const tr = [...this.root.querySelectorAll<HTMLTableRowElement>('tbody tr')].find((r) => r.dataset.id === id);
    if (tr) {
      tr.classList.add('selected');
      if (this.root.offsetParent) tr.scrollIntoView({ block: 'nearest' });
    }
  }
}
