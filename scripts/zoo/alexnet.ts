// BVLC Caffe reference AlexNet (models/bvlc_alexnet/deploy.prototxt, rev. 310574f2) as a Keras Sequential
// model: 227×227 input, LRN before pooling, groups=2 on conv2/4/5.
import { conv2d, dense, dropout, flatten, localResponseNormalization, pool2d, sequential } from './keras-builder';
import type { JsonObject } from './keras-builder';

// Caffe LRN: local_size 5, alpha 1e-4, beta 0.75, k 1. Caffe divides alpha by local_size, TensorFlow does not:
// depth_radius = (5 − 1) / 2 = 2, alpha = 1e-4 / 5 = 2e-5.
const lrn = (name: string) => localResponseNormalization(name, { depth_radius: 2, bias: 1.0, alpha: 2e-5, beta: 0.75 });

export function alexnet(): JsonObject {
  return sequential('alexnet', [227, 227, 3], [
    ['Conv2D', conv2d({ name: 'conv1', filters: 96, kernel_size: 11, strides: 4, padding: 'valid', activation: 'relu' })],
    ['LocalResponseNormalization', lrn('norm1')],
    ['MaxPooling2D', pool2d({ name: 'pool1', pool_size: 3, strides: 2 })],
    ['Conv2D', conv2d({ name: 'conv2', filters: 256, kernel_size: 5, padding: 'same', groups: 2, activation: 'relu' })],
    ['LocalResponseNormalization', lrn('norm2')],
    ['MaxPooling2D', pool2d({ name: 'pool2', pool_size: 3, strides: 2 })],
    ['Conv2D', conv2d({ name: 'conv3', filters: 384, kernel_size: 3, padding: 'same', activation: 'relu' })],
    ['Conv2D', conv2d({ name: 'conv4', filters: 384, kernel_size: 3, padding: 'same', groups: 2, activation: 'relu' })],
    ['Conv2D', conv2d({ name: 'conv5', filters: 256, kernel_size: 3, padding: 'same', groups: 2, activation: 'relu' })],
    ['MaxPooling2D', pool2d({ name: 'pool5', pool_size: 3, strides: 2 })],
    ['Flatten', flatten('flatten')],
    ['Dense', dense({ name: 'fc6', units: 4096, activation: 'relu' })],
    ['Dropout', dropout('drop6', 0.5)],
    ['Dense', dense({ name: 'fc7', units: 4096, activation: 'relu' })],
    ['Dropout', dropout('drop7', 0.5)],
    ['Dense', dense({ name: 'fc8', units: 1000, activation: 'softmax' })],
  ]);
}
