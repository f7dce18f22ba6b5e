import { strict as assert } from 'node:assert';
import { analyzeText } from '../../src/core';
import type { Analysis } from '../../src/core';

// Bad input never throws: each problem becomes a diagnostic that names the layer and the reason,
// with a range into the text, and analysis goes on past it.

const seq = (layers: object[], input: (number | null)[] = [null, 32, 32, 3]) =>
  JSON.stringify({ class_name: 'Sequential', config: { name: 'm', layers: [{ class_name: 'InputLayer', config: { name: 'in', batch_input_shape: input } }, ...layers] } }, null, 1);

const functional = (layers: object[], outputs = [['out', 0, 0]]) =>
  JSON.stringify({ class_name: 'Functional', config: { name: 'f', layers, input_layers: [['in', 0, 0]], output_layers: outputs } }, null, 1);

const inputLayer = (shape: (number | null)[] = [null, 28, 28, 3]) => ({ class_name: 'InputLayer', name: 'in', config: { name: 'in', batch_input_shape: shape }, inbound_nodes: [] });
const layer = (name: string, className: string, config: object, inputs: string[]) => ({
  class_name: className,
  name,
  config: { name, ...config },
  inbound_nodes: [inputs.map((i) => [i, 0, 0, {}])],
});

function diagnose(text: string): { analysis: Analysis; problems: { severity: string; code: string; message: string; node?: string; text: string }[] } {
  const analysis = analyzeText(text, 'bad.json');
  return {
    analysis,
    problems: analysis.diagnostics.map((d) => ({ severity: d.severity, code: d.code, message: d.message, node: d.node, text: d.range ? text.slice(d.range.start, d.range.end) : '' })),
  };
}

describe('bad input becomes diagnostics, never exceptions', () => {
  it('malformed JSON: says where, and still reads what it can', () => {
    const text = seq([{ class_name: 'Dense', config: { name: 'd', units: 3 } }]).replace('"units": 3', '"units": 3,,');
    const { problems } = diagnose(text);
    assert.ok(problems.length >= 1);
    assert.equal(problems[0].code, 'json');
    assert.match(problems[0].message, /invalid JSON: .* at line \d+/);
  });

  it('not JSON at all, an empty file, a JSON array, a non-model object', () => {
    for (const text of ['hello', '', '[1, 2]', '{"class_name": "Dense"}', '{"foo": 1}']) {
      const { problems, analysis } = diagnose(text);
      assert.ok(problems.some((p) => p.severity === 'error'), `no error for ${JSON.stringify(text)}`);
      assert.equal(analysis.graph.nodes.length, 0);
    }
  });

  it('an unknown layer class becomes an opaque node; layers after it have unknown shapes but no extra errors', () => {
    const { problems, analysis } = diagnose(seq([{ class_name: 'MyFancyBlock', config: { name: 'fancy', width: 3 } }, { class_name: 'Flatten', config: { name: 'flat' } }]));
    assert.deepEqual(problems.map((p) => [p.severity, p.code, p.node]), [['warning', 'unknown-layer', 'fancy']]);
    assert.match(problems[0].message, /fancy: unknown layer class "MyFancyBlock"/);
    assert.equal(problems[0].text, '"fancy"');
    assert.equal(analysis.graph.nodes[1].op, 'Unknown');
    assert.equal(analysis.byId.get('flat')!.outputShape, undefined);
  });

  it('Concatenate of 28×28 with 27×27 names the layer and the axis, and analysis continues on other branches', () => {
    const text = functional(
      [
        inputLayer(),
        layer('a', 'Conv2D', { filters: 8, kernel_size: 3, padding: 'same' }, ['in']),
        layer('b', 'Conv2D', { filters: 8, kernel_size: 2, padding: 'valid' }, ['in']),
        layer('cat', 'Concatenate', { axis: -1 }, ['a', 'b']),
        layer('side', 'Conv2D', { filters: 4, kernel_size: 1 }, ['a']),
        layer('out', 'GlobalAveragePooling2D', {}, ['cat']),
      ],
      [['out', 0, 0], ['side', 0, 0]],
    );
    const { problems, analysis } = diagnose(text);
    assert.deepEqual(problems.map((p) => [p.severity, p.code, p.node]), [['error', 'shape', 'cat']]);
    assert.match(problems[0].message, /cat \(Concatenate\): .*\(1, 28, 28, 8\), \(1, 27, 27, 8\) differ at axis 1 \(28 vs 27\)/);
    assert.equal(problems[0].text, '"cat"');
    assert.deepEqual(analysis.byId.get('side')!.outputShape, [1, 28, 28, 4], 'the independent branch is still analysed');
    assert.equal(analysis.byId.get('side')!.params, 8 * 4 + 4);
  });

  it('Dense on a 4-D tensor: a warning that explains it acts on the last axis', () => {
    const { problems, analysis } = diagnose(seq([{ class_name: 'Dense', config: { name: 'fc', units: 10 } }]));
    assert.deepEqual(problems.map((p) => [p.severity, p.node]), [['warning', 'fc']]);
    assert.match(problems[0].message, /fc \(Dense\): Dense on a 4-D input \(1, 32, 32, 3\) acts on the last axis only/);
    assert.deepEqual(analysis.byId.get('fc')!.outputShape, [1, 32, 32, 10], 'as Keras computes it');
  });

  it('a cycle is named with its layers', () => {
    const text = functional([inputLayer(), layer('x', 'Add', {}, ['in', 'y']), layer('y', 'ReLU', {}, ['x']), layer('out', 'Flatten', {}, ['y'])]);
    const { problems } = diagnose(text);
    const cycle = problems.find((p) => p.code === 'cycle');
    assert.ok(cycle, JSON.stringify(problems));
    assert.match(cycle.message, /cycle: (x → y|y → x)/);
  });

  it('a missing inbound layer is named, with the range of the reference', () => {
    const { problems } = diagnose(functional([inputLayer(), layer('c', 'Conv2D', { filters: 4, kernel_size: 3 }, ['ghost']), layer('out', 'Flatten', {}, ['c'])]));
    assert.deepEqual(problems.map((p) => [p.code, p.node]), [['missing-input', 'c']]);
    assert.match(problems[0].message, /c: inbound layer "ghost" does not exist in the model/);
    assert.match(problems[0].text, /^\[\s*"ghost"/);
  });

  it('negative, zero and absurd dimensions', () => {
    const negative = diagnose(seq([{ class_name: 'Conv2D', config: { name: 'c', filters: -4, kernel_size: 3 } }]));
    assert.match(negative.problems[0].message, /c \(Conv2D\): filters must be positive, got -4/);
    const zeroInput = diagnose(seq([{ class_name: 'Flatten', config: { name: 'f' } }], [null, 0, 32, 3]));
    assert.match(zeroInput.problems[0].message, /in \(InputLayer\): dimension 0 in \(1, 0, 32, 3\) is not a positive integer/);
    const huge = diagnose(seq([{ class_name: 'Conv2D', config: { name: 'c', filters: 1_000_000, kernel_size: 1 } }], [null, 100_000, 100_000, 3]));
    assert.ok(huge.problems.some((p) => p.code === 'huge-tensor' && /more than one tensor can hold/.test(p.message)), JSON.stringify(huge.problems));
    const tooBigKernel = diagnose(seq([{ class_name: 'Conv2D', config: { name: 'c', filters: 4, kernel_size: 64 } }]));
    assert.match(tooBigKernel.problems[0].message, /c \(Conv2D\): Conv2D window 64×64 .* does not fit the input \(1, 32, 32, 3\)/);
  });

  it('a wrong attribute type names the attribute and points at its value', () => {
    const { problems } = diagnose(seq([{ class_name: 'Conv2D', config: { name: 'c', filters: 8, kernel_size: 'three' } }]));
    assert.deepEqual(problems.map((p) => [p.code, p.node, p.text]), [['attribute', 'c', '"three"']]);
    assert.match(problems[0].message, /c: attribute "kernel_size": expected an integer or a pair of integers, got "three"/);
  });

  it('a missing required attribute is named', () => {
    const { problems } = diagnose(seq([{ class_name: 'Dense', config: { name: 'd' } }]));
    assert.match(problems[0].message, /d: missing required attribute "units"/);
  });

  it('random garbage in every position never throws', () => {
    const base = JSON.parse(seq([{ class_name: 'Conv2D', config: { name: 'c', filters: 8, kernel_size: 3 } }, { class_name: 'Add', config: { name: 'a' } }]));
    const junk = [null, 0, -1, 1e308, 'x', [], {}, [[['in']]], true];
    let runs = 0;
    for (const value of junk) {
      for (const mutate of [
        (m: any) => (m.config.layers[1].config.filters = value),
        (m: any) => (m.config.layers[1].config.kernel_size = value),
        (m: any) => (m.config.layers[0].config.batch_input_shape = value),
        (m: any) => (m.config.layers[1].class_name = value),
        (m: any) => (m.config.layers = value),
        (m: any) => (m.config.layers[2].inbound_nodes = value),
      ]) {
        const m = JSON.parse(JSON.stringify(base));
        mutate(m);
        assert.doesNotThrow(() => analyzeText(JSON.stringify(m), 'fuzz.json'));
        runs++;
      }
    }
    assert.equal(runs, junk.length * 6);
  });
});
