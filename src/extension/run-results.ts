import * as vscode from 'vscode';
import type { HostMessage } from '../../shared/protocol';
import { onDidProfile } from './profile-command';
import { onDidComputePreviews } from './run-session';

// The last results of Run Model on Image and Profile Model, per model document (keyed by its URI),
// kept in the host: a diagram opened after the run (or reopened) shows the last run's thumbnails and
// the profile's latency overlay, as a diagram open during the run did. Only what the webview is
// sent is kept (thumbnails and per-layer milliseconds), never tensors.

type Kept = Extract<HostMessage, { type: 'activations' | 'latency' }>;

/** Models whose results are kept at most; the oldest are forgotten first. */
const MAX_MODELS = 32;
const kept = new Map<string, { activations?: Kept; latency?: Kept }>();
const changed = new vscode.EventEmitter<{ readonly uri: string; readonly message: Kept }>();
/** Fires with each new result as the diagram receives it. */
export const onDidKeepResult = changed.event;

function keep(uri: string, message: Kept): void {
  const entry = kept.get(uri) ?? {};
  kept.delete(uri); // re-inserted last: the most recent model
  kept.set(uri, { ...entry, [message.type]: message });
  while (kept.size > MAX_MODELS) kept.delete(kept.keys().next().value!);
  changed.fire({ uri, message });
}

/** The last results for a model, in the order the diagram takes them (the thumbnails change the layout, the overlay does not). */
export function lastResults(uri: vscode.Uri): readonly Kept[] {
  const entry = kept.get(uri.toString());
  return entry ? [entry.activations, entry.latency].filter((m): m is Kept => m !== undefined) : [];
}

/** Starts keeping results (once, at activation). */
export function keepRunResults(): vscode.Disposable[] {
  return [
    changed,
    onDidComputePreviews((r) => keep(r.uri, { type: 'activations', image: r.input, random: r.random, previews: r.previews, backend: r.backend, ...(r.labelsHint ? { labelsHint: r.labelsHint } : {}) })),
    onDidProfile((p) => keep(p.uri, { type: 'latency', backend: p.result.backend, ms: Object.fromEntries(p.result.layers.map((l) => [l.name, l.ms])) })),
  ];
}
