import { builtinModules } from 'node:module';
import { posix } from 'node:path';
import * as ts from 'typescript';

// The arrows between the project's rooms (ARCHITECTURE.md, "Rooms"), as rules over each file's
// module specifiers: static imports, `export … from`, `import type`, dynamic `import()` and
// `require()` (TypeScript's own pre-processor finds them all, comments and strings aside).

export type Room = 'core' | 'node' | 'extension' | 'cli' | 'shared' | 'webview';

const ROOMS: readonly [string, Room][] = [['src/core/', 'core'], ['src/node/', 'node'], ['src/extension/', 'extension'], ['src/cli/', 'cli'], ['shared/', 'shared'], ['webview/', 'webview']];

export const roomOf = (repoPath: string): Room | undefined => ROOMS.find(([prefix]) => repoPath.startsWith(prefix))?.[1];

const BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith('_')));
const isNodeBuiltin = (spec: string): boolean => spec.startsWith('node:') || BUILTINS.has(spec.split('/')[0]);

/** Packages that need a browser (DOM, WebGL, WebGPU, custom elements): the webview's alone. */
export const DOM_ONLY_PACKAGES: readonly string[] = ['@tensorflow/tfjs-backend-webgl', '@tensorflow/tfjs-backend-webgpu', '@vscode-elements/elements'];
const isDomOnly = (spec: string): boolean => DOM_ONLY_PACKAGES.some((p) => spec === p || spec.startsWith(`${p}/`));

/** Rooms a room may not import from (relative imports). */
const FORBIDDEN_ROOMS: Readonly<Record<Room, readonly Room[]>> = {
  core: ['node', 'extension', 'cli', 'webview', 'shared'],
  shared: ['node', 'extension', 'cli', 'webview'],
  extension: ['webview'],
  webview: ['extension', 'node', 'cli'],
  node: ['extension', 'cli', 'webview'],
  cli: ['extension', 'webview'],
};

/** Rooms that run where there is no Node and no VS Code API (core runs everywhere; shared is read by the webview). */
const PORTABLE: readonly Room[] = ['core', 'shared'];

/** Every module specifier a file's text names. */
export function specifiersOf(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/** What is wrong with one file's imports: one line per violation, naming the file and the module. */
export function importViolations(repoPath: string, text: string): string[] {
  const from = roomOf(repoPath);
  if (!from) return [];
  const problems: string[] = [];
  for (const spec of specifiersOf(text)) {
    if (spec.startsWith('.')) {
      const target = posix.normalize(posix.join(posix.dirname(repoPath), spec));
      const to = roomOf(`${target}/`); // the slash: '../node' (a folder's index) is in src/node/ too
      if (to && to !== from && FORBIDDEN_ROOMS[from].includes(to)) problems.push(`${repoPath} imports ${spec}: ${from} may not import from ${to}`);
      continue;
    }
    if (PORTABLE.includes(from) && isNodeBuiltin(spec)) problems.push(`${repoPath} imports ${spec}: ${from} may not use Node built-ins (file I/O belongs in src/node)`);
    if (PORTABLE.includes(from) && spec === 'vscode') problems.push(`${repoPath} imports vscode: ${from} may not use the VS Code API`);
    if (from !== 'webview' && isDomOnly(spec)) problems.push(`${repoPath} imports ${spec}: a browser-only module outside webview/`);
  }
  return problems;
}
