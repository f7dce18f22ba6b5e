import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeText } from '../../src/core';
import { labelFileFor, labelPreviews, LabelsError, outputClasses } from '../../src/core/runtime/labels';
import { imagenetLabelsFile, readLabelFile, resolveLabels } from '../../src/node/label-files';
import type { ActivationPreview } from '../../src/core/runtime/preview-images';
import { MODELS, ROOT } from '../support/fixtures';

// Class labels: the shipped ImageNet names against the class index every Keras ImageNet model uses,
// which file applies to which model, and naming the top-k of the previews.

describe('class labels', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'cnn-lens-labels-'));

  it('media/labels/imagenet.txt holds the 1000 ImageNet classes in Keras class-index order', () => {
    const text = readFileSync(join(ROOT, 'media', 'labels', 'imagenet.txt'), 'utf8');
    const lines = text.split('\n');
    assert.equal(lines.pop(), '', 'ends with a newline');
    assert.equal(lines.length, 1000);
    assert.ok(lines.every((l) => l.trim() === l && l.length > 0), 'one non-empty, trimmed name per line');
    assert.equal(lines[0], 'tench, Tinca tinca');
    assert.equal(lines[999], 'toilet tissue, toilet paper, bathroom tissue');
    // keras.applications' imagenet_class_index.json (the first name of each synset, spaces as underscores).
    const keras: Record<number, string> = { 0: 'tench', 1: 'goldfish', 2: 'great_white_shark', 207: 'golden_retriever', 281: 'tabby', 285: 'Egyptian_cat', 409: 'analog_clock', 817: 'sports_car', 949: 'strawberry', 999: 'toilet_tissue' };
    for (const [i, name] of Object.entries(keras)) assert.equal(lines[Number(i)].split(', ')[0].replace(/ /g, '_'), name, `class ${i}`);
    assert.deepEqual(readLabelFile(imagenetLabelsFile()), lines, 'found from the source tree, read as written');
    const readme = readFileSync(join(ROOT, 'media', 'labels', 'README.md'), 'utf8');
    assert.match(readme, /@tensorflow-models\/mobilenet/);
    assert.match(readme, /Apache License, Version 2\.0/);
  });

  it('a given file wins, then labels.txt next to the model, then ImageNet for a 1000-class output; none otherwise', () => {
    const dir = join(tmp, 'model');
    mkdirSync(dir, { recursive: true });
    const model = join(dir, 'net.json');
    const mine = join(tmp, 'mine.txt');
    writeFileSync(mine, 'cat\r\ndog\n\nbird\n');
    assert.deepEqual(resolveLabels({ file: mine, modelFile: model, classes: [1000] }), { names: ['cat', 'dog', '', 'bird'], source: mine });
    const imagenet = resolveLabels({ modelFile: model, classes: [1000] });
    assert.equal(imagenet?.names.length, 1000);
    assert.equal(imagenet?.names[281], 'tabby, tabby cat');
    assert.match(imagenet!.source, /imagenet\.txt \(ImageNet\)/);
    assert.equal(resolveLabels({ modelFile: model, classes: [10] }), undefined);
    writeFileSync(join(dir, 'labels.txt'), 'zero\none\n');
    assert.deepEqual(resolveLabels({ modelFile: model, classes: [1000] }), { names: ['zero', 'one'], source: join(dir, 'labels.txt') });
    assert.throws(() => resolveLabels({ file: join(tmp, 'missing.txt'), modelFile: model, classes: [1000] }), (e: Error) => e instanceof LabelsError && e.message === `${join(tmp, 'missing.txt')}: cannot read the label file (no such file)`);
    writeFileSync(join(tmp, 'empty.txt'), '\n');
    assert.throws(() => readLabelFile(join(tmp, 'empty.txt')), /empty\.txt: the label file is empty/);
  });

  it('cnnLens.labels: the first glob matching the model file gives its label file; the outputs’ class counts decide ImageNet', () => {
    const setting = { '**/flowers*.json': 'flowers.txt', '**/models/*.json': '/abs/zoo.txt' };
    assert.equal(labelFileFor('/w/nets/flowers_v2.json', setting), 'flowers.txt');
    assert.equal(labelFileFor('C:\\w\\models\\vgg16.json', setting), '/abs/zoo.txt', 'Windows paths too');
    assert.equal(labelFileFor('/w/nets/cifar.json', setting), undefined);
    const file = join(MODELS, 'resnet50.json');
    assert.deepEqual(outputClasses(analyzeText(readFileSync(file, 'utf8'), file)), [1000]);
  });

  it('names the top-k of every output with as many classes as there are labels, and only those', () => {
    const base = { thumbnail: 'data:image/png;base64,', min: 0, max: 1, random: true };
    const previews: Record<string, ActivationPreview> = {
      predictions: { ...base, channels: 3, shape: [1, 3], top: [{ index: 2, value: 0.7 }, { index: 0, value: 0.2 }] },
      features: { ...base, channels: 4, shape: [1, 4], top: [{ index: 1, value: 5 }] },
      conv: { ...base, channels: 3, shape: [1, 8, 8, 3], shown: 3 },
    };
    const out = labelPreviews(previews, { names: ['cat', 'dog', 'bird'], source: 'x' });
    assert.deepEqual(out.predictions.top, [{ index: 2, value: 0.7, label: 'bird' }, { index: 0, value: 0.2, label: 'cat' }]);
    assert.deepEqual(out.features, previews.features, 'a 4-class output is not named by 3 labels');
    assert.deepEqual(out.conv, previews.conv);
    assert.equal(previews.predictions.top![0].index, 2);
    assert.equal('label' in previews.predictions.top![0], false, 'the input is not changed');
    assert.deepEqual(labelPreviews(previews, undefined), previews);
  });
});
