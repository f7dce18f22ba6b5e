import { strict as assert } from 'node:assert';
import { parseTextFormat, type TextField, type TextMessage } from '../../src/core/formats/caffe/text-format';

// The protobuf text-format parser the Caffe reader stands on: values, nesting, comments, the
// grammar's optional parts, and the ranges every diagnostic and hover relies on.

const parse = (text: string): TextMessage => {
  const r = parseTextFormat(text);
  assert.ok(r.message, `parses: ${r.error?.message}`);
  return r.message;
};
const at = (text: string, range: { start: number; end: number }) => text.slice(range.start, range.end);
const fieldsOf = (f: TextField): readonly TextField[] => (f.value.kind === 'message' ? f.value.fields : assert.fail(`${f.name} is not a message`));

describe('protobuf text format', () => {
  it('reads strings, numbers, enum identifiers and nested messages, with the range of each', () => {
    const text = 'name: "CaffeNet"\nlayer {\n  type: \'Pooling\'\n  pooling_param { pool: MAX kernel_size: 3 }\n  alpha: 1e-4 beta: -0.75\n}\n';
    const m = parse(text);
    assert.deepEqual(m.fields.map((f) => f.name), ['name', 'layer']);
    assert.deepEqual(m.fields[0].value, { kind: 'string', value: 'CaffeNet', range: { start: 6, end: 16 } });
    assert.equal(at(text, m.fields[0].value.range), '"CaffeNet"');
    const layer = m.fields[1];
    assert.equal(at(text, layer.range), text.slice(text.indexOf('layer'), text.lastIndexOf('}') + 1));
    assert.equal(at(text, layer.nameRange), 'layer');
    const [type, pooling, alpha, beta] = fieldsOf(layer);
    assert.deepEqual([type.value.kind, (type.value as { value: string }).value], ['string', 'Pooling']);
    const [pool, kernel] = fieldsOf(pooling);
    assert.deepEqual([pool.value.kind, (pool.value as { value: string }).value, at(text, pool.range)], ['identifier', 'MAX', 'pool: MAX']);
    assert.deepEqual([kernel.value.kind, (kernel.value as { value: number }).value], ['number', 3]);
    assert.equal((alpha.value as { value: number }).value, 1e-4);
    assert.equal((beta.value as { value: number }).value, -0.75);
  });

  it('skips # comments, takes `< >` messages, `name: {`, lists, separators and adjacent strings', () => {
    const m = parse('# a net\ninput: "data" # the image\nshape: < dim: 1 >; kernel_size: [3, 5], s: "a" \'b\'\nparam: { lr_mult: 1 }\n');
    assert.deepEqual(m.fields.map((f) => f.name), ['input', 'shape', 'kernel_size', 'kernel_size', 's', 'param']);
    assert.deepEqual(m.fields.slice(2, 4).map((f) => (f.value as { value: number }).value), [3, 5]);
    assert.equal((m.fields[4].value as { value: string }).value, 'ab');
    assert.equal(m.fields[5].value.kind, 'message');
  });

  it('decodes escapes, hex, floats with f, inf and nan', () => {
    const m = parse('a: "x\\ty\\"z\\101" b: 0x1F c: 1.5f d: -inf e: nan f: .5');
    assert.deepEqual(m.fields.map((f) => (f.value as { value: unknown }).value), ['x\ty"zA', 31, 1.5, -Infinity, NaN, 0.5]);
  });

  it('names the offending text of a syntax error: an unclosed message, a missing colon, a stray character, an open string', () => {
    const cases: [string, string, RegExp][] = [
      ['layer {\n  name: "a"\n', '', /expected "}" to close the message, found the end of the file/],
      ['name "a"', '"a"', /expected ":" or "\{" after the field name "name"/],
      ['name: "a"\nlayer { type: @ }', '@', /unexpected character "@"/],
      ['name: "a\nlayer {}', '"a', /string is not closed/],
      ['layer { } }', '}', /expected a field name, found "}"/],
    ];
    for (const [text, offending, message] of cases) {
      const r = parseTextFormat(text);
      assert.ok(r.error, `${JSON.stringify(text)} is an error`);
      assert.match(r.error.message, message);
      assert.equal(at(text, r.error.range), offending, `range of the error in ${JSON.stringify(text)}`);
    }
  });

  it('an empty file is an empty message', () => {
    assert.deepEqual(parse('  # nothing\n').fields, []);
  });
});
