import type { HostChannel } from '../host';
import type { HostMessage, RunRequest } from '../../shared/protocol';
import { describeWebviewRun } from '../../shared/run-describe';
import type { WorkerReply, WorkerRequest } from './worker';

// The page's side of running models here: `run` and `cancelRun` from the host go to the run worker
// (dist/run-worker.js, fetched and started from a blob: URL on the first run, as the CSP allows);
// its answers go back to the host. In VS Code the host then posts the `activations` (with class
// names, to every diagram of the model) as for its own runs; the standalone page has no host, so it
// shows them itself, through the same message.

export function startModelRuns(host: HostChannel, workerUrl: string | undefined): void {
  let worker: Promise<Worker> | undefined;
  const requests = new Map<number, RunRequest>();

  const answer = (reply: WorkerReply) => {
    const request = requests.get(reply.id);
    requests.delete(reply.id);
    host.post(reply);
    if (reply.type === 'runResult' && request && !host.inVsCode) {
      window.postMessage({ type: 'activations', image: request.image, random: request.random, previews: reply.previews, backend: describeWebviewRun(reply.backend, reply.notUsed) } satisfies HostMessage, '*');
    }
  };

  const start = async (): Promise<Worker> => {
    if (!workerUrl) throw new Error('this page has no run worker (data-run-src)');
    const res = await fetch(workerUrl);
    if (!res.ok) throw new Error(`the run worker could not be loaded (${res.status})`);
    const url = URL.createObjectURL(new Blob([await res.text()], { type: 'text/javascript' }));
    const w = new Worker(url, { name: 'cnn-lens-run' });
    w.onmessage = (e: MessageEvent<WorkerReply>) => answer(e.data);
    w.onerror = (e) => {
      const message = `the run worker failed: ${e.message || 'unknown error'}`;
      for (const id of [...requests.keys()]) answer({ type: 'runFailed', id, message, unavailable: true });
    };
    return w;
  };

  const send = async (m: WorkerRequest, transfer: Transferable[] = []) => {
    try {
      worker ??= start();
      (await worker).postMessage(m, transfer);
    } catch (e) {
      worker = undefined;
      if (m.type === 'run') answer({ type: 'runFailed', id: m.id, unavailable: true, message: (e as Error).message });
    }
  };

  // The worker's own folder (dist/): onnxruntime-web fetches its wasm from there, the webview's own origin.
  const assets = workerUrl ? new URL('.', new URL(workerUrl, location.href)).href : undefined;

  window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
    const m = event.data;
    if (m?.type === 'run') {
      requests.set(m.id, m);
      // The inputs, weights and model move to the worker: the page keeps no copy.
      const moved = [...m.inputs.map((x) => x.data), ...(m.weights.tensors ?? []).map((w) => w.data), ...(m.weights.onnx ? [m.weights.onnx.bytes] : [])];
      void send({ ...m, assets }, [...new Set(moved)]);
    } else if (m?.type === 'cancelRun' && requests.has(m.id)) void send(m);
  });
}
