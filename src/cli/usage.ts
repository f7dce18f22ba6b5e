/** A mistake in how the command was called, or a file that cannot be read: exit status 2. */
export class UsageError extends Error {}

export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}
