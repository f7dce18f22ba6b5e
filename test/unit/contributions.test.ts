// package.json's file associations follow the registry of formats: a format added to
// src/core/formats/registry.ts without its editor selector, activation event or explorer menu
// entry fails here instead of silently not opening in VS Code.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FORMATS } from '../../src/core/formats/registry';
import { unreadBinaryExtensions } from '../../src/core/formats/unread';

interface CustomEditor { viewType: string; selector: { filenamePattern: string }[]; priority?: string }
interface MenuEntry { command: string; when?: string }

const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  activationEvents: string[];
  contributes: { customEditors: CustomEditor[]; menus: { 'explorer/context': MenuEntry[] } };
};

const TEXT_EDITOR = 'cnnLens.diagram';
const BINARY_EDITOR = 'cnnLens.binaryDiagram';
const editor = (viewType: string) => manifest.contributes.customEditors.find((e) => e.viewType === viewType);
const patterns = (viewType: string) => (editor(viewType)?.selector ?? []).map((s) => s.filenamePattern);
/** The name endings an editor's selectors name (`*.onnx` → `.onnx`; `model.json`, `**​/models/*.json` → `.json`). */
const endings = (viewType: string) => new Set(patterns(viewType).map((p) => /(\.[^.*/]+)$/.exec(p)?.[1]));
/** The name endings the explorer's `resourceExtname == .x` clauses offer a diagram for. */
const explorerEndings = new Set(
  manifest.contributes.menus['explorer/context']
    .filter((m) => m.command.startsWith('cnnLens.openDiagram'))
    .flatMap((m) => [...(m.when ?? '').matchAll(/resourceExtname == (\.[\w.]+)/g)].map((x) => x[1])),
);

describe('package.json contributions follow the registry of formats', () => {
  for (const format of FORMATS) {
    const viewType = format.binary ? BINARY_EDITOR : TEXT_EDITOR;
    describe(`${format.displayName} (${format.binary ? 'binary' : 'text'})`, () => {
      it(`opens in ${viewType}`, () => {
        for (const ext of format.extensions) assert.ok(patterns(viewType).includes(`*${ext}`), `${viewType} has no selector *${ext}`);
      });
      it('is not claimed by the other kind of editor', () => {
        const other = format.binary ? TEXT_EDITOR : BINARY_EDITOR;
        for (const ext of format.extensions) assert.ok(!endings(other).has(ext), `${other} also claims ${ext}`);
      });
      it('activates the extension when its editor opens', () => {
        assert.ok(manifest.activationEvents.includes(`onCustomEditor:${viewType}`), `no onCustomEditor:${viewType}`);
      });
      it('has Open Diagram in the explorer’s context menu', () => {
        for (const ext of format.extensions) assert.ok(explorerEndings.has(ext), `no explorer entry for ${ext}`);
      });
    });
  }

  it('binary files open in the diagram by default (VS Code has no text editor for them)', () => {
    assert.equal(editor(BINARY_EDITOR)?.priority, 'default');
  });

  it('binary formats CNN Lens does not read yet open in the read-only diagram, which says what to do with them', () => {
    for (const ext of unreadBinaryExtensions(FORMATS)) assert.ok(patterns(BINARY_EDITOR).includes(`*${ext}`), `${BINARY_EDITOR} has no selector *${ext}`);
  });

  it('every editor selector and explorer entry belongs to a format of its kind (or one not read yet, for the message)', () => {
    const known = (binary: boolean) => new Set([...FORMATS.filter((f) => f.binary === binary).flatMap((f) => f.extensions), ...(binary ? unreadBinaryExtensions(FORMATS) : [])]);
    for (const [viewType, binary] of [[TEXT_EDITOR, false], [BINARY_EDITOR, true]] as const) {
      for (const ext of endings(viewType)) assert.ok(known(binary).has(ext!), `${viewType} selects ${ext}, which no ${binary ? 'binary' : 'text'} format reads`);
    }
    const all = new Set(FORMATS.flatMap((f) => f.extensions));
    for (const ext of explorerEndings) assert.ok(all.has(ext), `the explorer offers a diagram for ${ext}, which no format reads`);
  });
});
