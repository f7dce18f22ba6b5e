import * as assert from 'node:assert/strict';
import { analyze } from '../../src/core/analysis/analyze';
import { checkExternalData } from '../../src/core/formats/onnx/external-data';
import { parseSource, parseSourceWithFiles } from '../../src/core/formats/registry';
import { bytesSource, SourceError, type SiblingFile } from '../../src/core/formats/source';
import { onnxModel } from '../support/onnx-build';

// Hostile and clumsy ONNX files: each gives a clear message naming the file, the node and the
// reason; nothing throws, and nothing outside the model's folder is asked for.

const conv = { name: 'conv', op: 'Conv', inputs: ['x', 'W'], outputs: ['y'] };
const weight = { name: 'W', dims: [4, 3, 3, 3] };

function open(bytes: Uint8Array, siblings: Record<string, number> = {}) {
  const asked: string[] = [];
  const source = bytesSource('models/net.onnx', bytes, async (name): Promise<SiblingFile> => {
    asked.push(name);
    if (!(name in siblings)) throw new SourceError(name, 'no such file');
    return { name, size: siblings[name], read: async () => new Uint8Array(0) };
  });
  return { source, asked };
}

const errors = (bytes: Uint8Array) => {
  const graph = parseSource(open(bytes).source);
  return analyze(graph).diagnostics.filter((d) => d.severity === 'error');
};

describe('ONNX bad input', () => {
  const good = onnxModel({ nodes: [conv], inits: [weight], outputs: ['y'] });

  it('reads the well-formed model the cases below break (the baseline)', () => {
    const a = analyze(parseSource(open(good).source));
    assert.equal(a.graph.format, 'onnx');
    assert.equal(a.totals.params, 4 * 3 * 3 * 3);
  });

  it('a truncated protobuf says so, naming the file', () => {
    const [d] = errors(good.subarray(0, Math.floor(good.length / 2)));
    assert.match(d.message, /^models\/net\.onnx: .*truncated/);
  });

  it('a file that is not ONNX says so', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    const [d] = errors(png);
    assert.match(d.message, /models\/net\.onnx: (not a valid ONNX protobuf|the file ends|the file holds no graph)/);
  });

  it('a graph with a cycle names the nodes of the cycle', () => {
    const bytes = onnxModel({ nodes: [{ name: 'a', op: 'Relu', inputs: ['b_out'], outputs: ['a_out'] }, { name: 'b', op: 'Relu', inputs: ['a_out'], outputs: ['b_out'] }], outputs: ['b_out'] });
    const cycle = errors(bytes).find((d) => d.code === 'cycle');
    assert.ok(cycle, 'a cycle diagnostic');
    assert.match(cycle!.message, /models\/net\.onnx: .*(a → b|b → a)/);
  });

  it('an input that nothing produces names the node and the input', () => {
    const bytes = onnxModel({ nodes: [{ name: 'relu', op: 'Relu', inputs: ['ghost'], outputs: ['y'] }], outputs: ['y'] });
    const d = errors(bytes).find((e) => e.code === 'missing-input');
    assert.match(d!.message, /models\/net\.onnx: relu: input "ghost" of Relu node "relu" is produced by no node, initializer or graph input/);
    assert.equal(d!.node, 'relu');
  });

  it('a missing initializer (a weight nobody stores) is the same clear message', () => {
    const bytes = onnxModel({ nodes: [conv], outputs: ['y'] });
    const d = errors(bytes).find((e) => e.code === 'missing-input');
    assert.match(d!.message, /input "W" of Conv node "conv"/);
  });

  it('an initializer whose bytes do not match its declared shape is an error naming the tensor', () => {
    const bytes = onnxModel({ nodes: [conv], inits: [{ ...weight, raw: new Uint8Array(10) }], outputs: ['y'] });
    const d = errors(bytes).find((e) => e.code === 'tensor-size');
    assert.match(d!.message, /tensor "W" declares 4×3×3×3 float32 \(432 bytes\) but holds 10 bytes/);
  });

  it('external data outside the model\u2019s folder is refused without asking for the file', async () => {
    for (const location of ['../other/shard.bin', '/etc/passwd', 'a/../../x.bin']) {
      const bytes = onnxModel({ nodes: [conv], inits: [{ ...weight, external: { location, offset: 0, length: 432 } }], outputs: ['y'] });
      const { source, asked } = open(bytes, { [location]: 1000 });
      const graph = await parseSourceWithFiles(source);
      const d = graph.diagnostics.find((e) => e.code === 'external-data');
      assert.match(d!.message, /tensor "W": external data .* cannot be read: the name (leaves the model’s folder|is an absolute path)/, location);
      assert.deepEqual(asked, [], `${location} must not be opened`);
    }
  });

  it('external data past the end of its file is an error; a missing data file is a warning and the graph still opens', async () => {
    const bytes = onnxModel({ nodes: [conv], inits: [{ ...weight, external: { location: 'net.data', offset: 100, length: 432 } }], outputs: ['y'] });
    const short = open(bytes, { 'net.data': 500 });
    const [past] = await checkExternalData(short.source, parseSource(short.source));
    assert.equal(past.severity, 'error');
    assert.match(past.message, /tensor "W" declares bytes 100–532 of "net\.data", past the end of the file \(500 bytes\)/);
    const missing = open(bytes);
    const graph = await parseSourceWithFiles(missing.source);
    const warning = graph.diagnostics.find((d) => d.code === 'external-data');
    assert.equal(warning?.severity, 'warning');
    assert.match(warning!.message, /"net\.data" \(1 tensor\) cannot be read: no such file; the graph opens/);
    assert.equal(analyze(graph).totals.params, 108, 'the weights are still counted from their declared shape');
  });

  it('an opset CNN Lens does not know is a warning that names it, and the graph still opens', () => {
    const graph = parseSource(open(onnxModel({ nodes: [conv], inits: [weight], outputs: ['y'], opset: 99 })).source);
    const d = graph.diagnostics.find((e) => e.code === 'opset');
    assert.match(d!.message, /opset 99; CNN Lens knows opsets 7 to 21/);
    assert.ok(graph.nodes.some((n) => n.id === 'conv'));
  });

  it('an operator from a custom domain is an opaque node with a diagnostic, not an exception', () => {
    const bytes = onnxModel({ nodes: [{ name: 'mystery', op: 'FancyOp', inputs: ['x'], outputs: ['y'] }], outputs: ['y'] });
    const graph = parseSource(open(bytes).source);
    const node = graph.nodes.find((n) => n.id === 'mystery');
    assert.equal(node?.op, 'Unknown');
    assert.match(graph.diagnostics.find((d) => d.node === 'mystery')!.message, /FancyOp/);
  });
});
