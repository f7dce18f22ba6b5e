// Placeholder entry point (to be replaced by the real extension): registers the one contributed
// command so that the integration tests have something real to check.
import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('cnnLens.showSummary', async () => {
      await vscode.window.showInformationMessage('CNN Lens: model summary is not implemented yet.');
    }),
  );
}

export function deactivate(): void {}
