import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../src/core/analysis/analyze';
import { planEdit } from '../../src/core/edit/plan';
import { EditError } from '../../src/core/edit/types';
import { parseModel } from '../../src/core/formats/registry';
import { FIXTURES } from '../support/fixtures';

// Diagram edits written back into a prototxt as the smallest text edits: the value's characters
// where the field is written, one new line where it is not; the figures follow the new text.

const text = readFileSync(join(FIXTURES, 'caffe', 'bvlc_reference_caffenet.deploy.prototxt'), 'utf8');
const FILE = 'deploy.prototxt';

describe('Caffe prototxt: edits from the diagram', () => {
  it('num_output of conv2 in the diagram changes exactly those three characters, and the counts follow', () => {
    const planned = planEdit(text, FILE, { kind: 'setAttribute', layer: 'conv2', attr: 'filters', value: 128 });
    const at = text.indexOf('num_output: 256') + 'num_output: '.length;
    assert.deepEqual(planned.edits, [{ offset: at, length: 3, content: '128' }]);
    const after = analyze(parseModel(planned.text, FILE));
    // conv2: 128 × 48 × 25 + 128; conv3 now reads 128 channels.
    assert.equal(after.byId.get('conv2')!.params, 128 * 48 * 25 + 128);
    assert.equal(after.byId.get('conv3')!.params, 384 * 128 * 9 + 384);
    assert.deepEqual(planned.newProblems, []);
  });

  it('a field the layer does not write goes on a new line of its param block, in the file’s indentation', () => {
    const planned = planEdit(text, FILE, { kind: 'setAttribute', layer: 'conv1', attr: 'useBias', value: false });
    assert.equal(planned.edits.length, 1);
    assert.match(planned.text, /convolution_param \{\n    num_output: 96\n    kernel_size: 11\n    stride: 4\n    bias_term: false\n  \}/);
    assert.equal(analyze(parseModel(planned.text, FILE)).byId.get('conv1')!.params, 96 * 3 * 121);
  });

  it('a layer without the param block gets one (Dropout’s ratio on a bare layer)', () => {
    const bare = text.replace(/  dropout_param \{\n    dropout_ratio: 0.5\n  \}\n/, '');
    const planned = planEdit(bare, FILE, { kind: 'setAttribute', layer: 'drop6', attr: 'rate', value: 0.25 });
    assert.match(planned.text, /name: "drop6"\n  type: "Dropout"\n  bottom: "fc6"\n  top: "fc6"\n  dropout_param \{\n    dropout_ratio: 0.25\n  \}\n\}/);
    assert.equal(parseModel(planned.text, FILE).nodes.find((n) => n.id === 'drop6')!.attrs.rate, 0.25);
  });

  it('refuses, with the reason, what it cannot write yet or what would break the layer', () => {
    assert.throws(() => planEdit(text, FILE, { kind: 'deleteLayer', layer: 'relu1' }), (e: unknown) => e instanceof EditError && /deleteLayer is not written into a prototxt yet/.test(e.message));
    assert.throws(() => planEdit(text, FILE, { kind: 'setAttribute', layer: 'pool1', attr: 'poolSize', value: 2 }), /MaxPooling2D layers have no attribute "poolSize" in a caffe-prototxt model/);
    // groups 5 divides neither conv2's 96 input channels nor its 256 filters: the layer itself would be wrong.
    assert.throws(() => planEdit(text, FILE, { kind: 'setAttribute', layer: 'conv2', attr: 'groups', value: 5 }), /groups=5 does not divide/);
  });
});
