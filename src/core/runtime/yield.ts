// Letting other work in (a cancel, a message, the page) during a long run, at the least cost.
// `setTimeout(0)` waits at least 1 ms in Node and 4 ms in nested browser timers: yielded after each
// of MobileNet v1's 92 previews it added ~110 ms to a ~250 ms refresh. `setImmediate` (Node: the
// extension host, the CLI) runs right after pending I/O, so a cancellation still lands; browsers
// and workers get a MessageChannel message, which is not clamped either.

/** Resolves after the event loop has had a turn: pending I/O, messages and events are handled first. */
export function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  if (typeof MessageChannel === 'function') {
    // A channel per yield, closed on arrival: an open port would keep a Node process alive.
    const { port1, port2 } = new MessageChannel();
    return new Promise((resolve) => {
      port1.onmessage = () => {
        port1.close();
        resolve();
      };
      port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}
