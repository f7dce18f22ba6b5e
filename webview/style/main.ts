import { h } from '../dom';
import type { StyleHostMessage, StyleMode, StyleOptimizer, StylePanelMessage } from '../../shared/protocol';

// The style-transfer side panel: pick a content image and a style, choose the mode, strength,
// resolution and backend, run, and compare before and after with a slider. The host does the work
// (and says which loss network and weights produced the result); this page only asks and shows.

interface VsCodeApi {
  postMessage(message: StylePanelMessage): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscode: VsCodeApi = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : { postMessage: (m) => ((window as unknown as { __sent: unknown[] }).__sent ??= []).push(m) };
const post = (m: StylePanelMessage) => vscode.postMessage(m);

const app = document.getElementById('app')!;

const select = (label: string, id: string, options: readonly [string, string][]) => {
  const el = h('select', { id }) as HTMLSelectElement;
  for (const [value, text] of options) el.append(h('option', { value }, text));
  return { el, row: h('label', { for: id, class: 'row' }, h('span', {}, label), el) };
};

const contentPreview = h('img', { class: 'thumb', alt: 'Content image' }) as HTMLImageElement;
const stylePreview = h('img', { class: 'thumb', alt: 'Style image' }) as HTMLImageElement;
const contentName = h('span', { class: 'name' }, 'no image yet');
const styleName = h('span', { class: 'name' }, '');

const contentSample = select('Content', 'content-sample', [['', 'Choose…']]);
const contentFile = h('button', { type: 'button' }, 'Open file…');
const stylePreset = select('Style', 'style-preset', [['', 'Choose…']]);
const styleFile = h('button', { type: 'button' }, 'Style image…');
const mode = select('Mode', 'mode', [['fast', 'Fast (trained network)'], ['optimise', 'Optimise (Gatys)'], ['train', 'Train a network']]);
const optimizer = select('Optimizer', 'optimizer', [['adam', 'Adam'], ['lbfgs', 'L-BFGS']]); // L-BFGS as Gatys et al.: fewer steps, each one or more loss evaluations
const size = select('Resolution', 'size', [['256', '256 px'], ['512', '512 px'], ['1024', '1024 px'], ['2048', '2048 px (tiled)']]);
const backend = select('Backend', 'backend', [['auto', 'auto']]);
const strength = h('input', { id: 'strength', type: 'range', min: '0.1', max: '4', step: '0.1', value: '1' }) as HTMLInputElement;
const steps = h('input', { id: 'steps', type: 'number', min: '1', max: '5000', value: '100' }) as HTMLInputElement;
const run = h('button', { type: 'button', class: 'primary' }, 'Stylize');
const cancel = h('button', { type: 'button', hidden: true }, 'Cancel');
const progress = h('progress', { max: 1, value: 0, hidden: true }) as HTMLProgressElement;
const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });

const before = h('img', { class: 'before', alt: 'Original' }) as HTMLImageElement;
const after = h('img', { class: 'after', alt: 'Stylized' }) as HTMLImageElement;
const afterClip = h('div', { class: 'after-clip' }, after);
const slider = h('input', { type: 'range', min: '0', max: '100', value: '50', 'aria-label': 'Before / after' }) as HTMLInputElement;
const info = h('p', { class: 'info' });
const save = h('button', { type: 'button' }, 'Save PNG…');
const compare = h('section', { class: 'compare', hidden: true }, h('div', { class: 'frame' }, before, afterClip), slider, info, save);

app.append(
  h('section', { class: 'pickers' },
    h('div', { class: 'picker' }, contentPreview, contentSample.row, h('div', { class: 'buttons' }, contentFile, contentName)),
    h('div', { class: 'picker' }, stylePreview, stylePreset.row, h('div', { class: 'buttons' }, styleFile, styleName))),
  h('p', { class: 'help' }, 'Or drop an image here: on the left half for content, on the right half for style.'),
  h('section', { class: 'options' },
    mode.row,
    h('label', { for: 'strength', class: 'row' }, h('span', {}, 'Style strength'), strength),
    h('label', { for: 'steps', class: 'row' }, h('span', {}, 'Steps'), steps),
    optimizer.row,
    size.row,
    backend.row),
  h('div', { class: 'buttons' }, run, cancel),
  progress,
  status,
  compare,
);

const stepsRow = steps.closest('label')!;
const syncMode = () => {
  stepsRow.hidden = mode.el.value === 'fast';
  optimizer.row.hidden = mode.el.value !== 'optimise';
};
mode.el.addEventListener('change', syncMode);
syncMode();

contentSample.el.addEventListener('change', () => contentSample.el.value && post({ type: 'pick', role: 'content', sample: contentSample.el.value }));
stylePreset.el.addEventListener('change', () => {
  if (!stylePreset.el.value) return;
  mode.el.value = 'fast';
  syncMode();
  post({ type: 'pick', role: 'style', sample: stylePreset.el.value });
});
contentFile.addEventListener('click', () => post({ type: 'pick', role: 'content' }));
styleFile.addEventListener('click', () => {
  stylePreset.el.value = '';
  if (mode.el.value === 'fast') mode.el.value = 'optimise'; // any image: no trained network for it
  syncMode();
  post({ type: 'pick', role: 'style' });
});

run.addEventListener('click', () => {
  status.textContent = 'Starting…';
  progress.hidden = false;
  progress.value = 0;
  run.disabled = true;
  cancel.hidden = false;
  post({
    type: 'run',
    mode: mode.el.value as StyleMode,
    preset: stylePreset.el.value || undefined,
    strength: Number(strength.value),
    size: Number(size.el.value),
    steps: Number(steps.value),
    backend: backend.el.value,
    ...(mode.el.value === 'optimise' ? { optimizer: optimizer.el.value as StyleOptimizer } : {}),
  });
});
cancel.addEventListener('click', () => post({ type: 'cancel' }));
save.addEventListener('click', () => post({ type: 'save' }));
slider.addEventListener('input', () => afterClip.style.setProperty('--split', `${slider.value}%`));
afterClip.style.setProperty('--split', '50%');

// Drag and drop: the left half sets the content, the right half the style.
document.addEventListener('dragover', (e) => e.preventDefault());
document.addEventListener('drop', (e) => {
  e.preventDefault();
  const file = e.dataTransfer?.files[0];
  if (!file || !/^image\/(png|jpeg)$/.test(file.type)) {
    status.textContent = 'Drop a PNG or JPEG image.';
    return;
  }
  const role = e.clientX < window.innerWidth / 2 ? 'content' : 'style';
  const reader = new FileReader();
  reader.onload = () => post({ type: 'pick', role, dropped: { name: file.name, dataUrl: String(reader.result) } });
  reader.readAsDataURL(file);
});

const finish = () => {
  run.disabled = false;
  cancel.hidden = true;
  progress.hidden = true;
};

window.addEventListener('message', (event: MessageEvent<StyleHostMessage>) => {
  const m = event.data;
  switch (m?.type) {
    case 'init':
      for (const p of m.presets) stylePreset.el.append(h('option', { value: p.name, title: p.description }, `${p.name} — ${p.description}`));
      for (const s of m.samples) contentSample.el.append(h('option', { value: s }, s));
      backend.el.replaceChildren(...['auto', ...m.backends.filter((b) => b !== 'auto')].map((b) => h('option', { value: b }, b)));
      break;
    case 'picked':
      (m.role === 'content' ? contentPreview : stylePreview).src = m.preview;
      (m.role === 'content' ? contentName : styleName).textContent = m.name;
      break;
    case 'progress':
      progress.max = m.total;
      progress.value = m.step;
      status.textContent = m.message;
      break;
    case 'result':
      finish();
      before.src = m.before;
      after.src = m.after;
      compare.hidden = false;
      status.textContent = m.notice ?? '';
      info.textContent = `${(m.ms / 1000).toFixed(1)} s on ${m.backend} · loss network: ${m.lossNetwork}`;
      break;
    case 'failed':
      finish();
      status.textContent = m.message;
      break;
  }
});

post({ type: 'ready' });
