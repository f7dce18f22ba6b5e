import type * as tfc from '@tensorflow/tfjs-core';
import type { WebviewBackend } from '../../shared/protocol';

// Picks the GPU backend the diagram webview runs models on: WebGPU when the page's navigator.gpu
// gives an adapter, else WebGL (WebGL 2 on an OffscreenCanvas: this runs in a worker). Each backend
// not used comes back with the reason, in words the user reads ("WebGPU: navigator.gpu unavailable").
// The CPU backend is deliberately absent: without a GPU here, the extension host runs the model
// faster (WebAssembly, or TensorFlow native), so the host takes the run back.

/** The TensorFlow.js backends (onnxruntime-web chooses its own execution provider: ort-run.ts). */
export type TfjsWebviewBackend = Exclude<WebviewBackend, 'onnxruntime-web'>;

export type WebviewChoice = { readonly name: TfjsWebviewBackend; readonly notUsed: string[] } | { readonly failed: string[] };

interface GpuNavigator {
  readonly gpu?: { requestAdapter(): Promise<unknown | null> };
}

/** Why WebGPU cannot run here, or undefined when it can (an adapter answers). */
export async function webgpuUnavailable(): Promise<string | undefined> {
  const gpu = (navigator as GpuNavigator).gpu;
  if (!gpu) return typeof isSecureContext === 'boolean' && !isSecureContext ? 'navigator.gpu unavailable (not a secure context)' : 'navigator.gpu unavailable';
  try {
    return (await gpu.requestAdapter()) ? undefined : 'navigator.gpu gave no adapter';
  } catch (e) {
    return `requestAdapter failed: ${(e as Error).message}`;
  }
}

async function activate(tf: typeof tfc, name: TfjsWebviewBackend): Promise<string | undefined> {
  try {
    // setBackend answers false (and logs) when the backend's factory throws, e.g. no WebGL context.
    if (!(await tf.setBackend(name)) || tf.getBackend() !== name) return 'the backend did not start';
    await tf.ready();
    tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(1)).dataSync());
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Activates the preferred backend, or the next one down (WebGPU → WebGL). */
export async function chooseWebviewBackend(tf: typeof tfc, preference: TfjsWebviewBackend): Promise<WebviewChoice> {
  const notUsed: string[] = [];
  if (preference === 'webgpu') {
    const why = (await webgpuUnavailable()) ?? (await activate(tf, 'webgpu'));
    if (!why) return { name: 'webgpu', notUsed };
    notUsed.push(`WebGPU: ${why}`);
  }
  const gl = typeof OffscreenCanvas === 'undefined' ? 'OffscreenCanvas unavailable' : new OffscreenCanvas(1, 1).getContext('webgl2') ? await activate(tf, 'webgl') : 'no WebGL 2 context';
  if (!gl) return { name: 'webgl', notUsed };
  notUsed.push(`WebGL: ${gl}`);
  return { failed: notUsed };
}
