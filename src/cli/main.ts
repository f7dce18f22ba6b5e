import { version } from '../../package.json';
import { exportModel, EXPORT_USAGE } from './export';
import { profile, PROFILE_USAGE } from './profile';
import { run, RUN_USAGE } from './run';
import { stylize, STYLIZE_USAGE } from './stylize';
import { summary, summaryAsync, SUMMARY_USAGE } from './summary';
import { UsageError, type CommandResult } from './usage';
import { isFileError } from './failures';
import { SourceError } from '../core/formats/source';
import { terminalText } from '../core/text/escape';

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

/** Commands runCli can answer synchronously (summary: for formats whose parser needs no loading, so not Keras .h5). */
const COMMANDS: Readonly<Record<string, (argv: string[]) => CommandResult>> = { summary };
/** Commands as runCliAsync runs them: those that run the model (TensorFlow.js is asynchronous), and summary with every format's parser. */
const ASYNC_COMMANDS: Readonly<Record<string, (argv: string[]) => Promise<CommandResult>>> = { summary: summaryAsync, run, profile, stylize, export: exportModel };
const COMMAND_USAGE: Readonly<Record<string, string>> = { summary: SUMMARY_USAGE, run: RUN_USAGE, profile: PROFILE_USAGE, stylize: STYLIZE_USAGE, export: EXPORT_USAGE };

/** A usage error (ours, or parseArgs' ERR_PARSE_ARGS_*) as exit 2 with the command's usage line; undefined for other errors. */
function usageFailure(command: string, e: unknown): CommandResult | undefined {
  if (!(e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) return undefined;
  return { stdout: '', stderr: `cnn-lens ${command}: ${(e as Error).message}\n\nUsage: ${(COMMAND_USAGE[command] ?? SUMMARY_USAGE).split('\n')[0]}`, code: 2 };
}

/** The file a command line is about (its first positional argument), for `cnn-lens: FILE: reason`. */
const fileOf = (rest: readonly string[]): string | undefined => rest.find((a) => !a.startsWith('-'));

/**
 * The last line of defence: an exception no command turned into a result becomes `cnn-lens: FILE:
 * reason` with exit 2 when a file or the caller is at fault, else 1, never a stack trace.
 */
export function failureOf(command: string, rest: readonly string[], e: unknown): CommandResult {
  const usage = usageFailure(command, e);
  if (usage) return usage;
  const file = e instanceof SourceError ? e.file : fileOf(rest);
  const message = e instanceof SourceError ? e.reason : e instanceof Error ? e.message : String(e);
  // Most messages already begin with the file's name; say it once.
  const text = file && !message.startsWith(`${file}:`) && !message.startsWith(`${file} `) ? `${file}: ${message}` : message;
  return { stdout: '', stderr: `cnn-lens: ${text}`, code: isFileError(e) ? 2 : 1 };
}

/**
 * Every command, the asynchronous ones (run, profile, stylize) included; never throws. What it
 * prints passes terminalText last, so no name from a file reaches the terminal as an escape sequence
 * (the commands also print each diagnostic and table cell on one line with its newlines shown).
 */
export async function runCliAsync(argv: string[]): Promise<CommandResult> {
  const [command, ...rest] = argv;
  const body = ASYNC_COMMANDS[command];
  let result: CommandResult;
  try {
    result = body ? await body(rest) : runCli(argv);
  } catch (e) {
    result = failureOf(command, rest, e);
  }
  return { ...result, stdout: terminalText(result.stdout), stderr: terminalText(result.stderr) };
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

/** The process around a command: its output written, its status set; a late exception from a library (a rejected promise nobody awaited) is reported the same way. */
export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const late = (e: unknown) => {
    process.stderr.write(failureOf(command, rest, e).stderr + '\n');
    process.exit(1);
  };
  process.on('uncaughtException', late);
  process.on('unhandledRejection', late);
  const result = await runCliAsync(argv);
  if (result.stdout) process.stdout.write(result.stdout + '\n');
  if (result.stderr) process.stderr.write(result.stderr + '\n');
  process.exitCode = result.code;
}

if (require.main === module) void main(process.argv.slice(2));
