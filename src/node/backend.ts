import * as tfcore from '@tensorflow/tfjs-core';
import type * as tfc from '@tensorflow/tfjs-core';
import { existsSync, readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import type { MemoryLimit } from '../core/runtime/run-memory';
import { chooseProviders, defaultThreads, type ProviderProbe } from './engine/providers';

// Chooses what the extension host and the CLI run a model on: ONNX Runtime (onnxruntime-node, its
// CUDA provider where installed and a device answers, else the CPU) when the model has an engine
// model (an ONNX file as it is; other formats through the IR → ONNX exporter), else the TensorFlow.js
// backends: tfjs-node-gpu (CUDA) when installed and a CUDA device answers, else tfjs-node, else
// WebAssembly (SIMD when the runtime has it), else the plain JavaScript CPU backend. `tried` says,
// in words a user reads, why each better backend was not used.
//
// On ONNX Runtime, tfjs stays for the small work around a run (decoding and preprocessing the input
// image) on its plain CPU backend; the model itself runs on the engine (src/node/engine/).
//
// What has to ship: tfjs-node and tfjs-node-gpu are optional and never bundled (esbuild marks them
// external; they are required here at run time from node_modules when installed). The wasm backend
// is bundled, but its three .wasm binaries must sit next to the bundle (dist/) or be found in
// node_modules/@tensorflow/tfjs-backend-wasm/dist: nothing is ever fetched from the network.

export type BackendPreference = 'auto' | 'onnxruntime' | 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';
export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'onnxruntime', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];

export interface BackendAttempt {
  readonly name: string;
  readonly ok: boolean;
  readonly reason?: string;
}

/** ONNX Runtime's settings for a session, when the engine was chosen. */
export interface EngineChoice {
  /** Execution providers, best first (ends with 'cpu'). */
  readonly providers: readonly string[];
  readonly threads: number;
}

export interface ChosenBackend {
  /** The tfjs the model runs on; on ONNX Runtime, the tfjs CPU backend for preprocessing only. */
  readonly tf: typeof tfc;
  /** What ran: 'onnxruntime (CPU, 4 threads)', 'tfjs-node-gpu', 'tfjs-node', 'wasm' (with ' (SIMD)' when SIMD is used) or 'cpu'. */
  readonly name: string;
  /** Every backend considered, best first, up to the one chosen. */
  readonly tried: BackendAttempt[];
  /** Set when the model runs on ONNX Runtime. */
  readonly engine?: EngineChoice;
}

export interface BackendOptions {
  /** Loads an optional package; injectable for tests. Default: Node's require. */
  readonly require?: (id: string) => unknown;
  /** Folder holding tfjs-backend-wasm*.wasm; default: next to the bundle, else the package's dist/. */
  readonly wasmDir?: string;
  /** Says whether a CUDA device is usable; default: an NVIDIA driver is loaded and tfjs-node-gpu runs an op. */
  readonly cudaProbe?: () => string | undefined;
  /** Why this model cannot run on ONNX Runtime (no engine model for it); undefined when it can. */
  readonly noEngine?: string;
  /**
   * Makes the model's engine model once ONNX Runtime loads and tfjs's CPU backend runs (the weights
   * are loaded on it): resolves with why the model cannot run on the engine (a layer with no ONNX
   * form), and the chain goes on; undefined when it can.
   */
  readonly prepareEngine?: (tf: typeof tfc) => Promise<string | undefined>;
  /** ONNX Runtime's intra-op threads; default every core. */
  readonly threads?: number;
  /** How ONNX Runtime's execution providers are found; injectable for tests. */
  readonly providers?: ProviderProbe;
}

export class BackendError extends Error {}

const nodeRequire = (id: string): unknown => {
  // A plain `require` call with a variable name: esbuild leaves it alone (tfjs-node(-gpu) are external anyway).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(id);
};

/** Why a package failed to load, in a user's words. */
function loadFailure(pkg: string, e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const short = pkg.replace(/^@tensorflow\//, '');
  if (err?.code === 'MODULE_NOT_FOUND' && String(err.message).includes(`'${pkg}'`)) return `${short} not installed`;
  const first = String(err?.message ?? e).split('\n')[0];
  return `${short} is installed but failed to load: ${first}`;
}

/** On Linux the NVIDIA driver announces itself in /proc; elsewhere we cannot tell before trying. */
function defaultCudaProbe(): string | undefined {
  if (process.platform === 'linux' && !existsSync('/proc/driver/nvidia/version')) return 'no NVIDIA driver is loaded (/proc/driver/nvidia/version is missing)';
  if (process.env.CUDA_VISIBLE_DEVICES === '' || process.env.CUDA_VISIBLE_DEVICES === '-1') return `CUDA_VISIBLE_DEVICES=${process.env.CUDA_VISIBLE_DEVICES} hides every GPU`;
  return undefined;
}

/** The folder with the wasm binaries: the explicit one, next to the running bundle, or the package's dist/. */
export function findWasmDir(explicit?: string): string | undefined {
  const candidates = [explicit, typeof __dirname === 'string' ? __dirname : undefined, typeof __dirname === 'string' ? join(__dirname, 'wasm') : undefined];
  try {
    candidates.push(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist'));
  } catch {
    // not resolvable from here (a bundle without node_modules): rely on the folders above
  }
  return candidates.find((d): d is string => !!d && existsSync(join(d, 'tfjs-backend-wasm.wasm')));
}

async function activate(tf: typeof tfc, backend: string): Promise<void> {
  const ok = await tf.setBackend(backend);
  if (!ok || tf.getBackend() !== backend) throw new Error(`tf.setBackend('${backend}') failed`);
  await tf.ready();
}

async function tryNode(tf: typeof tfc, pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node', load: (id: string) => unknown, cudaProbe: (() => string | undefined) | undefined): Promise<string | undefined> {
  const gpu = pkg.endsWith('-gpu');
  try {
    load(pkg);
  } catch (e) {
    const why = loadFailure(pkg, e);
    // libtensorflow with CUDA fails to load without the CUDA runtime: say so.
    return gpu && /libcud|cuda|cudnn/i.test(why) ? `no CUDA device: ${why}` : why;
  }
  if (gpu) {
    const noDevice = (cudaProbe ?? defaultCudaProbe)();
    if (noDevice) return `no CUDA device: ${noDevice}`;
  }
  try {
    await activate(tf, 'tensorflow');
    tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(1)).dataSync());
  } catch (e) {
    return `${pkg} loaded but its TensorFlow backend does not run: ${(e as Error).message}`;
  }
  return undefined;
}

/** ONNX Runtime: the package loads and the model has an engine model; the providers with their reasons. */
async function tryOnnxruntime(tf: typeof tfc, load: (id: string) => unknown, opts: BackendOptions): Promise<{ engine: EngineChoice; name: string; tried: BackendAttempt[] } | { reason: string }> {
  if (opts.noEngine) return { reason: opts.noEngine };
  try {
    load('onnxruntime-node');
  } catch (e) {
    return { reason: loadFailure('onnxruntime-node', e) };
  }
  const cpu = await tryCpu(tf);
  if (cpu) return { reason: `onnxruntime-node loaded, but ${cpu} (it prepares the inputs)` };
  // tfjs's CPU backend advises installing tfjs-node on its first use in Node: not the advice here, where the model runs on ONNX Runtime.
  (tf.backend() as { firstUse?: boolean }).firstUse = false;
  const noModel = await opts.prepareEngine?.(tf);
  if (noModel) return { reason: noModel };
  const { providers, tried } = chooseProviders(opts.providers);
  const threads = opts.threads ?? defaultThreads();
  const where = providers[0] === 'cuda' ? 'CUDA' : `CPU, ${threads} thread${threads === 1 ? '' : 's'}`;
  return { engine: { providers, threads }, name: `onnxruntime (${where})`, tried: tried.map((t) => ({ ...t })) };
}

async function tryWasm(tf: typeof tfc, wasmDir: string | undefined): Promise<{ name: string } | { reason: string }> {
  let wasm: typeof import('@tensorflow/tfjs-backend-wasm');
  try {
    wasm = await import('@tensorflow/tfjs-backend-wasm');
  } catch (e) {
    return { reason: loadFailure('@tensorflow/tfjs-backend-wasm', e) };
  }
  const dir = findWasmDir(wasmDir);
  if (!dir) return { reason: 'the WebAssembly binaries (tfjs-backend-wasm*.wasm) were not found next to CNN Lens or in node_modules' };
  // Node has no threads for the wasm backend here; SIMD is picked by tfjs when the runtime supports it.
  wasm.setWasmPaths(dir.endsWith('/') ? dir : `${dir}/`);
  try {
    await activate(tf, 'wasm');
  } catch (e) {
    return { reason: `the WebAssembly backend failed to start: ${(e as Error).message}` };
  }
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  return { name: simd ? 'wasm (SIMD)' : 'wasm' };
}

async function tryCpu(tf: typeof tfc): Promise<string | undefined> {
  try {
    await import('@tensorflow/tfjs-backend-cpu');
    await activate(tf, 'cpu');
    return undefined;
  } catch (e) {
    return `the CPU backend failed to start: ${(e as Error).message}`;
  }
}

/**
 * Picks and activates a backend. 'auto' walks onnxruntime → tfjs-node-gpu → tfjs-node → wasm → cpu;
 * a named backend is used alone and is an error (with the reason) when it cannot run.
 */
export async function chooseBackend(preference: BackendPreference = 'auto', opts: BackendOptions = {}): Promise<ChosenBackend> {
  if (!BACKEND_PREFERENCES.includes(preference)) {
    throw new BackendError(`unknown backend "${preference}": choose one of ${BACKEND_PREFERENCES.join(', ')}`);
  }
  const tf = tfcore;
  const load = opts.require ?? nodeRequire;
  const tried: BackendAttempt[] = [];
  const order: Exclude<BackendPreference, 'auto'>[] = preference === 'auto' ? ['onnxruntime', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] : [preference];
  for (const name of order) {
    let reason: string | undefined;
    let ran = name as string;
    if (name === 'onnxruntime') {
      const r = await tryOnnxruntime(tf, load, opts);
      if ('reason' in r) reason = r.reason;
      else {
        tried.push(...r.tried, { name, ok: true });
        return { tf, name: r.name, tried, engine: r.engine };
      }
    } else if (name === 'tfjs-node-gpu' || name === 'tfjs-node') {
      reason = await tryNode(tf, `@tensorflow/${name}`, load, opts.cudaProbe);
    } else if (name === 'wasm') {
      const r = await tryWasm(tf, opts.wasmDir);
      if ('reason' in r) reason = r.reason;
      else ran = r.name;
    } else {
      reason = await tryCpu(tf);
    }
    tried.push(reason ? { name, ok: false, reason } : { name, ok: true });
    if (!reason) return { tf, name: ran, tried };
  }
  const why = tried.map((t) => `${t.name}: ${t.reason}`).join('; ');
  throw new BackendError(preference === 'auto' ? `no backend could start (${why})` : `backend ${preference} cannot run: ${tried[0]?.reason}`);
}

/** How much a run can hold on a backend (ONNX Runtime's, or tf.getBackend()'s name): wasm32 addresses 4 GiB (tfjs-backend-wasm's maximum); the others use the machine's memory. */
export function memoryLimit(backend: ChosenBackend | string): MemoryLimit {
  const tfBackend = typeof backend === 'string' ? backend : backend.engine ? 'onnxruntime' : backend.tf.getBackend();
  if (tfBackend === 'wasm') return { bytes: 4 * 2 ** 30, what: "the wasm backend's 4 GiB address space" };
  return { bytes: totalmem(), what: "this machine's memory" };
}

/** One line for the UI and the CLI: "wasm (SIMD); not used: tfjs-node-gpu not installed, tfjs-node not installed". */
export function describeBackend(chosen: Pick<ChosenBackend, 'name' | 'tried'>): string {
  const skipped = chosen.tried.filter((t) => !t.ok);
  return skipped.length ? `${chosen.name}; not used: ${skipped.map((t) => t.reason).join(', ')}` : chosen.name;
}

/** The version of an installed optional backend package, or undefined (for messages and the README). */
export function installedVersion(pkg: string): string | undefined {
  try {
    return JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')).version;
  } catch {
    return undefined;
  }
}
