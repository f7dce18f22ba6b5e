import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { importViolations, specifiersOf } from '../support/import-rules';

// The arrows hold (ARCHITECTURE.md): core imports no Node built-in, no vscode, no browser-only
// module, and nothing from the rooms around it; shared imports from neither side; the extension
// reaches the webview only through shared/; the webview imports nothing of the extension or Node.

const ROOT = join(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|cts|js|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

describe('import graph: the arrows between core, node, extension, cli, shared and webview', () => {
  it('every file of src/, shared/ and webview/ keeps to the rules', () => {
    const files = ['src', 'shared', 'webview'].flatMap(sourceFiles);
    assert.ok(files.length > 100, `found ${files.length} files`);
    const problems = files.flatMap((f) => importViolations(relative(ROOT, join(ROOT, f)).split(sep).join('/'), readFileSync(join(ROOT, f), 'utf8')));
    assert.deepEqual(problems, []);
  });

  it('finds static, type-only, re-exported, dynamic and required imports', () => {
    const text = [
      "import { a } from './a';",
      "import type { B } from '../b';",
      "export { c } from './c';",
      "export * from './d';",
      "const e = await import('./e');",
      "const f = require('f');",
      "import './g';",
      "// import { h } from './h';",
    ].join('\n');
    assert.deepEqual(specifiersOf(text).sort(), ['../b', './a', './c', './d', './e', './g', 'f']);
  });

  it('fails on planted violations, one line each naming the file and the module', () => {
    const cases: [string, string, RegExp][] = [
      ['src/core/runtime/x.ts', "import { readFileSync } from 'node:fs';", /src\/core\/runtime\/x\.ts imports node:fs: core may not use Node built-ins/],
      ['src/core/runtime/x.ts', "import * as path from 'path';", /imports path: core may not use Node built-ins/],
      ['src/core/runtime/x.ts', "const os = require('os');", /imports os: core/],
      ['src/core/runtime/x.ts', "const fs = await import('fs/promises');", /imports fs\/promises: core/],
      ['src/core/x.ts', "import type * as vscode from 'vscode';", /imports vscode: core may not use the VS Code API/],
      ['src/core/x.ts', "import '@tensorflow/tfjs-backend-webgl';", /a browser-only module outside webview/],
      ['src/core/x.ts', "import { fileSource } from '../node/file-source';", /core may not import from node/],
      ['src/core/analysis/x.ts', "export * from '../../extension/model-store';", /core may not import from extension/],
      ['src/core/x.ts', "import { h } from '../../webview/dom';", /core may not import from webview/],
      ['src/core/x.ts', "import { summary } from '../cli/summary';", /core may not import from cli/],
      ['src/core/x.ts', "import * as node from '../node';", /core may not import from node/],
      ['shared/x.ts', "import { h } from '../webview/dom';", /shared may not import from webview/],
      ['shared/x.ts', "import { createHash } from 'node:crypto';", /shared may not use Node built-ins/],
      ['shared/x.ts', "import * as vscode from 'vscode';", /shared may not use the VS Code API/],
      ['src/extension/x.ts', "import { h } from '../../webview/dom';", /extension may not import from webview/],
      ['webview/x.ts', "import { documentSource } from '../src/extension/document-source';", /webview may not import from extension/],
      ['webview/run/x.ts', "import { fileSource } from '../../src/node/file-source';", /webview may not import from node/],
    ];
    for (const [file, text, expected] of cases) {
      const problems = importViolations(file, text);
      assert.equal(problems.length, 1, `${file}: ${text} → ${JSON.stringify(problems)}`);
      assert.match(problems[0], expected);
    }
  });

  it('allows the arrows the design draws', () => {
    const allowed: [string, string][] = [
      ['src/core/x.ts', "import * as tf from '@tensorflow/tfjs-core';"],
      ['src/core/formats/onnx/x.ts', "import { ModelSource } from '../source';"],
      ['src/node/x.ts', "import { readFileSync } from 'node:fs'; import { analyze } from '../core/analysis/analyze';"],
      ['src/extension/x.ts', "import * as vscode from 'vscode'; import { PROTOCOL_VERSION } from '../../shared/protocol'; import { fileSource } from '../node/file-source';"],
      ['shared/x.ts', "import type { ModelReport } from '../src/core/analysis/report-types';"],
      ['webview/x.ts', "import '@tensorflow/tfjs-backend-webgpu'; import type { HostMessage } from '../shared/protocol'; import { analyze } from '../src/core/analysis/analyze';"],
      ['src/cli/x.ts', "import { parseArgs } from 'node:util'; import { fileSource } from '../node/file-source';"],
    ];
    for (const [file, text] of allowed) assert.deepEqual(importViolations(file, text), [], `${file}: ${text}`);
  });
});
