import { version } from '../../package.json';
import { summary, SUMMARY_USAGE } from './summary';
import { UsageError, type CommandResult } from './usage';

// `cnn-lens`: the command line beside the extension. Commands return their output and exit status
// (so tests call them in-process); only this file touches process.stdout and process.exit.

const USAGE = `cnn-lens — shapes, parameters and FLOPs of convolutional networks

Usage:
  ${SUMMARY_USAGE.split('\n').join('\n  ')}

  cnn-lens --help | --version`;

const COMMANDS: Readonly<Record<string, (argv: string[]) => CommandResult>> = { summary };

export function runCli(argv: string[]): CommandResult {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') return { stdout: USAGE, stderr: '', code: command ? 0 : 2 };
  if (command === '--version') return { stdout: version, stderr: '', code: 0 };
  const run = COMMANDS[command];
  if (!run) return { stdout: '', stderr: `cnn-lens: unknown command "${command}"\n\n${USAGE}`, code: 2 };
  try {
    return run(rest);
  } catch (e) {
    // parseArgs throws TypeErrors with codes for unknown or malformed options: usage errors too.
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      return { stdout: '', stderr: `cnn-lens ${command}: ${(e as Error).message}\n\nUsage: ${SUMMARY_USAGE.split('\n')[0]}`, code: 2 };
    }
    throw e;
  }
}

if (require.main === module) {
  const result = runCli(process.argv.slice(2));
  if (result.stdout) process.stdout.write(result.stdout + '\n');
  if (result.stderr) process.stderr.write(result.stderr + '\n');
  process.exitCode = result.code;
}
