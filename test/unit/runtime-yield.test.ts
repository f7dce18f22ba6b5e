import { strict as assert } from 'node:assert';
import { yieldToEventLoop } from '../../src/core/runtime/yield';

// yieldToEventLoop: a long run that yields with it lets timers and messages in (a cancel lands),
// in Node (setImmediate) and where only MessageChannel exists (browsers, workers).

async function yieldsUntil(flag: () => boolean, limit = 100_000): Promise<number> {
  let turns = 0;
  while (!flag() && turns < limit) {
    await yieldToEventLoop();
    turns++;
  }
  return turns;
}

describe('yieldToEventLoop', () => {
  it('lets a timer fire while a loop yields (Node: setImmediate)', async () => {
    let fired = false;
    setTimeout(() => (fired = true), 5);
    await yieldsUntil(() => fired);
    assert.ok(fired, 'the timer never ran during 100,000 yields');
  });

  it('without setImmediate, yields through a MessageChannel (each one resolves) and timers still fire', async () => {
    const saved = globalThis.setImmediate;
    (globalThis as { setImmediate?: unknown }).setImmediate = undefined;
    try {
      const resolved: number[] = [];
      await Promise.all([1, 2, 3].map((i) => yieldToEventLoop().then(() => resolved.push(i))));
      assert.deepEqual(resolved.sort(), [1, 2, 3]);
      let fired = false;
      setTimeout(() => (fired = true), 5);
      await yieldsUntil(() => fired);
      assert.ok(fired, 'the timer never ran during 100,000 yields');
    } finally {
      globalThis.setImmediate = saved;
    }
  });
});
