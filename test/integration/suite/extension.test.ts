// Runs inside a real VS Code extension host (desktop VS Code via @vscode/test-electron, or
// code-server here): real `vscode` API, the extension loaded from the repo (extensionDevelopmentPath).
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { waitFor } from './wait';

const EXTENSION_ID = 'cnn-lens.cnn-lens';
const FIXTURE = 'tiny-cnn.json';


describe('CNN Lens extension', () => {
  it('is installed from the development folder', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} not found`);
    assert.equal(ext.packageJSON.name, 'cnn-lens');
    assert.equal(ext.packageJSON.publisher, 'cnn-lens');
  });

  it('activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  it('registers the cnnLens.showSummary command', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('cnnLens.showSummary'), 'cnnLens.showSummary is not registered');
  });

  it('opens a model file from the workspace', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test workspace folder is not open');
    assert.equal(path.basename(folder.uri.path), 'workspace');
    const uri = vscode.Uri.joinPath(folder.uri, FIXTURE);

    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.languageId, 'json');
    const model = JSON.parse(doc.getText());
    assert.equal(model.format, 'layers-model');
    assert.equal(model.modelTopology.config.layers.length, 5);

    const editor = await vscode.window.showTextDocument(doc);
    assert.equal(editor.document.uri.toString(), uri.toString());
    // The tab model updates asynchronously.
    const tab = await waitFor('the fixture tab', () => {
      const t = vscode.window.tabGroups.activeTabGroup.activeTab;
      return t?.label === FIXTURE ? t : undefined;
    });
    assert.ok(tab.input instanceof vscode.TabInputText);
    assert.equal(tab.input.uri.toString(), uri.toString());
  });

  it('runs cnnLens.showSummary on the open model without throwing', async () => {
    await vscode.commands.executeCommand('cnnLens.showSummary');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
