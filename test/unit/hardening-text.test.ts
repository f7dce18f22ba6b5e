import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { runCliAsync } from '../../src/cli/main';
import { analyzeText } from '../../src/core';
import { hoverMarkdown } from '../../src/core/analysis/describe';
import { csvCell, escapeControl, markdownCode, markdownText, notificationText, terminalText } from '../../src/core/text/escape';
import { assertWithinBudget, runCliChild } from '../support/cli-child';
import * as hostile from '../support/hostile-files';

// Issue 12, class 4: names from a model file are data, never code: not escape sequences in a
// terminal, not a forged "FILE: error:" line, not a link or an image in a hover or a notification,
// not a formula in a spreadsheet.

const { escape, newline, markdownLink, markdownImage } = hostile.HOSTILE_NAMES;

describe('hardening: text that cannot act as code', () => {
  it('escapeControl shows every control character; terminalText keeps line breaks and tabs only', () => {
    assert.equal(escapeControl('a\u001b[31mb\nc\td\u0007\u202e'), 'a\\x1b[31mb\\nc\\td\\x07\\u202e');
    assert.equal(terminalText('a\u001b[0m\n\tb\r'), 'a\\x1b[0m\n\tb\\r');
  });

  it('the summary prints hostile names escaped: no ESC byte, no forged line', async () => {
    const file = hostile.writeHostile('names.json', hostile.hostileNamesModel());
    for (const args of [['summary', file], ['summary', file, '--markdown'], ['summary', file, '--csv']]) {
      const r = await runCliAsync(args);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(r.stdout + r.stderr), `no control character in the output of ${args.join(' ')}`);
      assert.ok(!/^model\.json: error: forged/m.test(r.stdout + r.stderr), 'no forged error line');
      assert.ok(r.stdout.includes(escapeControl(escape).replace(/[\\`[\]!|<>&]/g, args[2] === '--markdown' ? (c) => `\\${c}` : (c) => c)), `${args.join(' ')} shows the escape visibly`);
    }
  });

  it('CSV cells that begin with = + - @ are quoted as text', async () => {
    const r = await runCliAsync(['summary', hostile.writeHostile('names.json', hostile.hostileNamesModel()), '--csv']);
    assert.ok(r.stdout.split('\n').some((line) => line.startsWith(`"'=HYPERLINK(""https://evil.example"",""x"")",Dense,`)), r.stdout);
    for (const [cell, quoted] of [['=1+1', `"'=1+1"`], ['+1', `"'+1"`], ['-1', `"'-1"`], ['@SUM(A1)', `"'@SUM(A1)"`], ['conv1', 'conv1'], ['a,b', '"a,b"']]) assert.equal(csvCell(cell), quoted);
  });

  it('a hover shows names as code spans: no link, no image, no HTML from the file', () => {
    const text = hostile.hostileNamesModel();
    const analysis = analyzeText(text, 'names.json');
    for (const name of [markdownLink, markdownImage, newline]) {
      const md = hoverMarkdown(analysis, name);
      assert.ok(md.startsWith(`**${markdownText(name)}**`), md);
      // Outside code spans (where nothing renders), no unescaped `](` that could make a link or an image.
      const prose = md.replace(/(`+)[\s\S]*?\1/g, '');
      assert.ok(!/(^|[^\\])\]\(/.test(prose), `no link syntax in ${md}`);
      assert.ok(!md.includes('\n' + 'model.json'), 'the newline in the name is shown, not obeyed');
    }
    assert.equal(markdownCode('a`b'), '``a`b``');
    assert.equal(markdownCode('`x'), '`` `x ``');
    assert.equal(markdownText(markdownImage), '\\!\\[x\\](https://evil.example/pixel.png)');
  });

  it('a notification cannot form a link from a name', () => {
    assert.equal(notificationText(`CNN Lens: ${markdownLink} has errors`), 'CNN Lens: [click]\u200b(command:workbench.action.quit) has errors');
    assert.equal(notificationText('a\nb'), 'a\\nb');
  });

  it('every notification of the extension goes through notify(), which escapes', () => {
    for (const file of ['export-command', 'extension', 'edit-commands', 'run-target', 'run-session', 'profile-command', 'diagram-webview', 'binary-model']) {
      const source = readFileSync(`src/extension/${file}.ts`, 'utf8');
      assert.doesNotMatch(source, /window\.show(Error|Warning|Information)Message/, `${file}.ts calls VS Code's notifications directly`);
      assert.doesNotMatch(source, /commands\.registerCommand\(/, `${file}.ts registers a command that could throw past the user (use registerGuardedCommand)`);
    }
    assert.match(readFileSync('src/extension/notify.ts', 'utf8'), /SHOW\[kind\]\(notificationText\(text\)/);
  });

  it('within the budget in a child process', () => {
    const r = runCliChild(['summary', hostile.writeHostile('names.json', hostile.hostileNamesModel())]);
    assertWithinBudget(r);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /red\\x1b\[31mX\\x1b\]8;;https:\/\/evil\.example\/\\x07link/);
    assert.match(r.stdout, /conv\\nmodel\.json: error: forged/);
  });
});
