// The text editor features in a real VS Code: hover, inlay hints, CodeLens, diagnostics that
// follow typing, and the diagram custom editor.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitFor } from './wait';


const fixture = (name: string) => vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, name);
const hoverText = (hovers: vscode.Hover[]) => hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');

describe('CNN Lens in the text editor', () => {
  before(async () => {
    await vscode.extensions.getExtension('cnn-lens.cnn-lens')!.activate();
  });

  it('hovering a layer name shows its output shape and parameters', async () => {
    const doc = await vscode.workspace.openTextDocument(fixture('tiny-cnn.json'));
    await vscode.window.showTextDocument(doc);
    const position = doc.positionAt(doc.getText().indexOf('"conv2"') + 2);
    const text = await waitFor('a CNN Lens hover', async () => {
      const t = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, position));
      return t.includes('**conv2**') ? t : undefined;
    });
    assert.match(text, /\| output \| `1×\d+×\d+×\d+` \|/);
    assert.match(text, /\| params \| [\d,]+/);
  });

  it('inlay hints show every layer’s output shape, and a CodeLens shows the totals', async () => {
    const doc = await vscode.workspace.openTextDocument(fixture('tiny-cnn.json'));
    const all = new vscode.Range(0, 0, doc.lineCount, 0);
    const hints = await waitFor('inlay hints', async () => {
      const h = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', doc.uri, all);
      return h.length ? h : undefined;
    });
    const labels = hints.map((h) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('')));
    assert.ok(labels.some((l) => /→ 1×10$/.test(l)), labels.join(', '));
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    assert.ok(lenses.some((l) => /^CNN Lens: .* params · .* MACs/.test(l.command?.title ?? '')), lenses.map((l) => l.command?.title).join(' | '));
  });

  it('a shape error appears in Problems on the layer’s name, and goes away when the user fixes it by typing', async () => {
    const doc = await vscode.workspace.openTextDocument(fixture('broken-concat.json'));
    const editor = await vscode.window.showTextDocument(doc);
    const problems = await waitFor('a CNN Lens diagnostic', () => {
      const d = vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === 'CNN Lens');
      return d.length ? d : undefined;
    });
    assert.equal(problems.length, 1);
    assert.equal(problems[0].severity, vscode.DiagnosticSeverity.Error);
    assert.match(problems[0].message, /join \(Concatenate\): .*differ at axis 1 \(28 vs 27\)/);
    assert.equal(doc.getText(problems[0].range), '"join"');

    const valid = doc.getText().indexOf('"valid"', doc.getText().indexOf('valid_branch", "filters"'));
    await editor.edit((e) => e.replace(new vscode.Range(doc.positionAt(valid), doc.positionAt(valid + 7)), '"same"'));
    await waitFor('the diagnostic to clear', () => vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === 'CNN Lens').length === 0 || undefined);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('opens the diagram as a custom editor beside the text', async () => {
    const uri = fixture('tiny-cnn.json');
    await vscode.commands.executeCommand('cnnLens.openDiagramToSide', uri);
    const tab = await waitFor('the diagram tab', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputCustom && t.input.viewType === 'cnnLens.diagram'),
    );
    assert.equal((tab.input as vscode.TabInputCustom).uri.toString(), uri.toString());
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
