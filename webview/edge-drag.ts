// Rewiring by dragging, with the host's verdict on every candidate before the drop:
//  - an edge: press on it (a wide invisible stroke around it, and a handle near each end that shows on
//    hover and on the selected node's edges), drag onto another layer, drop. The edge stays plugged
//    into its target's input and takes its data from the layer dropped on: a `connect` edit replacing
//    that input. Either end can be grabbed (the source end is issue 5's "drag an edge end to another
//    layer's output"; the target end is the one to grab where a fan-out shares a trunk).
//  - a layer's output dot: drag onto a layer to feed it (the input port dropped on, or a new input of
//    an Add or Concatenate, else its input).
// While dragging, the candidate shows whether the host would apply the edit: the host plans it with
// the very code that applies edits (no second set of rules here); answers are cached per edit. A drop
// the host would refuse posts nothing and says why. Escape cancels. The keyboard path is the context
// menu's "Connect input from…" / "Replace input…".
import type { ModelEdit } from '../src/core/edit/types';
import { svg } from './dom';
import type { Box, ElkPoint } from './elk-graph';
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
  /** A drawn node's box (graph coordinates). */
  box(id: string): Box | undefined;
  /** The input port of `target` whose edge ends near graph point (x, y), if any. */
  portAt(target: string, x: number, y: number): number | undefined;
  /** Whether the host would apply the edit; null when it does not say (then the drop is let through). */
  check(edit: ModelEdit): Promise<Verdict | null>;
  commit(edit: ModelEdit): void;
  /** A drop the host would refuse: say why (the file is not touched). */
  refuse(message: string): void;
  /** A drag began (hide hover tooltips). */
  started(): void;
}

/** Pixels the pointer moves before a press becomes a drag (a click stays a click). */
const DRAG_START = 4;

type ConnectEdit = Extract<ModelEdit, { kind: 'connect' }>;

const key = (edit: ConnectEdit | null): string => (edit ? `${edit.layer}|${edit.input}|${edit.from}` : '');

/** The layer node under a client point, looking through edges, labels and the drag's own drawing. */
function layerNodeAt(root: SVGSVGElement, clientX: number, clientY: number): SVGGElement | null {
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
  Object.assign(g.dataset, { tensor: edge.tensor, port: edge.port === undefined ? '' : String(edge.port), endX: String(b.x), endY: String(b.y) });
  const title = 'Drag onto another layer to feed this input from it';
  g.append(
    svg('path', { class: 'edge-hit', d }, svg('title', {}, title)),
    svg('circle', { class: 'edge-handle', 'data-end': 'source', cx: s.x, cy: s.y, r: 4.5 }, svg('title', {}, title)),
    svg('circle', { class: 'edge-handle', 'data-end': 'target', cx: t.x, cy: t.y, r: 4.5 }, svg('title', {}, title)),
  );
}

interface Drag {
  readonly pointer: number;
  /** The edge being moved (shown detached while dragging), or null for a new edge from an output dot. */
  readonly edge: SVGGElement | null;
  /** The end of the ghost line that stays put (graph coordinates). */
  readonly fixed: ElkPoint;
  /** The line leaves `fixed` (a new edge from an output dot) rather than arriving there (an edge's input end). */
  readonly leaves: boolean;
  /** The edit a drop on layer `id` at graph point `p` would make; null when it would change nothing. */
  readonly editFor: (id: string, p: ElkPoint) => ConnectEdit | null;
  readonly startX: number;
  readonly startY: number;
  live: boolean;
  /** The layer under the pointer whose drop would edit, and that edit. */
  over: SVGGElement | null;
  edit: ConnectEdit | null;
  /** The view's left and right edges (client px), read once when the drag starts. */
  left: number;
  right: number;
}

const CANDIDATE = ['drop-target', 'drop-ok', 'drop-bad', 'drop-checking'];

export class EdgeDrag {
  private drag: Drag | null = null;
  private readonly line: SVGPathElement;
  private readonly tag: SVGGElement;
  /** Answers by edit; 'pending' while the host is asked. */
  private readonly verdicts = new Map<string, Verdict | null | 'pending'>();

  constructor(private readonly root: SVGSVGElement, private readonly host: EdgeDragHost) {
    this.line = svg('path', { class: 'rewire-line', d: '', 'marker-end': 'url(#cl-arrow-hot)' });
    this.tag = svg('g', { class: 'rewire-tag', display: 'none' }, svg('rect', { rx: 4 }), svg('text', { x: 8, y: 10 }));
    // Capture: a press on an edge or an output dot is a drag, never the diagram's pan or selection.
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

  private down(e: PointerEvent): void {
    const view = this.host.view();
    const hit = (e.target as Element).closest?.('.edge-hit, .edge-handle, .port-out');
    if (e.button !== 0 || !view || !hit) return;
    const at = { pointer: e.pointerId, startX: e.clientX, startY: e.clientY, live: false, over: null, edit: null, left: 0, right: 0 };
    let drag: Drag | null = null;
    if (hit.matches('.port-out')) {
      // A new edge from this layer's output: onto a layer to feed it (an Add or a Concatenate gets one more input).
      const source = (hit.closest('.node.layer') as SVGGElement | null)?.dataset.id;
      const b = source ? this.host.box(source) : undefined;
      if (!source || !b) return;
      drag = { ...at, edge: null, fixed: { x: b.x + b.width / 2, y: b.y + b.height }, leaves: true, editFor: (id, p) => this.feed(view, source, id, p) };
    } else {
      // An edge: it stays plugged into its target's input and takes its data from the layer dropped on.
      const edge = hit.closest('.edge.rewirable') as SVGGElement | null;
      if (!edge) return;
      const { target, tensor } = edge.dataset as { target: string; tensor: string };
      const input = inputIndex(view, target, tensor, edge.dataset.port ? Number(edge.dataset.port) : undefined);
      if (input < 0) return;
      const editFor = (id: string): ConnectEdit | null => (id === target || id === tensor ? null : { kind: 'connect', layer: target, input, from: id });
      drag = { ...at, edge, fixed: { x: Number(edge.dataset.endX), y: Number(edge.dataset.endY) }, leaves: false, editFor };
    }
    e.stopPropagation();
    e.preventDefault();
    this.root.setPointerCapture(e.pointerId);
    this.drag = drag;
  }

  /** What a drop of `source`'s output on `id` does: feeds the input port dropped on, else a merge layer's new input, else the first input. */
  private feed(view: ModelView, source: string, id: string, p: ElkPoint): ConnectEdit | null {
    const l = view.layers.get(id);
    if (!l || id === source || (l.inputs.includes(source) && l.family !== 'merge')) return null;
    const input = this.host.portAt(id, p.x, p.y) ?? (l.family === 'merge' ? l.inputs.length : 0);
    return { kind: 'connect', layer: id, input, from: source };
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
      d.edge?.classList.add('rewiring');
      this.root.classList.add(d.leaves ? 'wiring' : 'rewiring');
      this.root.querySelector('.viewport')?.append(this.line, this.tag);
      this.host.started();
    }
    const p = this.host.toGraph(e.clientX, e.clientY);
    const [a, b] = d.leaves ? [d.fixed, p] : [p, d.fixed];
    const my = (a.y + b.y) / 2;
    this.line.setAttribute('d', `M${a.x},${a.y} C${a.x},${my} ${b.x},${my} ${b.x},${b.y}`);
    const node = layerNodeAt(this.root, e.clientX, e.clientY);
    const edit = node ? d.editFor(node.dataset.id!, p) : null;
    const over = edit ? node : null;
    if (over !== d.over || key(edit) !== key(d.edit)) {
      d.over?.classList.remove(...CANDIDATE);
      d.over = over;
      d.edit = edit;
      if (over && edit) this.judge(d, over, edit);
    }
    this.showTag(d, p);
  }

  private up(e: PointerEvent): void {
    const d = this.drag;
    if (!d || d.pointer !== e.pointerId) return;
    e.stopPropagation();
    const edit = d.live && e.type === 'pointerup' ? d.edit : null;
    this.cancel();
    if (!edit) return;
    const verdict = this.verdicts.get(key(edit));
    if (verdict && verdict !== 'pending' && !verdict.ok) {
      const what = this.describe(edit);
      this.host.refuse(`Cannot ${what[0].toLowerCase()}${what.slice(1)}: ${verdict.message ?? 'the host refuses it'}`);
      return;
    }
    this.host.commit(edit);
  }

  private cancel(): void {
    const d = this.drag;
    this.drag = null;
    if (!d) return;
    d.edge?.classList.remove('rewiring');
    d.over?.classList.remove(...CANDIDATE);
    this.root.classList.remove('rewiring', 'wiring');
    this.line.remove();
    this.tag.remove();
    delete this.tag.dataset.full;
    if (this.root.hasPointerCapture(d.pointer)) this.root.releasePointerCapture(d.pointer);
  }

  /** "Feed conv2 from pool1", "Feed input 2 of add from relu", "Add an input to add from relu". */
  private describe(edit: ConnectEdit): string {
    const n = this.host.view()?.layers.get(edit.layer)?.inputs.length ?? 1;
    if (edit.input >= n) return `Add an input to ${edit.layer} from ${edit.from}`;
    return `Feed ${n > 1 ? `input ${edit.input + 1} of ${edit.layer}` : edit.layer} from ${edit.from}`;
  }

  /** Marks the candidate with the host's answer, asking for it the first time. */
  private judge(d: Drag, node: SVGGElement, edit: ConnectEdit): void {
    const k = key(edit);
    const mark = (): void => {
      if (this.drag !== d || d.over !== node || key(d.edit) !== k) return;
      const v = this.verdicts.get(k);
      node.classList.remove(...CANDIDATE);
      node.classList.add('drop-target', v === 'pending' ? 'drop-checking' : v && !v.ok ? 'drop-bad' : 'drop-ok');
      this.showTag(d);
    };
    if (!this.verdicts.has(k)) {
      this.verdicts.set(k, 'pending');
      void this.host.check(edit).then((v) => {
        this.verdicts.set(k, v);
        mark();
      });
    }
    mark();
  }

  /** The line of text by the pointer: what a drop here would do, or why it would be refused. */
  private showTag(d: Drag, at?: ElkPoint): void {
    const edit = d.edit;
    if (!edit) {
      this.tag.setAttribute('display', 'none');
      this.tag.removeAttribute('data-state');
    } else {
      const v = this.verdicts.get(key(edit));
      const state = v === 'pending' ? 'checking' : v && !v.ok ? 'bad' : 'ok';
      const broken = v && v !== 'pending' && v.ok ? v.problems?.length ?? 0 : 0;
      const text = state === 'bad' && v && v !== 'pending'
        ? `✕ ${v.message ?? 'refused'}`
        : `${this.describe(edit)}${state === 'checking' ? ' …' : broken ? ` (breaks ${broken} downstream)` : ''}`;
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
