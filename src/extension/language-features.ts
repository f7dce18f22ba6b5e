import * as vscode from 'vscode';
import { hoverMarkdown, inlayHints, nodeAtOffset, totalsLine } from '../core/analysis/describe';
import type { Diagnostic as CoreDiagnostic } from '../core';
import type { ModelStore } from './model-store';

// What the text editor shows for a model file: hovers, inlay hints with output shapes, a CodeLens
// with the totals, diagnostics in the Problems panel (binary models' too). All of it reads the ModelStore.

const SELECTOR: vscode.DocumentSelector = [{ language: 'json' }, { language: 'jsonc' }, { language: 'prototxt' }];
const SEVERITY: Record<CoreDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export function registerLanguageFeatures(store: ModelStore): vscode.Disposable[] {
  const diagnostics = vscode.languages.createDiagnosticCollection('cnn-lens');
  const hintsChanged = new vscode.EventEmitter<void>();
  const lensesChanged = new vscode.EventEmitter<void>();

  // Binary models (no text document) list their problems too, at the top of the file.
  const publish = store.onDidAnalyze(({ uri, document, analysis }) => {
    diagnostics.set(
      uri,
      analysis.diagnostics.map((d) => {
        const range = d.range && document ? new vscode.Range(document.positionAt(d.range.start), document.positionAt(d.range.end)) : new vscode.Range(0, 0, 0, 1);
        const diagnostic = new vscode.Diagnostic(range, d.message, SEVERITY[d.severity]);
        diagnostic.source = 'CNN Lens';
        diagnostic.code = d.code;
        return diagnostic;
      }),
    );
    hintsChanged.fire();
    lensesChanged.fire();
  });

  const hover = vscode.languages.registerHoverProvider(SELECTOR, {
    provideHover(document, position) {
      const analysis = store.get(document);
      const node = analysis && nodeAtOffset(analysis, document.offsetAt(position));
      if (!analysis || !node) return undefined;
      const r = node.nameRange ?? node.range!;
      // Untrusted: no command links, no HTML, no theme icons; the names in it are code spans (hoverMarkdown).
      const markdown = new vscode.MarkdownString(hoverMarkdown(analysis, node.id), false);
      markdown.isTrusted = false;
      markdown.supportHtml = false;
      return new vscode.Hover(markdown, new vscode.Range(document.positionAt(r.start), document.positionAt(r.end)));
    },
  });

  const hints = vscode.languages.registerInlayHintsProvider(SELECTOR, {
    onDidChangeInlayHints: hintsChanged.event,
    provideInlayHints(document, range) {
      if (!vscode.workspace.getConfiguration('cnnLens').get<boolean>('inlayHints.enabled', true)) return [];
      const analysis = store.get(document);
      if (!analysis) return [];
      const start = document.offsetAt(range.start);
      const end = document.offsetAt(range.end);
      return inlayHints(analysis)
        .filter((h) => h.offset >= start && h.offset <= end)
        .map((h) => {
          const hint = new vscode.InlayHint(document.positionAt(h.offset), h.label, vscode.InlayHintKind.Type);
          hint.tooltip = h.tooltip;
          hint.paddingLeft = true;
          return hint;
        });
    },
  });

  const lenses = vscode.languages.registerCodeLensProvider(SELECTOR, {
    onDidChangeCodeLenses: lensesChanged.event,
    provideCodeLenses(document) {
      const analysis = store.get(document);
      if (!analysis) return [];
      const top = new vscode.Range(0, 0, 0, 0);
      // The diagram first: a long totals lens would push it behind the minimap in a narrow editor.
      return [
        new vscode.CodeLens(top, { title: '$(type-hierarchy-sub) Open Diagram', command: 'cnnLens.openDiagramToSide', arguments: [document.uri] }),
        new vscode.CodeLens(top, { title: `CNN Lens: ${totalsLine(analysis)}`, tooltip: 'Show the layer-by-layer summary', command: 'cnnLens.showSummary', arguments: [document.uri] }),
      ];
    },
  });

  const forget = store.onDidClose((uri) => diagnostics.delete(uri));
  const settings = vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('cnnLens.inlayHints') && hintsChanged.fire());
  return [diagnostics, hintsChanged, lensesChanged, publish, hover, hints, lenses, forget, settings];
}
