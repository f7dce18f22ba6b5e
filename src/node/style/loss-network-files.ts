import type * as tfc from '@tensorflow/tfjs-core';
import { readUserText } from '../file-source';
import { join } from 'node:path';
import { randomLossNetwork, RANDOM_SEED, vggLossNetwork, type LossNetwork } from '../../core/style/loss-network';
import { weightsSource } from '../weights-files';

// The loss network from the user's VGG-16 weights file (or folder), with the zoo's whole VGG-16
// graph (models/vgg16.json) for files that include the classifier.

const ROOT = join(__dirname, '..', '..', '..');

/** models/vgg16.json from the source tree (src/node/style) or next to the bundle (dist/). */
function zooVgg16Json(): string {
  for (const dir of [join(ROOT, 'models'), join(__dirname, 'models'), join(__dirname, '..', 'models')]) {
    try {
      return readUserText(join(dir, 'vgg16.json'), 'style');
    } catch {
      // next
    }
  }
  throw new Error('cannot find the zoo model vgg16.json');
}

/** VGG-16 with the ImageNet weights in a file or folder on disk. */
export const vggLossNetworkFile = async (tf: typeof tfc, weightsPath: string): Promise<LossNetwork> => vggLossNetwork(tf, weightsSource(weightsPath), zooVgg16Json);

/** The loss network for a weights path (VGG-16), or the offline default when none is given. */
export async function lossNetwork(tf: typeof tfc, vggWeights?: string, seed = RANDOM_SEED): Promise<LossNetwork> {
  return vggWeights ? vggLossNetworkFile(tf, vggWeights) : randomLossNetwork(tf, seed);
}
