import { version } from '../../package.json';
import { exportModel, EXPORT_USAGE } from './export';
import { profile, PROFILE_USAGE } from './profile';
import { run, RUN_USAGE } from './run';
import { stylize, STYLIZE_USAGE } from './stylize';
import { summary, SUMMARY_USAGE, summaryWithFiles } from './summary';
import { UsageError, type CommandResult } from './usage';

// `cnn-lens`: the command line beside the extension. Commands return their output and exit status
// (so tests call them in-process); only this file touches process.stdout and process.exit.

const USAGE = `cnn-lens — shapes, parameters and FLOPs of convolutional networks

Usage:
  ${SUMMARY_USAGE.split('\n').join('\n  ')}

  ${STYLIZE_USAGE.split('\n').join('\n  ')}

  ${RUN_USAGE.split('\n').join('\n  ')}

  ${PROFILE_USAGE.split('\n').join('\n  ')}

  ${EXPORT_USAGE.split('\n').join('\n  ')}

  cnn-lens --help | --version`;

const COMMANDS: Readonly<Record<string, (argv: string[]) => CommandResult>> = { summary };
/** Commands that run the model (TensorFlow.js is asynchronous), and summary with the files next to the model read: reached through runCliAsync. */
const ASYNC_COMMANDS: Readonly<Record<string, (argv: string[]) => Promise<CommandResult>>> = { run, profile, stylize, export: exportModel, summary: summaryWithFiles };
const COMMAND_USAGE: Readonly<Record<string, string>> = { summary: SUMMARY_USAGE, run: RUN_USAGE, profile: PROFILE_USAGE, stylize: STYLIZE_USAGE, export: EXPORT_USAGE };

/** A usage error (ours, or parseArgs' ERR_PARSE_ARGS_*) as exit 2 with the command's usage line; undefined for other errors. */
function usageFailure(command: string, e: unknown): CommandResult | undefined {
  if (!(e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) return undefined;
  return { stdout: '', stderr: `cnn-lens ${command}: ${(e as Error).message}\n\nUsage: ${(COMMAND_USAGE[command] ?? SUMMARY_USAGE).split('\n')[0]}`, code: 2 };
}

/** Every command, the asynchronous ones (run, profile, stylize) included. */
export async function runCliAsync(argv: string[]): Promise<CommandResult> {
  const [command, ...rest] = argv;
  const body = ASYNC_COMMANDS[command];
  if (!body) return runCli(argv);
  try {
    return await body(rest);
  } catch (e) {
    const failure = usageFailure(command, e);
    if (failure) return failure;
    throw e;
  }
}

export function runCli(argv: string[]): CommandResult {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') return { stdout: USAGE, stderr: '', code: command ? 0 : 2 };
  if (command === '--version') return { stdout: version, stderr: '', code: 0 };
  const run = COMMANDS[command];
  if (!run && ASYNC_COMMANDS[command]) return { stdout: '', stderr: `cnn-lens: "${command}" runs asynchronously: call runCliAsync`, code: 2 };
  if (!run) return { stdout: '', stderr: `cnn-lens: unknown command "${command}"\n\n${USAGE}`, code: 2 };
  try {
    return run(rest);
  } catch (e) {
    // parseArgs throws TypeErrors with codes for unknown or malformed options: usage errors too.
    const failure = usageFailure(command, e);
    if (failure) return failure;
    throw e;
  }
}

if (require.main === module) {
  void runCliAsync(process.argv.slice(2)).then((result) => {
    if (result.stdout) process.stdout.write(result.stdout + '\n');
    if (result.stderr) process.stderr.write(result.stderr + '\n');
    process.exitCode = result.code;
  });
}
