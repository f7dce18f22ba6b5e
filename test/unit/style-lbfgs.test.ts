import { strict as assert } from 'node:assert';
import { lbfgs, type LbfgsState, type Objective } from '../../src/core/style/lbfgs';

// L-BFGS (Nocedal & Wright Algorithms 7.4/7.5 with a backtracking Armijo search) on problems whose
// minimum is known exactly.

/** Runs to convergence (or `max` iterations) and returns every yielded state plus the stop reason. */
function run(x0: number[], objective: Objective, options: Parameters<typeof lbfgs>[2] = {}, max = 500) {
  const states: LbfgsState[] = [];
  const it = lbfgs(Float32Array.from(x0), objective, options);
  for (let r = it.next(); ; r = it.next()) {
    if (r.done) return { states, stop: r.value as string };
    states.push({ ...r.value, x: Float32Array.from(r.value.x) });
    if (states.length >= max) return { states, stop: 'max' };
  }
}

describe('style transfer: L-BFGS', () => {
  it('minimises an ill-conditioned quadratic to its exact minimiser A⁻¹b, each iteration decreasing f', () => {
    // f(x) = ½ xᵀAx − bᵀx with A = tridiag(−1, d_i, −1), d_i from 2.5 to 102.5 (condition number ≈ 50): minimiser solves Ax = b.
    const n = 20;
    const d = Array.from({ length: n }, (_, i) => 2.5 + (100 * i) / (n - 1));
    const b = Array.from({ length: n }, (_, i) => Math.sin(i + 1) * 10);
    // In double precision (the optimiser's variables are float32; its own sums are doubles).
    const ax = (x: Float32Array) => Array.from(x, (v, i) => d[i] * v - (i > 0 ? x[i - 1] : 0) - (i < n - 1 ? x[i + 1] : 0));
    const objective: Objective = (x) => {
      const g = ax(x);
      let f = 0;
      for (let i = 0; i < n; i++) f += 0.5 * x[i] * g[i] - b[i] * x[i];
      return { value: f, gradient: Float32Array.from(g, (v, i) => v - b[i]) };
    };
    const { states, stop } = run(new Array(n).fill(0), objective, { gradientTolerance: 1e-4 });
    assert.equal(stop, 'converged');
    // The exact minimiser by the Thomas algorithm (tridiagonal solve) in double precision.
    const c = new Array<number>(n), r = new Array<number>(n), exact = new Array<number>(n);
    c[0] = -1 / d[0];
    r[0] = b[0] / d[0];
    for (let i = 1; i < n; i++) {
      const den = d[i] + c[i - 1];
      c[i] = -1 / den;
      r[i] = (b[i] + r[i - 1]) / den;
    }
    exact[n - 1] = r[n - 1];
    for (let i = n - 2; i >= 0; i--) exact[i] = r[i] - c[i] * exact[i + 1];
    const x = states[states.length - 1].x;
    for (let i = 0; i < n; i++) assert.ok(Math.abs(x[i] - exact[i]) < 1e-4, `x[${i}] = ${x[i]}, exact ${exact[i]}`);
    for (let k = 1; k < states.length; k++) assert.ok(states[k].value < states[k - 1].value, `f rose at iteration ${k + 1}`);
    // Quasi-Newton, not steepest descent: far fewer iterations than n·κ.
    assert.ok(states.length < 60, `${states.length} iterations`);
  });

  it('finds the Rosenbrock minimum (1, 1) from the classic start (−1.2, 1)', () => {
    const objective: Objective = (v) => {
      const [x, y] = v;
      return { value: (1 - x) ** 2 + 100 * (y - x * x) ** 2, gradient: Float32Array.of(-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)) };
    };
    const { states } = run([-1.2, 1], objective, { gradientTolerance: 1e-4 });
    const [x, y] = states[states.length - 1].x;
    assert.ok(Math.abs(x - 1) < 1e-3 && Math.abs(y - 1) < 1e-3, `ended at (${x}, ${y}) after ${states.length} iterations`);
    assert.ok(states.length < 100, `${states.length} iterations`);
  });

  it('keeps the variables inside box bounds and stops on the bound when the minimum lies beyond it', () => {
    // f = Σ (x_i − t_i)², t = (−3, 0.5, 7), box [0, 2]: the minimiser is the projection (0, 0.5, 2).
    const t = [-3, 0.5, 7];
    const objective: Objective = (x) => ({ value: t.reduce((s, ti, i) => s + (x[i] - ti) ** 2, 0), gradient: Float32Array.from(t, (ti, i) => 2 * (x[i] - ti)) });
    const { states } = run([1, 1, 1], objective, { lower: 0, upper: 2 }, 50);
    for (const s of states) assert.ok(s.x.every((v) => v >= 0 && v <= 2), `left the box: ${[...s.x]}`);
    const x = states[states.length - 1].x;
    assert.deepEqual([...x].map((v) => Math.round(v * 1e4) / 1e4), [0, 0.5, 2]);
  });
});
