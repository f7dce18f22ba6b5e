// Activation thumbnails on the diagram's nodes. After "Run Model on Image" (and after each rerun the
// host makes when the model is edited) every layer node shows a small picture of its output at the
// right end of its body: the host's PNG data URL, never the tensor. A collapsed block shows the
// picture of its output layer, the tensor that flows on to the next node, so that ResNet-50's default
// view (blocks collapsed) still reads as a sequence of pictures. While pictures are shown every node
// is THUMB_ROOM wider in the sizes given to ELK, so edges still meet the nodes' borders.
import type { Diagram } from './diagram';
import { h, svg } from './dom';
import type { Size } from './elk-graph';
import type { Activations } from './inspector';
import type { ModelView } from './model';

/** Largest side of a node's picture (graph px). The host's grids are ~130 px: drawn at a third, sharp on HiDPI. */
export const THUMB_MAX = 40;
/** Extra width of layer and collapsed-block nodes while pictures are shown: the picture and its margins. */
export const THUMB_ROOM = THUMB_MAX + 8;

/** A node's size for the layout, grown by `room` (0 while no pictures are shown). */
export const withThumbnailRoom = (size: Size, room: number): Size => (room ? { width: size.width + room, height: size.height } : size);

/** The layer whose preview a visible node shows: a layer its own, a collapsed block its output layer's. */
export function previewSource(view: ModelView, id: string): string | undefined {
  return view.layers.has(id) ? id : (view.groups.get(id)?.outputLayer ?? undefined);
}

/**
 * Draws a node's picture in the last THUMB_ROOM px of its box, replacing the one there; a dashed
 * empty frame when the last run has no preview for it (a layer added since).
 */
export function drawThumbnail(el: SVGGElement, box: Size, href: string | undefined, title: string): void {
  el.querySelector(':scope > .thumb')?.remove();
  const side = Math.min(THUMB_MAX, box.height - 6);
  const x = box.width - THUMB_ROOM + (THUMB_ROOM - side) / 2 - 2;
  const y = (box.height - side) / 2;
  const g = svg('g', { class: `thumb${href ? '' : ' none'}` },
    svg('title', {}, title),
    svg('rect', { class: 'thumb-frame', x: x - 0.5, y: y - 0.5, width: side + 1, height: side + 1, rx: 2 }));
  if (href) g.append(svg('image', { href, x, y, width: side, height: side, preserveAspectRatio: 'xMidYMid meet' }));
  el.append(g);
}

/** The toolbar toggle, the badge that says what the pictures are, and the pictures on the nodes. */
export class NodeThumbnails {
  readonly toggle: HTMLElement & { checked: boolean };
  /** Over the diagram while pictures are shown: the input, and that the weights were random when they were. */
  readonly badge: HTMLElement;
  private activations: Activations | undefined;
  /** The model was edited since the pictures were made (the host reruns when the model is valid). */
  private stale = false;

  /** `shown`: the saved toggle (pictures appear after a run unless the user turned them off); `changed` runs after the user toggles. */
  constructor(private shown: boolean, changed: () => void) {
    this.toggle = h('vscode-checkbox', {
      label: 'Activations', checked: shown, hidden: true, 'data-testid': 'thumbnail-toggle',
      title: 'Show each node’s activation for the last image run through the model',
    }) as HTMLElement & { checked: boolean };
    this.toggle.addEventListener('change', () => {
      this.shown = this.toggle.checked;
      this.renderBadge();
      changed();
    });
    this.badge = h('div', { class: 'activation-badge', role: 'status', 'data-testid': 'activation-badge', hidden: true });
  }

  get on(): boolean {
    return this.shown;
  }

  /** Extra node width for the next layout. */
  get room(): number {
    return this.shown && this.activations ? THUMB_ROOM : 0;
  }

  /** New previews from the host (undefined: none for this model); true when nodes change size and need a new layout. */
  set(activations: Activations | undefined): boolean {
    const before = this.room;
    this.activations = activations;
    this.stale = false;
    this.toggle.hidden = !activations;
    this.renderBadge();
    return this.room !== before;
  }

  /** The model changed: the pictures are from before the edit until the host's rerun arrives. */
  markStale(): void {
    if (!this.activations) return;
    this.stale = true;
    this.renderBadge();
  }

  /** Puts each visible node's picture in (after a layout, or when new previews need no new layout). */
  paint(diagram: Diagram, view: ModelView): void {
    const a = this.activations;
    diagram.svg.classList.toggle('thumbs-stale', this.stale);
    if (!a || !this.room) return;
    diagram.eachNode((id, el, box) => {
      const layer = previewSource(view, id);
      const preview = layer ? a.previews[layer] : undefined;
      const what = layer === id ? id : `${id} (its output, ${layer})`;
      drawThumbnail(el, box, preview?.thumbnail, preview ? `Activation of ${what} for ${a.image}` : `No activation of ${what} yet: the last run predates it`);
    });
  }

  private renderBadge(): void {
    const a = this.activations;
    this.badge.hidden = !a || !this.room;
    if (!a) return this.badge.replaceChildren();
    // One line for the input (the inspector has the whole text), so that a narrow diagram stays visible.
    this.badge.replaceChildren(h('div', { class: 'line' }, h('span', { class: 'title' }, 'Activations'), this.stale ? h('span', { class: 'stale' }, ' (from before the last edit)') : '', ` ${a.image}`));
    if (a.random) this.badge.append(h('div', { class: 'warning', 'data-testid': 'random-weights' }, 'Random weights (seeded): architecture only, not a trained model.'));
  }
}
