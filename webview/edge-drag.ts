// Rewiring by dragging an edge: press on an edge (a wide invisible stroke around it, and a handle at
// each end that shows on hover and on the selected node's edges), drag onto another layer, drop. The
// edge stays plugged into its target's input and takes its data from the layer dropped on: a `connect`
// edit replacing that input. Either end can be grabbed (the source end is the `drag an edge end to
// another layer's output` of issue 5; the target end is easier to hit where a fan-out shares a trunk).
// While dragging, the candidate says whether the host would apply the edit: it is planned there by
// the very code that applies edits (no second set of rules here), and the answers are cached per
// candidate. Escape cancels. The keyboard path is the context menu's "Replace input…".
import type { ModelEdit } from '../src/core/edit/types';
import { svg } from './dom';
import type { ElkPoint } from './elk-graph';
import type { ModelView, VisibleEdge } from './model';

/** The host's answer to "would this edit be applied?". */
export interface Verdict {
  readonly ok: boolean;
  readonly message?: string;
  readonly problems?: readonly string[];
}

export interface EdgeDragHost {
  /** The model, or null when the diagram cannot be edited. */
  view(): ModelView | null;
  toGraph(clientX: number, clientY: number): ElkPoint;
  /** Whether the host would apply the edit; null when it does not say (then the drop is let through). */
  check(edit: ModelEdit): Promise<Verdict | null>;
  commit(edit: ModelEdit): void;
  /** A drop the host would refuse: say why (the file is not touched). */
  refuse(message: string): void;
  /** A drag began (hide hover tooltips). */
  started(): void;
}

/** Pixels the pointer moves before a press on an edge becomes a drag (a click stays a click). */
const DRAG_START = 4;

/** The layer node under a client point, looking through edges, labels and the drag's own drawing. */
export function layerNodeAt(root: SVGSVGElement, clientX: number, clientY: number): SVGGElement | null {
  for (const el of document.elementsFromPoint(clientX, clientY)) {
    const n = el.closest?.('.node.layer') as SVGGElement | null;
    if (n && root.contains(n)) return n;
  }
  return null;
}

/** Which input of `target` (an index into its inputs) a drawn edge carrying `tensor` feeds. */
export function inputIndex(view: ModelView, target: string, tensor: string, port?: number): number {
  const l = view.layers.get(target);
  if (!l) return -1;
  if (port === undefined) return l.inputs.indexOf(tensor);
  // Ports number the inputs that are layers of the model (model.ts, visibleGraph).
  let k = -1;
  for (let j = 0; j < l.inputs.length; j++) if (view.layers.has(l.inputs[j]) && ++k === port) return j;
  return -1;
}

/**
 * Makes a drawn edge draggable: a wide invisible stroke along it and a handle at each end. Only for
 * edges into a layer (an edge into a collapsed block stands for a layer hidden inside it).
 */
export function decorateEdge(g: SVGGElement, edge: VisibleEdge, points: readonly ElkPoint[], d: string): void {
  // Each handle sits a little way along the edge from its end, so that neither the node nor the source's
  // output dot (drag to connect) covers it.
  const inset = (end: ElkPoint, next: ElkPoint): ElkPoint => {
    const len = Math.hypot(next.x - end.x, next.y - end.y) || 1;
    const by = Math.min(9, len / 2);
    return { x: end.x + ((next.x - end.x) / len) * by, y: end.y + ((next.y - end.y) / len) * by };
  };
  const b = points[points.length - 1];
  const s = inset(points[0], points[1]);
  const t = inset(b, points[points.length - 2]);
  g.classList.add('rewirable');
  Object.assign(g.dataset, { edge: edge.id, tensor: edge.tensor, port: edge.port === undefined ? '' : String(edge.port), endX: String(b.x), endY: String(b.y) });
  const title = 'Drag onto another layer to feed this input from it';
  g.append(
    svg('path', { class: 'edge-hit', d }, svg('title', {}, title)),
    svg('circle', { class: 'edge-handle', 'data-end': 'source', cx: s.x, cy: s.y, r: 4.5 }, svg('title', {}, title)),
    svg('circle', { class: 'edge-handle', 'data-end': 'target', cx: t.x, cy: t.y, r: 4.5 }, svg('title', {}, title)),
  );
}

interface Drag {
  readonly pointer: number;
  readonly edge: SVGGElement;
  readonly target: string;
  readonly input: number;
  readonly tensor: string;
  /** Where the edge enters its target (graph coordinates): the ghost line ends there. */
  readonly end: ElkPoint;
  readonly startX: number;
  readonly startY: number;
  live: boolean;
  over: SVGGElement | null;
  /** The view's left and right edges (client px), read once when the drag starts. */
  left: number;
  right: number;
}

export class EdgeDrag {
  private drag: Drag | null = null;
  private readonly line: SVGPathElement;
  private readonly tag: SVGGElement;
  /** Answers by target|input|candidate; 'pending' while the host is asked. */
  private readonly verdicts = new Map<string, Verdict | null | 'pending'>();

  constructor(private readonly root: SVGSVGElement, private readonly host: EdgeDragHost) {
    this.line = svg('path', { class: 'rewire-line', d: '', 'marker-end': 'url(#cl-arrow-hot)' });
    this.tag = svg('g', { class: 'rewire-tag', display: 'none' }, svg('rect', { rx: 4 }), svg('text', { x: 8, y: 10 }));
    // Capture: a press on an edge is a drag, never the diagram's pan or selection.
    root.addEventListener('pointerdown', (e) => this.down(e), true);
    root.addEventListener('pointermove', (e) => this.move(e), true);
    root.addEventListener('pointerup', (e) => this.up(e), true);
    root.addEventListener('pointercancel', (e) => this.up(e), true);
    window.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape' || !this.drag) return;
      e.preventDefault();
      e.stopPropagation();
      this.cancel();
    }, true);
  }

  /** The model changed: answers about the old one no longer hold, and a drag in flight is dropped. */
  reset(): void {
    this.verdicts.clear();
    this.cancel();
  }

  get dragging(): boolean {
    return !!this.drag?.live;
  }

  private down(e: PointerEvent): void {
    const view = this.host.view();
    const hit = (e.target as Element).closest?.('.edge-hit, .edge-handle');
    const edge = hit?.closest('.edge.rewirable') as SVGGElement | null;
    if (e.button !== 0 || !view || !hit || !edge) return;
    const target = edge.dataset.target!;
    const tensor = edge.dataset.tensor!;
    const input = inputIndex(view, target, tensor, edge.dataset.port ? Number(edge.dataset.port) : undefined);
    if (input < 0) return;
    e.stopPropagation();
    e.preventDefault();
    this.root.setPointerCapture(e.pointerId);
    this.drag = { pointer: e.pointerId, edge, target, input, tensor, end: { x: Number(edge.dataset.endX), y: Number(edge.dataset.endY) }, startX: e.clientX, startY: e.clientY, live: false, over: null, left: 0, right: 0 };
  }

  private move(e: PointerEvent): void {
    const d = this.drag;
    if (!d || d.pointer !== e.pointerId) return;
    e.stopPropagation();
    if (!d.live) {
      if (Math.hypot(e.clientX - d.startX, e.clientY - d.startY) < DRAG_START) return;
      d.live = true;
      const box = this.root.getBoundingClientRect();
      d.left = box.left;
      d.right = box.right;
      d.edge.classList.add('rewiring');
      this.root.classList.add('rewiring');
      const viewport = this.root.querySelector('.viewport');
      viewport?.append(this.line, this.tag);
      this.host.started();
    }
    const p = this.host.toGraph(e.clientX, e.clientY);
    const my = (p.y + d.end.y) / 2;
    this.line.setAttribute('d', `M${p.x},${p.y} C${p.x},${my} ${d.end.x},${my} ${d.end.x},${d.end.y}`);
    const node = layerNodeAt(this.root, e.clientX, e.clientY);
    const id = node?.dataset.id;
    const over = node && id !== d.target && id !== d.tensor ? node : null;
    if (over !== d.over) {
      d.over?.classList.remove('drop-target', 'drop-ok', 'drop-bad', 'drop-checking');
      d.over = over;
      if (over) this.judge(d, over);
    }
    this.showTag(d, p);
  }

  private up(e: PointerEvent): void {
    const d = this.drag;
    if (!d || d.pointer !== e.pointerId) return;
    e.stopPropagation();
    const from = d.live && e.type === 'pointerup' ? d.over?.dataset.id : undefined;
    this.cancel();
    if (!from) return;
    const verdict = this.verdicts.get(this.key(d, from));
    if (verdict && verdict !== 'pending' && !verdict.ok) {
      this.host.refuse(`Cannot feed ${this.inputName(d)} from ${from}: ${verdict.message ?? 'the host refuses it'}`);
      return;
    }
    this.host.commit(this.edit(d, from));
  }

  private cancel(): void {
    const d = this.drag;
    this.drag = null;
    if (!d) return;
    d.edge.classList.remove('rewiring');
    d.over?.classList.remove('drop-target', 'drop-ok', 'drop-bad', 'drop-checking');
    this.root.classList.remove('rewiring');
    this.line.remove();
    this.tag.remove();
    delete this.tag.dataset.full;
    if (this.root.hasPointerCapture(d.pointer)) this.root.releasePointerCapture(d.pointer);
  }

  private edit(d: Drag, from: string): ModelEdit {
    return { kind: 'connect', layer: d.target, input: d.input, from };
  }

  private key(d: Drag, from: string): string {
    return `${d.target}|${d.input}|${from}`;
  }

  private inputName(d: Drag): string {
    const n = this.host.view()?.layers.get(d.target)?.inputs.length ?? 1;
    return n > 1 ? `input ${d.input + 1} of ${d.target}` : d.target;
  }

  /** Marks the candidate with the host's answer, asking for it the first time. */
  private judge(d: Drag, node: SVGGElement): void {
    const from = node.dataset.id!;
    const key = this.key(d, from);
    const mark = (): void => {
      if (this.drag !== d || d.over !== node) return;
      const v = this.verdicts.get(key);
      node.classList.remove('drop-ok', 'drop-bad', 'drop-checking');
      node.classList.add('drop-target', v === 'pending' ? 'drop-checking' : v && !v.ok ? 'drop-bad' : 'drop-ok');
      this.showTag(d);
    };
    if (!this.verdicts.has(key)) {
      this.verdicts.set(key, 'pending');
      void this.host.check(this.edit(d, from)).then((v) => {
        this.verdicts.set(key, v);
        mark();
      });
    }
    mark();
  }

  /** The line of text by the pointer: what a drop here would do, or why it would be refused. */
  private showTag(d: Drag, at?: ElkPoint): void {
    const from = d.over?.dataset.id;
    if (!from) {
      this.tag.setAttribute('display', 'none');
      this.tag.removeAttribute('data-state');
    } else {
      const v = this.verdicts.get(this.key(d, from));
      const state = v === 'pending' ? 'checking' : v && !v.ok ? 'bad' : 'ok';
      const broken = v && v !== 'pending' && v.ok ? v.problems?.length ?? 0 : 0;
      const text = state === 'bad' && v && v !== 'pending'
        ? `✕ ${v.message ?? 'refused'}`
        : `Feed ${this.inputName(d)} from ${from}${state === 'checking' ? ' …' : broken ? ` (breaks ${broken} downstream)` : ''}`;
      this.tag.removeAttribute('display');
      this.tag.dataset.state = state;
      if (this.tag.dataset.full !== text) {
        // Cut to the view's width (the banner after a refused drop says it all).
        this.tag.dataset.full = text;
        const t = this.tag.querySelector('text')!;
        t.textContent = text;
        const room = this.host.toGraph(d.right - 8, 0).x - this.host.toGraph(d.left + 8, 0).x - 16;
        let w = t.getComputedTextLength();
        if (w > room) {
          t.textContent = `${text.slice(0, Math.max(8, Math.floor((text.length * room) / w) - 1))}…`;
          w = t.getComputedTextLength();
        }
        this.tag.querySelector('rect')!.setAttribute('width', String(Math.ceil(w + 16)));
        this.tag.querySelector('rect')!.setAttribute('height', '20');
      }
    }
    if (at) {
      // Beside the pointer, pulled left as far as needed to stay in the view.
      const w = Number(this.tag.querySelector('rect')!.getAttribute('width') ?? 0);
      const left = this.host.toGraph(d.left + 8, 0).x;
      const right = this.host.toGraph(d.right - 8, 0).x;
      const x = at.x + 14 + w > right ? Math.max(left, right - w) : at.x + 14;
      this.tag.setAttribute('transform', `translate(${x},${at.y + 22})`);
    }
  }
}
