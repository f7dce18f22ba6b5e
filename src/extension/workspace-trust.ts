import * as vscode from 'vscode';

// Restricted Mode (package.json capabilities.untrustedWorkspaces: "limited"): reading, measuring,
// drawing and editing a model's text work in an untrusted workspace; what runs a model (Run Model
// on Image, Profile Model, style transfer) does not, because it executes the file's graph on ONNX
// Runtime or TensorFlow.js and reads the weight files, images and label files the model and the
// workspace's settings name.

/** Why `what` is off in Restricted Mode, or undefined in a trusted workspace. */
export function untrustedReason(what: string): string | undefined {
  if (vscode.workspace.isTrusted) return undefined;
  return `${what} is off in Restricted Mode: it runs the model and reads the files it names. Trust this workspace to use it; reading and drawing models work without.`;
}

/** True in a trusted workspace; otherwise says why `what` is off (with a way to trust) and returns false. */
export function requireTrust(what: string): boolean {
  const reason = untrustedReason(what);
  if (!reason) return true;
  void vscode.window.showWarningMessage(`CNN Lens: ${reason}`, 'Manage Workspace Trust').then((choice) => {
    if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return false;
}
