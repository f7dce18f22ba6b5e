// A classifier's top-k in the inspector: one row per class, largest first, with the class name when
// the host found a label file (ImageNet's for 1000-class outputs), a bar and the value. It replaces
// the bars picture the host draws for 2-D outputs: the same bars, with names and numbers to read.
import { h } from './dom';
import type { ActivationPreview } from '../shared/protocol';

export function renderTopClasses(top: NonNullable<ActivationPreview['top']>, classes: number): HTMLElement {
  const big = Math.max(1e-12, ...top.map((t) => Math.abs(t.value)));
  const list = h('ol', { class: 'top-classes', 'data-testid': 'inspector-top', 'aria-label': `Top ${top.length} of ${classes} outputs` });
  for (const t of top) {
    const bar = h('span', { class: `bar${t.value < 0 ? ' negative' : ''}` });
    // Per-element values go through CSSOM custom properties: the CSP forbids style attributes.
    bar.style.setProperty('--w', `${((Math.abs(t.value) / big) * 100).toFixed(1)}%`);
    list.append(h('li', { title: `${t.label ?? 'class'} (${t.index}): ${t.value}` },
      h('span', { class: 'name' }, t.label ?? `class ${t.index}`, t.label ? h('span', { class: 'index' }, ` ${t.index}`) : null),
      h('span', { class: 'value' }, t.value.toPrecision(3)),
      bar));
  }
  return list;
}
