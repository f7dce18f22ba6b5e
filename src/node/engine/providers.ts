import { existsSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';

// Which ONNX Runtime execution providers this installation can use, detected without running or
// downloading anything. The CPU provider is inside the onnxruntime-node package. The CUDA provider
// is a separate library (libonnxruntime_providers_cuda) that the package's install script downloads
// only when asked (`npm install --onnxruntime-node-install=cuda12`, onnxruntime-node 1.23's flag;
// this project's .npmrc skips it), and it needs an NVIDIA driver. Each provider not used comes with the reason.

export interface ProviderAttempt {
  readonly name: string;
  readonly ok: boolean;
  readonly reason?: string;
}

export interface ProviderChoice {
  /** Execution providers for the session, best first; always ends with 'cpu'. */
  readonly providers: readonly string[];
  /** Every provider considered, best first. */
  readonly tried: readonly ProviderAttempt[];
}

export interface ProviderProbe {
  /** The folder holding onnxruntime_binding.node and its provider libraries; default: the installed package's. */
  readonly bindingDir?: string;
  /** Says why no CUDA device is usable, or undefined when one is; default: the NVIDIA driver in /proc. */
  readonly cudaDevice?: () => string | undefined;
}

/** The installed onnxruntime-node's native folder (bin/napi-v6/<platform>/<arch>), or undefined. */
export function ortBindingDir(): string | undefined {
  try {
    const dir = join(dirname(require.resolve('onnxruntime-node/package.json')), 'bin', 'napi-v6', process.platform, process.arch);
    return existsSync(dir) ? dir : undefined;
  } catch {
    return undefined;
  }
}

function nvidiaDevice(): string | undefined {
  if (process.platform === 'linux' && !existsSync('/proc/driver/nvidia/version')) return 'no NVIDIA driver is loaded (/proc/driver/nvidia/version is missing)';
  if (process.env.CUDA_VISIBLE_DEVICES === '' || process.env.CUDA_VISIBLE_DEVICES === '-1') return `CUDA_VISIBLE_DEVICES=${process.env.CUDA_VISIBLE_DEVICES} hides every GPU`;
  return undefined;
}

/** The providers to ask for: CUDA where its library and a device are there, then the CPU. */
export function chooseProviders(probe: ProviderProbe = {}): ProviderChoice {
  const dir = probe.bindingDir ?? ortBindingDir();
  const files = dir && existsSync(dir) ? readdirSync(dir) : [];
  const hasCuda = files.some((f) => /onnxruntime_providers_cuda\.(so|dll)$/.test(f));
  const noDevice = (probe.cudaDevice ?? nvidiaDevice)();
  const cudaReason = !hasCuda
    ? "onnxruntime's CUDA provider is not installed (install onnxruntime-node with npm's --onnxruntime-node-install=cuda12 flag to get it)"
    : noDevice;
  const cuda: ProviderAttempt = cudaReason ? { name: 'onnxruntime CUDA', ok: false, reason: cudaReason } : { name: 'onnxruntime CUDA', ok: true };
  return { providers: cuda.ok ? ['cuda', 'cpu'] : ['cpu'], tried: [cuda] };
}

/** Intra-op threads: `--threads N` / the caller's, else every core. */
export const defaultThreads = (): number => availableParallelism();
