// Limited-memory BFGS (L-BFGS) on Float32Arrays, for Optimise mode's image (Gatys et al. 2016 used
// L-BFGS). No well-kept npm package does L-BFGS on typed arrays (the registry has none under that
// name; `fmin` offers only Nelder–Mead and conjugate gradients, `optimization-js` is unmaintained),
// so here it is, following Nocedal & Wright, Numerical Optimization (2nd ed., 2006):
//
//   Algorithm 7.4 (two-loop recursion): r = H_k ∇f_k from the last m pairs
//     s_i = x_{i+1} − x_i,  y_i = ∇f_{i+1} − ∇f_i,  ρ_i = 1 / (y_iᵀ s_i),
//     with the initial matrix H_k⁰ = γ_k I, γ_k = s_{k−1}ᵀ y_{k−1} / y_{k−1}ᵀ y_{k−1}   (eq. 7.20);
//   Algorithm 7.5 (L-BFGS): p_k = −H_k ∇f_k, x_{k+1} = x_k + α_k p_k, keep the newest m pairs.
//
// Departures, each for a reason:
// - Step length by backtracking until the Armijo (sufficient decrease) condition holds
//   (N&W Algorithm 3.1), trying α = 1 first, as N&W advise for quasi-Newton directions, each cut
//   to the minimiser of the quadratic interpolant, safeguarded to [0.1α, 0.5α] (N&W §3.5); not a
//   full Wolfe search. So yᵀs > 0 is not guaranteed: a pair whose curvature is not clearly positive is
//   skipped (N&W §7.2 / §6.1 "skipping the update"), which keeps H_k positive definite.
// - Optional box bounds (pixels stay in [0, 255]): each trial point is projected onto the box and
//   the Armijo test uses the step actually taken, f(P(x + αp)) ≤ f(x) + c₁ ∇fᵀ(P(x + αp) − x)
//   (the projected Armijo rule, Bertsekas 1982); s_k is that projected step. Variables on a bound
//   whose gradient pushes them outward are held for the iteration (their gradient and direction
//   components zeroed), so the direction stays a descent direction for the free ones. A heuristic
//   for bounds (L-BFGS-B is the rigorous method).
// - Steepest descent (no pairs yet, or after a reset) is scaled so that its largest component is
//   `initialStep` in the variables' units the first time, then twice the last such step that was
//   accepted: on a loss that curves downward (Optimise mode's start, through ReLUs) no pair has
//   positive curvature, and fixed small steps would crawl. With pairs, γ_k sets the scale.
// - If the direction is not a descent direction or the line search fails, the history is dropped
//   and steepest descent is tried once more before giving up.
// Every accepted iteration decreases f, so the loss history is monotone.

/** The function to minimise: its value and gradient at x (the gradient may be a fresh array). */
export type Objective = (x: Float32Array) => { value: number; gradient: Float32Array };

export interface LbfgsOptions {
  /** Pairs (s, y) kept: m (default 10). */
  readonly history?: number;
  /** Armijo constant c₁ (default 1e-4). */
  readonly c1?: number;
  /** Trial steps per line search before giving up on a direction (default 30). */
  readonly maxBacktracks?: number;
  /** Largest component of the first steepest-descent step (default 1). */
  readonly initialStep?: number;
  /** Stop when every gradient component is at most this (default 1e-6). */
  readonly gradientTolerance?: number;
  /** Box bounds on every variable (default none). */
  readonly lower?: number;
  readonly upper?: number;
}

export interface LbfgsState {
  /** Accepted iterations so far (1 for the first yielded state). */
  readonly iteration: number;
  /** The current point (owned by the optimiser: copy it to keep it). */
  readonly x: Float32Array;
  readonly value: number;
  readonly gradient: Float32Array;
  /** Objective evaluations so far, line-search trials included. */
  readonly evaluations: number;
  /** The accepted step length α. */
  readonly step: number;
}

/** Why the iterations ended by themselves (a caller may stop earlier by leaving the loop). */
export type LbfgsStop = 'converged' | 'no-progress';

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function maxAbs(a: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

interface Pair {
  readonly s: Float32Array;
  readonly y: Float32Array;
  readonly rho: number;
}

/** −H g by the two-loop recursion (N&W Algorithm 7.4); with no pairs, −g. */
function direction(g: Float32Array, pairs: readonly Pair[]): Float32Array {
  const q = Float32Array.from(g);
  const alpha = new Array<number>(pairs.length);
  for (let i = pairs.length - 1; i >= 0; i--) {
    const { s, y, rho } = pairs[i];
    alpha[i] = rho * dot(s, q);
    for (let j = 0; j < q.length; j++) q[j] -= alpha[i] * y[j];
  }
  if (pairs.length) {
    const { s, y } = pairs[pairs.length - 1];
    const gamma = dot(s, y) / dot(y, y);
    for (let j = 0; j < q.length; j++) q[j] *= gamma;
  }
  for (let i = 0; i < pairs.length; i++) {
    const { s, y, rho } = pairs[i];
    const beta = rho * dot(y, q);
    for (let j = 0; j < q.length; j++) q[j] += s[j] * (alpha[i] - beta);
  }
  for (let j = 0; j < q.length; j++) q[j] = -q[j];
  return q;
}

/**
 * Minimises `objective` from `x0`, yielding after every accepted iteration; it returns by itself
 * only on convergence or when no step decreases f. Run it for N iterations with
 * `for (const s of lbfgs(…)) if (s.iteration >= N) break;`.
 */
export function* lbfgs(x0: Float32Array, objective: Objective, options: LbfgsOptions = {}): Generator<LbfgsState, LbfgsStop, void> {
  const m = options.history ?? 10;
  const c1 = options.c1 ?? 1e-4;
  const maxBacktracks = options.maxBacktracks ?? 30;
  const gtol = options.gradientTolerance ?? 1e-6;
  const lo = options.lower ?? -Infinity, hi = options.upper ?? Infinity;
  const project = (v: number) => (v < lo ? lo : v > hi ? hi : v);

  let x: Float32Array = Float32Array.from(x0, project);
  let { value: f, gradient: g } = objective(x);
  let evaluations = 1;
  const pairs: Pair[] = [];
  let steepestStep = options.initialStep ?? 1;
  for (let iteration = 1; ; iteration++) {
    // Variables on a bound that the gradient pushes outward stay where they are this iteration.
    const active = new Uint8Array(x.length);
    const gFree = Float32Array.from(g, (v, j) => ((x[j] <= lo && v > 0) || (x[j] >= hi && v < 0) ? ((active[j] = 1), 0) : v));
    if (maxAbs(gFree) <= gtol) return 'converged';
    let accepted: { x: Float32Array; f: number; g: Float32Array; alpha: number; steepest: boolean } | undefined;
    // One try with the quasi-Newton direction; if it fails, forget the history and try steepest descent.
    for (const fresh of pairs.length ? [false, true] : [true]) {
      if (fresh) pairs.length = 0;
      let p = direction(gFree, pairs);
      for (let j = 0; j < p.length; j++) if (active[j]) p[j] = 0;
      if (!pairs.length) {
        const scale = steepestStep / maxAbs(p);
        p = p.map((v) => v * scale);
      }
      const slope = dot(g, p); // φ'(0) for φ(α) = f(x + αp)
      if (!(slope < 0)) continue;
      let alpha = 1;
      for (let t = 0; t < maxBacktracks; t++) {
        const xt = new Float32Array(x.length);
        let decrease = 0;
        for (let j = 0; j < x.length; j++) {
          xt[j] = project(x[j] + alpha * p[j]);
          decrease += g[j] * (xt[j] - x[j]);
        }
        const trial = objective(xt);
        evaluations++;
        if (Number.isFinite(trial.value) && trial.value <= f + c1 * Math.min(0, decrease) && (decrease < 0 || trial.value < f)) {
          accepted = { x: xt, f: trial.value, g: trial.gradient, alpha, steepest: !pairs.length };
          break;
        }
        // The minimiser of the quadratic through φ(0), φ'(0) and φ(α), kept within [0.1α, 0.5α] (N&W §3.5).
        const quad = Number.isFinite(trial.value) ? (-slope * alpha * alpha) / (2 * (trial.value - f - slope * alpha)) : 0;
        alpha = Math.min(0.5 * alpha, Math.max(0.1 * alpha, quad));
      }
      if (accepted) break;
    }
    if (!accepted) return 'no-progress';
    const s = new Float32Array(x.length), y = new Float32Array(x.length);
    for (let j = 0; j < x.length; j++) {
      s[j] = accepted.x[j] - x[j];
      y[j] = accepted.g[j] - g[j];
    }
    // Steepest descent (no usable pairs, e.g. where f curves downward) next tries twice the step that last worked.
    if (accepted.steepest) steepestStep = 2 * maxAbs(s);
    const sy = dot(s, y);
    // Keep the pair only with clearly positive curvature (cosine of s and y above 1e-8).
    if (sy > 1e-8 * Math.sqrt(dot(s, s) * dot(y, y))) {
      pairs.push({ s, y, rho: 1 / sy });
      if (pairs.length > m) pairs.shift();
    }
    x = accepted.x;
    f = accepted.f;
    g = accepted.g;
    yield { iteration, x, value: f, gradient: g, evaluations, step: accepted.alpha };
  }
}
