// Placeholder entry point (to be replaced by the real extension): registers the one contributed
// command so that the integration tests have something real to check.
import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('cnnLens.showSummary', () => {
      // Not awaited: the message's promise settles only when the user dismisses it.
      void vscode.window.showInformationMessage('CNN Lens: model summary is not implemented yet.');
    }),
  );
}

export function deactivate(): void {}
