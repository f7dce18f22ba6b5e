// The channel to the extension host, and the layout worker client.
import type { WebviewMessage } from '../shared/protocol';
import type { LayoutResponse } from './layout-worker';

/**
 * Messages the webview posts beyond the shared protocol, proposed for protocol.ts:
 * `export` hands a rendered diagram to the host to save (a webview cannot write files).
 */

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export interface HostChannel {
  /** True inside VS Code; false in the standalone page and tests. */
  readonly inVsCode: boolean;
  post(message: WebviewMessage): void;
  getState<T>(): T | undefined;
  setState(state: unknown): void;
}

export function connectHost(): HostChannel {
  if (typeof acquireVsCodeApi === 'function') {
    const api = acquireVsCodeApi();
    return { inVsCode: true, post: (m) => api.postMessage(m), getState: <T>() => api.getState() as T | undefined, setState: (s) => api.setState(s) };
  }
  // Standalone page / tests: keep the messages where a test can read them.
  const sent: WebviewMessage[] = [];
  (window as unknown as { __cnnLensSent: WebviewMessage[] }).__cnnLensSent = sent;
  // The webview state, as VS Code's getState/setState keep it; tests seed it (`__cnnLensInitialState`) and read it.
  const w = window as unknown as { __cnnLensInitialState?: unknown; __cnnLensState?: () => unknown };
  let state: unknown = w.__cnnLensInitialState;
  w.__cnnLensState = () => state;
  return { inVsCode: false, post: (m) => void sent.push(m), getState: <T>() => state as T | undefined, setState: (s) => void (state = s) };
}

/** Runs ELK in a worker started from a blob: URL (the CSP allows `worker-src blob:` only). */
export class LayoutClient {
  private worker: Promise<Worker>;
  private next = 1;
  private readonly pending = new Map<number, { resolve: (g: unknown) => void; reject: (e: Error) => void }>();

  constructor(workerUrl: string | undefined) {
    this.worker = this.start(workerUrl);
  }

  private async start(workerUrl: string | undefined): Promise<Worker> {
    const inline = (window as unknown as { __CNN_LENS_WORKER_SOURCE__?: string }).__CNN_LENS_WORKER_SOURCE__;
    let source: Blob;
    if (typeof inline === 'string') source = new Blob([inline], { type: 'text/javascript' });
    else {
      if (!workerUrl) throw new Error('no layout worker script (data-worker-src) was given');
      const res = await fetch(workerUrl);
      if (!res.ok) throw new Error(`the layout worker could not be loaded (${res.status})`);
      source = new Blob([await res.text()], { type: 'text/javascript' });
    }
    const url = URL.createObjectURL(source);
    const w = new Worker(url, { name: 'cnn-lens-layout' });
    w.onmessage = (e: MessageEvent<LayoutResponse>) => {
      const p = this.pending.get(e.data.id);
      if (!p) return;
      this.pending.delete(e.data.id);
      if ('error' in e.data) p.reject(new Error(e.data.error));
      else p.resolve(e.data.graph);
    };
    w.onerror = (e) => {
      for (const p of this.pending.values()) p.reject(new Error(e.message || 'layout worker failed'));
      this.pending.clear();
    };
    return w;
  }

  async layout<T>(graph: T): Promise<T> {
    const w = await this.worker;
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (g: unknown) => void, reject });
      w.postMessage({ id, graph });
    });
  }
}
