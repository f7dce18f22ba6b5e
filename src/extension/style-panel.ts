import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { readUserFile } from '../node/file-source';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { BACKEND_PREFERENCES, describeBackend, type BackendPreference, type ChosenBackend } from '../node/backend';
import {
  decodeImage,
  encodePng,
  findPreset,
  fitLongerSide,
  gradientBackend,
  listPresets,
  loadTransformModelFile,
  lossNetwork,
  openFast,
  readImage,
  stylesDir,
  stylizeFast,
  stylizeOptimise,
  trainTransformNet,
  type RgbImage,
} from '../node/style';
import { panelHtml } from '../../shared/panel-html';
import type { StyleHostMessage, StylePanelMessage } from '../../shared/protocol';
import { untrustedReason } from './workspace-trust';

// The style-transfer side panel's host: it owns the images and the work (off the webview, with
// progress and cancel), and says honestly which loss network and weights produced each result.

const dataUrl = (img: RgbImage): string => `data:image/png;base64,${encodePng(img).toString('base64')}`;
const preview = (img: RgbImage): string => dataUrl(fitLongerSide(img, 256));

export class StylePanelProvider implements vscode.WebviewViewProvider {
  static readonly viewType = 'cnnLens.style';
  private content?: { name: string; image: RgbImage };
  private style?: { name: string; image: RgbImage; preset?: string };
  private result?: RgbImage;
  private running?: AbortController;

  constructor(private readonly context: vscode.ExtensionContext) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    const webview = view.webview;
    const root = this.context.extensionUri;
    webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(root, 'dist'), vscode.Uri.joinPath(root, 'media')] };
    webview.html = panelHtml({
      cspSource: webview.cspSource,
      nonce: randomBytes(18).toString('base64url'),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'dist', 'style.js')).toString(),
      cssUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'media', 'style-panel.css')).toString(),
      title: 'CNN Lens: Style Transfer',
    });
    const post = (m: StyleHostMessage) => void webview.postMessage(m);
    webview.onDidReceiveMessage((m: StylePanelMessage) => {
      this.handle(m, post).catch((e: Error) => post({ type: 'failed', message: e.message }));
    });
    view.onDidDispose(() => this.running?.abort());
  }

  private contentDir(): string {
    return join(stylesDir(), 'content');
  }

  private async handle(m: StylePanelMessage, post: (m: StyleHostMessage) => void): Promise<void> {
    switch (m.type) {
      case 'ready': {
        const presets = listPresets().map((p) => ({ name: p.name, description: p.description, thumbnail: preview(readImage(p.styleImagePath).image) }));
        const samples = readdirSync(this.contentDir()).filter((f) => /\.(png|jpe?g)$/i.test(f));
        post({ type: 'init', presets, samples, backends: [...BACKEND_PREFERENCES] });
        return;
      }
      case 'pick': {
        const picked = await this.pick(m);
        if (!picked) return;
        if (m.role === 'content') this.content = picked;
        else this.style = { ...picked, preset: m.sample && findPreset(m.sample) ? m.sample : undefined };
        post({ type: 'picked', role: m.role, name: picked.name, preview: preview(picked.image) });
        return;
      }
      case 'cancel':
        this.running?.abort(new Error('cancelled'));
        return;
      case 'save':
        return this.save();
      case 'run': {
        const untrusted = untrustedReason('Style transfer');
        if (untrusted) throw new Error(untrusted); // the panel shows it where the result would be
        return this.run(m, post);
      }
    }
  }

  /** A bundled sample or preset by name, dropped bytes, or a file the user chooses. */
  private async pick(m: Extract<StylePanelMessage, { type: 'pick' }>): Promise<{ name: string; image: RgbImage } | undefined> {
    if (m.sample) {
      const path = m.role === 'style' ? findPreset(m.sample)?.styleImagePath : join(this.contentDir(), basename(m.sample));
      if (!path) throw new Error(`no preset named ${m.sample}`);
      return { name: m.sample, image: readImage(path).image };
    }
    if (m.dropped) {
      const bytes = Buffer.from(m.dropped.dataUrl.replace(/^data:[^,]*,/, ''), 'base64');
      return { name: m.dropped.name, image: decodeImage(bytes, m.dropped.name) };
    }
    const [uri] = (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { Images: ['png', 'jpg', 'jpeg'] }, title: `Choose the ${m.role} image` })) ?? [];
    return uri && { name: basename(uri.fsPath), image: decodeImage(readUserFile(uri.fsPath, 'image'), uri.fsPath) };
  }

  private async run(m: Extract<StylePanelMessage, { type: 'run' }>, post: (m: StyleHostMessage) => void): Promise<void> {
    if (!this.content) throw new Error('Choose a content image first.');
    if (!this.style) throw new Error('Choose a style: a preset or any image.');
    this.running?.abort();
    const controller = (this.running = new AbortController());
    const signal = controller.signal;
    const started = Date.now();
    const content = fitLongerSide(this.content.image, m.size);
    const notice = content.width !== this.content.image.width || content.height !== this.content.image.height
      ? `Content resized from ${this.content.image.width}×${this.content.image.height} to ${content.width}×${content.height}.`
      : undefined;
    const vggWeights = vscode.workspace.getConfiguration('cnnLens').get<string>('style.vggWeights') || undefined;
    let image: RgbImage;
    let lossNetworkName: string;
    let backend: ChosenBackend;
    if (m.mode === 'fast') {
      const preset = this.style.preset && findPreset(this.style.preset);
      if (!preset) throw new Error('Fast mode needs a trained network: pick a preset, or use Optimise with any style image.');
      // ONNX Runtime where it runs the network (FAST_ON_ENGINE), else tfjs; the backend line names what ran.
      const fast = await openFast(m.backend as BackendPreference, preset.modelPath);
      backend = fast.backend;
      try {
        const out = await stylizeFast(backend.tf, fast.model, content, { signal, runner: fast.runner, onTile: (done, total) => post({ type: 'progress', step: done, total, message: `Tile ${done} of ${total} (${fast.runner.name})` }) });
        image = out.image;
      } finally {
        fast.model.dispose();
      }
      lossNetworkName = `${preset.lossNetwork ?? 'random multi-scale network'} (trained here for the "${preset.name}" preset)`;
    } else {
      // Gradients: tfjs (ONNX Runtime is named as not used, with the reason).
      backend = await gradientBackend(m.backend as BackendPreference);
      const tf = backend.tf;
      const net = await lossNetwork(tf, vggWeights);
      lossNetworkName = net.description;
      const weights = { style: 10 * m.strength };
      if (m.mode === 'optimise') {
        const out = await stylizeOptimise(tf, net, content, fitLongerSide(this.style.image, m.size), {
          steps: m.steps,
          optimizer: m.optimizer,
          weights,
          signal,
          onStep: (step, l) => post({ type: 'progress', step, total: m.steps, message: `Step ${step} / ${m.steps}: loss ${l.total.toPrecision(4)} (content ${l.content.toPrecision(3)}, style ${l.style.toPrecision(3)})` }),
        });
        image = out.image;
      } else {
        const [folder] = (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, title: 'Folder of content images to train on' })) ?? [];
        const [outDir] = folder ? ((await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, title: 'Folder to save the trained network in' })) ?? []) : [];
        if (!folder || !outDir) throw new Error('Training needs a folder of content images and a folder for the model.');
        const trained = await trainTransformNet(tf, net, {
          content: folder.fsPath,
          style: this.style.image,
          styleName: this.style.name,
          outDir: outDir.fsPath,
          steps: m.steps,
          weights,
          signal,
          onStep: (step, l) => post({ type: 'progress', step, total: m.steps, message: `Training step ${step} / ${m.steps}: loss ${l.total.toPrecision(4)}` }),
        });
        const model = await loadTransformModelFile(tf, trained.modelJson);
        image = (await stylizeFast(tf, model, content, { signal })).image;
        lossNetworkName += ` · network saved to ${trained.modelJson}`;
      }
    }
    this.result = image;
    post({ type: 'result', before: dataUrl(content), after: dataUrl(image), ms: Date.now() - started, backend: describeBackend(backend), lossNetwork: lossNetworkName, notice });
  }

  private async save(): Promise<void> {
    if (!this.result) return;
    const uri = await vscode.window.showSaveDialog({ filters: { 'PNG image': ['png'] }, title: 'Save the stylized image' });
    if (uri) await vscode.workspace.fs.writeFile(uri, encodePng(this.result));
  }
}
