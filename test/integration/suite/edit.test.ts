// Editing in a real VS Code: each edit is one WorkspaceEdit, so the document, the analysis and
// undo stay in step (issue 5's scenarios, driven through the cnnLens.edit.* commands).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitFor } from './wait';


const zoo = (file: string) => vscode.Uri.joinPath(vscode.extensions.getExtension('cnn-lens.cnn-lens')!.extensionUri, 'models', file);
const totalsLens = async (uri: vscode.Uri) =>
  (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)).map((l) => l.command?.title ?? '').find((t) => t.startsWith('CNN Lens:'));

describe('editing a model in VS Code', () => {
  before(async () => {
    await vscode.extensions.getExtension('cnn-lens.cnn-lens')!.activate();
  });

  it('VGG-16: block1_conv1 filters 64 → 32 edits the document, the totals drop by 19,328, and undo restores the file', async () => {
    const uri = zoo('vgg16.json');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const original = doc.getText();
    assert.match((await totalsLens(uri))!, /138\.36M params/);
    const outcome = await vscode.commands.executeCommand<{ ok: boolean }>('cnnLens.edit.setAttribute', uri, 'block1_conv1', 'filters', 32);
    assert.equal(outcome.ok, true);
    assert.ok(doc.isDirty);
    // Only the value changed: the rest of the file is byte-identical.
    const at = original.indexOf('"filters": 64', original.indexOf('"block1_conv1"'));
    assert.equal(doc.getText(), original.slice(0, at) + '"filters": 32' + original.slice(at + '"filters": 64'.length));
    // 138,357,544 − (32·(27+1) + 32·9·64) = 138,338,216.
    await waitFor('the totals to update', async () => ((await totalsLens(uri))?.includes('138.34M params') ? true : undefined));
    await vscode.commands.executeCommand('undo');
    await waitFor('undo', () => (doc.getText() === original ? true : undefined));
    assert.equal(doc.isDirty, false);
  });

  it('ResNet-50: deleting the projection conv of conv3_block1 breaks its Add; the problem shows; undo restores', async () => {
    const uri = zoo('resnet50.json');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const original = doc.getText();
    const outcome = await vscode.commands.executeCommand<{ ok: boolean; problems: string[] }>('cnnLens.edit.deleteLayer', uri, 'conv3_block1_0_conv');
    assert.equal(outcome.ok, true);
    assert.ok(outcome.problems.some((p) => /conv3_block1_add \(Add\): .*differ at axis 1 \(56 vs 28\)/.test(p)), outcome.problems.join('\n'));
    const problem = await waitFor('the Add diagnostic', () => vscode.languages.getDiagnostics(uri).find((d) => d.source === 'CNN Lens' && d.message.startsWith('conv3_block1_add')));
    assert.equal(doc.getText(problem.range), '"conv3_block1_add"');
    await vscode.commands.executeCommand('undo');
    await waitFor('undo', () => (doc.getText() === original ? true : undefined));
    await waitFor('the diagnostic to clear', () => (vscode.languages.getDiagnostics(uri).some((d) => d.source === 'CNN Lens') ? undefined : true));
  });

  it('ResNet-50: cnnLens.edit.duplicateBlock copies conv2_block2 as conv2_block4 (+71,552 params), undo restores; a projection block is refused', async () => {
    const uri = zoo('resnet50.json');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const original = doc.getText();
    assert.match((await totalsLens(uri))!, /25\.64M params/);
    const refused = await vscode.commands.executeCommand<{ ok: boolean; message: string }>('cnnLens.edit.duplicateBlock', uri, 'conv3_block1');
    assert.equal(refused.ok, false);
    assert.match(refused.message, /^conv3_block1 cannot be duplicated: it turns 1×56×56×256 into 1×28×28×512/);
    assert.equal(doc.getText(), original);
    const outcome = await vscode.commands.executeCommand<{ ok: boolean; focus: string; problems: string[] }>('cnnLens.edit.duplicateBlock', uri, 'conv2_block2');
    assert.equal(outcome.ok, true);
    assert.equal(outcome.focus, 'conv2_block4_out');
    assert.deepEqual(outcome.problems, []);
    // 25,636,712 + 71,552 = 25,708,264.
    await waitFor('the totals to update', async () => ((await totalsLens(uri))?.includes('25.71M params') ? true : undefined));
    await vscode.commands.executeCommand('undo');
    await waitFor('undo', () => (doc.getText() === original ? true : undefined));
    assert.equal(doc.isDirty, false);
  });

  it('an invalid edit is refused and the file is untouched', async () => {
    const uri = zoo('vgg16.json');
    const doc = await vscode.workspace.openTextDocument(uri);
    const before = doc.getText();
    const outcome = await vscode.commands.executeCommand<{ ok: boolean; message: string }>('cnnLens.edit.setAttribute', uri, 'block1_conv1', 'filters', -4);
    assert.equal(outcome.ok, false);
    assert.match(outcome.message, /filters must be positive/);
    assert.equal(doc.getText(), before);
    assert.equal(doc.isDirty, false);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
