import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { analyzeText } from '../../src/core';
import { lineIndex } from '../../src/core/formats/keras/json-tree';
import { MAX_EXPANDED_LAYERS, MAX_REPORTED_ERRORS, MAX_TEXT_MODEL_BYTES } from '../../src/core/formats/limits';
import { ModelProto } from '../../src/core/formats/onnx/proto';
import { countGraphNodes } from '../../src/core/formats/onnx/wire-count';
import { onnxModel } from '../support/onnx-build';
import { assertWithinBudget, runCliChild } from '../support/cli-child';
import { FIXTURES, MODELS } from '../support/fixtures';
import * as hostile from '../support/hostile-files';

// Issue 12, class 2: inputs that drive a parser into super-linear time or memory. Each crafted file
// goes through `cnn-lens summary` in a child process (1 GB heap) and must be answered within the
// budget (10 s, 1 GB) with the reason; the message rules (a cap, a count of the rest) in-process.

describe('hardening: parsers stay linear (CLI, child process)', () => {
  it('JSON nested 10,000 levels deep is refused with the depth, not a stack overflow', () => {
    const r = runCliChild(['summary', hostile.writeHostile('deep.json', hostile.deepJson(10_000))]);
    assertWithinBudget(r);
    assert.match(r.stderr, /deep\.json: error: the JSON is nested more than 512 levels deep \(at character \d+\)/);
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.stderr, /call stack/);
  });

  it('a UTF-16 model is one error that says so, not one per NUL byte', () => {
    const r = runCliChild(['summary', hostile.writeHostile('utf16.json', hostile.utf16(readFileSync(`${MODELS}/resnet50.json`, 'utf8')))]);
    assertWithinBudget(r);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr.slice(0, 500));
    assert.match(lines[0], /utf16\.json: error: the file is not UTF-8 \(NUL characters: it looks like UTF-16\); save it as UTF-8$/);
    assert.equal(r.code, 1);
  });

  it('50,000 layers of one name are renamed in linear time, the warnings capped with a count', () => {
    const r = runCliChild(['summary', hostile.writeHostile('dup.json', hostile.duplicateNames(50_000))]);
    assertWithinBudget(r);
    assert.equal(r.code, 0, r.stderr.slice(0, 300));
    const warnings = r.stderr.trim().split('\n');
    assert.equal(warnings.length, MAX_REPORTED_ERRORS + 1);
    assert.match(warnings[0], /warning: d~2: two layers are named "d"; the second is shown as "d~2"/);
    // 49,999 second names: 50 listed, the rest counted.
    assert.match(warnings[MAX_REPORTED_ERRORS], /and 49,949 more duplicate-name problems like the ones above/);
    assert.match(r.stdout, /d~50000 +Dense/);
  });

  it('a nest that doubles at each of 24 levels (16 million calls) stops expanding with an error', () => {
    const r = runCliChild(['summary', hostile.writeHostile('nest.json', hostile.doublingNest(24))]);
    assertWithinBudget(r);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`error: nested model "inner" is not expanded: the nested models' calls expand to more than ${MAX_EXPANDED_LAYERS.toLocaleString('en-US')} layers`));
  });
});

describe('hardening: sizes refused before parsing', () => {
  it('an ONNX graph of 200,000 nodes is refused from a count on the wire, before decoding', () => {
    const nodes = Array.from({ length: 200_000 }, (_, i) => ({ name: `r${i}`, op: 'Relu', inputs: [i ? `t${i - 1}` : 'x'], outputs: [`t${i}`] }));
    const r = runCliChild(['summary', hostile.writeHostile('big.onnx', onnxModel({ nodes, outputs: ['t199999'] }))]);
    assertWithinBudget(r);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /big\.onnx: the graph has 200,000 nodes, more than the 100,000 CNN Lens analyses/);
  });

  it('the wire count equals the decoder\u2019s', () => {
    for (const bytes of [readFileSync(`${FIXTURES}/onnx/tiny_cnn.onnx`), onnxModel({ nodes: [{ name: 'a', op: 'Relu', inputs: ['x'], outputs: ['y'] }, { name: 'b', op: 'Relu', inputs: ['y'], outputs: ['z'] }] })]) {
      const decoded = (ModelProto.decode(bytes) as unknown as { graph: { node: unknown[] } }).graph.node.length;
      assert.equal(countGraphNodes(bytes), decoded);
    }
  });

  it('a JSON model over 16 MiB is refused with the size', () => {
    const text = hostile.kerasModel([{ class_name: 'ReLU', config: { name: 'r' } }]).replace('{', `{${' '.repeat(MAX_TEXT_MODEL_BYTES)}`);
    const d = analyzeText(text, 'huge.json').diagnostics;
    assert.equal(d.length, 1);
    assert.match(d[0].message, /the file is 16,777,\d{3} characters long, more than the 16 MiB CNN Lens parses as a JSON model/);
  });
});

describe('hardening: messages bounded (in-process)', () => {
  it('broken JSON lists each error once, at most MAX_REPORTED_ERRORS, then how many more', () => {
    const text = `{"class_name": "Sequential", "config": {"layers": [${Array.from({ length: 5000 }, (_, i) => `{"a": ${i},, }`).join(',\n')}]}}`;
    const json = analyzeText(text, 'broken.json').diagnostics.filter((d) => d.code === 'json');
    assert.equal(json.length, MAX_REPORTED_ERRORS + 1);
    assert.equal(new Set(json.map((d) => d.message)).size, json.length, 'no message twice');
    assert.match(json[0].message, /^invalid JSON: [a-z ]+ at line 1$/);
    for (const d of json.slice(0, MAX_REPORTED_ERRORS)) assert.match(d.message, /^invalid JSON: [a-z ]+ at line \d+$/);
    assert.match(json[MAX_REPORTED_ERRORS].message, /^invalid JSON: and [\d,]+ more errors$/);
  });

  it('line numbers from the one index equal a count of newlines', () => {
    const text = 'a\nbb\n\nccc\n';
    const line = lineIndex(text);
    for (let offset = 0; offset <= text.length; offset++) assert.equal(line(offset), text.slice(0, offset).split('\n').length, `offset ${offset}`);
  });

  it('a thousand two-layer cycles: the first MAX_REPORTED_ERRORS named, the rest counted, long cycles elided', () => {
    const layers: object[] = [{ class_name: 'InputLayer', name: 'in', config: { name: 'in', batch_input_shape: [null, 4] }, inbound_nodes: [] }];
    for (let i = 0; i < 1000; i++) {
      layers.push({ class_name: 'Add', name: `x${i}`, config: { name: `x${i}` }, inbound_nodes: [[['in', 0, 0, {}], [`y${i}`, 0, 0, {}]]] });
      layers.push({ class_name: 'ReLU', name: `y${i}`, config: { name: `y${i}` }, inbound_nodes: [[[`x${i}`, 0, 0, {}]]] });
    }
    const chain = Array.from({ length: 40 }, (_, i) => ({ class_name: 'ReLU', name: `c${i}`, config: { name: `c${i}` }, inbound_nodes: [[[`c${(i + 1) % 40}`, 0, 0, {}]]] }));
    const model = (list: object[]) => JSON.stringify({ class_name: 'Functional', config: { name: 'f', layers: list, input_layers: [['in', 0, 0]], output_layers: [['in', 0, 0]] } });
    const cycles = analyzeText(model(layers), 'cycles.json').diagnostics.filter((d) => d.code === 'cycle');
    assert.equal(cycles.length, MAX_REPORTED_ERRORS + 1);
    assert.match(cycles[0].message, /layers form a cycle: (x0 → y0 → x0|y0 → x0 → y0)/);
    assert.match(cycles[MAX_REPORTED_ERRORS].message, /and 950 more cycles/);
    const long = analyzeText(model([layers[0], ...chain]), 'chain.json').diagnostics.find((d) => d.code === 'cycle');
    assert.ok(long, 'the 40-layer cycle is reported');
    assert.match(long.message, /… 30 more …/);
  });
});

