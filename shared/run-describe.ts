// The one line that says where a webview run ran and why better backends did not, for the
// inspector and the host's notification: "webgl in the diagram webview; not used: WebGPU: navigator.gpu unavailable".

export const describeWebviewRun = (backend: string, notUsed: readonly string[]): string =>
  `${backend} in the diagram webview${notUsed.length ? `; not used: ${notUsed.join(', ')}` : ''}`;
