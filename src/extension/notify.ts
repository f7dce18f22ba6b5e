import * as vscode from 'vscode';
import { notificationText } from '../core/text/escape';

// What CNN Lens tells the user in a notification, and the details it keeps for them. A
// notification renders Markdown links (command: links included) and shows one line, and its text
// carries names from the model file: every message goes through notificationText, so no name can
// become a link; the exception behind an error (its stack) goes to the CNN Lens output channel.

let channel: vscode.OutputChannel | undefined;

/** The "CNN Lens" output channel, made on first use. */
export const outputChannel = (): vscode.OutputChannel => (channel ??= vscode.window.createOutputChannel('CNN Lens'));

const SHOW = { error: vscode.window.showErrorMessage, warning: vscode.window.showWarningMessage, info: vscode.window.showInformationMessage } as const;

/** Shows `text` (names in it cannot act as links) with the buttons `actions`; an error's details are logged to the output channel. */
export function notify(kind: keyof typeof SHOW, text: string, error?: unknown, ...actions: string[]): Thenable<string | undefined> {
  if (error !== undefined) {
    const details = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
    outputChannel().appendLine(`[${new Date().toISOString()}] ${text}\n${details}`);
  }
  return SHOW[kind](notificationText(text), ...actions);
}

/**
 * A command whose every exception is caught where the user is: shown as a notification (the
 * command's title and the reason), the details logged to the output channel; the command then
 * resolves to undefined instead of rejecting into VS Code's generic "command failed".
 */
export function registerGuardedCommand<A extends unknown[], R>(id: string, handler: (...args: A) => R | Thenable<R>): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: A): Promise<R | undefined> => {
    try {
      return await handler(...args);
    } catch (e) {
      void notify('error', `CNN Lens: ${id.replace(/^cnnLens\./, '')} failed: ${e instanceof Error ? e.message : String(e)}`, e);
      return undefined;
    }
  });
}
