import { Worker } from 'node:worker_threads';
import type { Analysis } from '../../core';
import type { AnalysisHead, AnalysisInput, AnalysisReply, AnalysisRequest } from './protocol';

// The host's side of the analysis worker (worker.ts, bundled as dist/analysis-worker.js): one worker
// thread, one analysis at a time, queued by document. A newer request for a document supersedes the
// older one: a queued one is dropped, a running one is stopped by terminating the worker (analysis is
// synchronous code: it cannot be interrupted any other way), and the next request starts a fresh
// worker. Either way the older promise rejects with Superseded, which callers ignore.

/** The request was replaced by a newer one for the same document (or the worker was disposed). */
export class Superseded extends Error {
  constructor(readonly key: string) {
    super(`the analysis of ${key} was superseded by a newer one`);
    this.name = 'Superseded';
  }
}

interface Job {
  readonly id: number;
  readonly key: string;
  readonly input: AnalysisInput;
  resolve(analysis: Analysis): void;
  reject(error: Error): void;
  /** The parts received so far (protocol.ts): the head, then the nodes slice by slice. */
  head?: AnalysisHead;
  graphNodes?: Analysis['graph']['nodes'][number][];
  nodes?: Analysis['nodes'][number][];
}

export class AnalysisWorker {
  private worker: Worker | undefined;
  private running: Job | undefined;
  private readonly queue: Job[] = [];
  private nextId = 1;
  private disposed = false;

  /** `script`: the bundled worker (dist/analysis-worker.js). */
  constructor(private readonly script: string) {}

  /**
   * Parses and analyses `input` in the worker; `key` names the document (its URI), so that a newer
   * request for it supersedes this one. Bytes are transferred: the caller's buffer is emptied.
   */
  analyze(key: string, input: AnalysisInput): Promise<Analysis> {
    if (this.disposed) return Promise.reject(new Superseded(key));
    this.cancel(key);
    return new Promise<Analysis>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, key, input, resolve, reject });
      this.pump();
    });
  }

  /** Drops the request for `key` (the document closed): it rejects with Superseded. */
  cancel(key: string): void {
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i].key === key) this.queue.splice(i, 1)[0].reject(new Superseded(key));
    if (this.running?.key === key) {
      this.stopRunning(new Superseded(key));
      this.pump();
    }
  }

  /** True while a request for `key` is queued or running. */
  busyWith(key: string): boolean {
    return this.running?.key === key || this.queue.some((j) => j.key === key);
  }

  dispose(): void {
    this.disposed = true;
    for (const job of this.queue.splice(0)) job.reject(new Superseded(job.key));
    this.stopRunning(this.running && new Superseded(this.running.key));
  }

  private pump(): void {
    if (this.running || this.disposed) return;
    const job = this.queue.shift();
    if (!job) return;
    this.running = job;
    const request: AnalysisRequest = { id: job.id, input: job.input };
    this.ensureWorker().postMessage(request, 'bytes' in job.input ? [job.input.bytes.buffer as ArrayBuffer] : []);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script);
    worker.unref(); // an idle worker keeps no process alive (the CLI, tests)
    worker.on('message', (reply: AnalysisReply) => {
      const job = this.running;
      if (!job || job.id !== reply.id) return;
      if ('error' in reply) return this.finish(() => job.reject(new Error(reply.error)));
      if ('head' in reply) {
        job.head = reply.head;
        job.graphNodes = [];
        job.nodes = [];
      } else {
        job.graphNodes!.push(...reply.graphNodes);
        job.nodes!.push(...reply.nodes);
      }
      if (reply.last) return this.finish(() => job.resolve(assemble(job.head!, job.graphNodes!, job.nodes!)));
      // The next slice once this thread has had a turn: pending work runs between two decodes.
      setImmediate(() => {
        if (this.running === job && this.worker === worker) worker.postMessage({ id: job.id, next: true } satisfies AnalysisRequest);
      });
    });
    // A crash (out of memory, a bug) fails the request it was running; the next one gets a new worker.
    const lost = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      const job = this.running;
      this.running = undefined;
      job?.reject(error);
      this.pump();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`the analysis worker stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private finish(settle: () => void): void {
    this.running = undefined;
    settle();
    this.pump();
  }

  private stopRunning(reason: Error | undefined): void {
    const job = this.running;
    const worker = this.worker;
    this.running = undefined;
    this.worker = undefined;
    if (worker) void worker.terminate();
    if (job && reason) job.reject(reason);
  }
}

/** The analysis from its parts: the node lists put back in the head, byId rebuilt over the same objects. */
function assemble(head: AnalysisHead, graphNodes: Analysis['graph']['nodes'][number][], nodes: Analysis['nodes'][number][]): Analysis {
  return { ...head, graph: { ...head.graph, nodes: graphNodes }, nodes, byId: new Map(nodes.map((n) => [n.id, n])) };
}
