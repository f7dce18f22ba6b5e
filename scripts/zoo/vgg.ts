// VGG16 / VGG19 exactly as keras.applications builds them (include_top=True, 224×224×3, 1000 classes).
import { KerasBuilder, conv2d, dense, flatten, pool2d } from './keras-builder';
import type { JsonObject } from './keras-builder';

export function vgg(depth: 16 | 19): JsonObject {
  const convsPerBlock = depth === 16 ? [2, 2, 3, 3, 3] : [2, 2, 4, 4, 4];
  const widths = [64, 128, 256, 512, 512];
  const k = new KerasBuilder();
  const input = k.input('input_1', [224, 224, 3]);
  let x = input;
  convsPerBlock.forEach((n, b) => {
    for (let i = 1; i <= n; i++) {
      x = k.layer('Conv2D', conv2d({ name: `block${b + 1}_conv${i}`, filters: widths[b], kernel_size: 3, padding: 'same', activation: 'relu' }), x);
    }
    x = k.layer('MaxPooling2D', pool2d({ name: `block${b + 1}_pool`, pool_size: 2, strides: 2 }), x);
  });
  x = k.layer('Flatten', flatten('flatten'), x);
  x = k.layer('Dense', dense({ name: 'fc1', units: 4096, activation: 'relu' }), x);
  x = k.layer('Dense', dense({ name: 'fc2', units: 4096, activation: 'relu' }), x);
  x = k.layer('Dense', dense({ name: 'predictions', units: 1000, activation: 'softmax' }), x);
  return k.model(`vgg${depth}`, input, x);
}
