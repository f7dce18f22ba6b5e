import { strict as assert } from 'node:assert';
import { analyzeText } from '../../src/core';
import { classifierOutputs, labelsHint } from '../../src/core/runtime/labels';

// A classifier's output without class names says how to give them (cnnLens.labels, labels.txt).

const model = (head: object[]) =>
  JSON.stringify({ class_name: 'Sequential', config: { name: 'flowers', layers: [{ class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, 8] } }, ...head] } });

describe('the labels hint', () => {
  it('a Dense softmax head of 5 classes and no label file: says how to give one, with the setting and the glob', () => {
    const analysis = analyzeText(model([{ class_name: 'Dense', config: { name: 'predictions', units: 5, activation: 'softmax' } }]), '/w/models/flowers.json');
    assert.deepEqual(classifierOutputs(analysis), [{ layer: 'predictions', classes: 5 }]);
    assert.equal(
      labelsHint(analysis, undefined, '/w/models/flowers.json'),
      'predictions is a classifier\'s output (softmax over 5 classes) without class names: give a label file (one class name per line, 5 lines) with the setting cnnLens.labels, e.g. "cnnLens.labels": { "**/flowers.json": "labels.txt" }, or put labels.txt next to flowers.json.',
    );
  });

  it('a separate Softmax layer counts too; labels found, or no softmax at the output: no hint', () => {
    const split = analyzeText(model([{ class_name: 'Dense', config: { name: 'logits', units: 3 } }, { class_name: 'Softmax', config: { name: 'probs' } }]), 'm.json');
    assert.deepEqual(classifierOutputs(split), [{ layer: 'probs', classes: 3 }]);
    assert.equal(labelsHint(split, { names: ['a', 'b', 'c'], source: 'labels.txt' }, 'm.json'), undefined);
    const regression = analyzeText(model([{ class_name: 'Dense', config: { name: 'value', units: 3 } }]), 'm.json');
    assert.equal(labelsHint(regression, undefined, 'm.json'), undefined);
  });
});
