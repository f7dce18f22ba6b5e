import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

// TensorFlow.js as an independent oracle: tfjs-layers builds the same Keras JSON with its own
// code, and its parameter counts and output shapes must equal ours.

/**
 * GoogLeNet's LRN is not a tfjs-layers class. For counting parameters and shapes a weightless,
 * shape-preserving stand-in is exact (LRN has no weights and keeps its input's shape).
 */
class LocalResponseNormalization extends tfl.layers.Layer {
  static className = 'LocalResponseNormalization';
  constructor(args: { name?: string }) {
    super({ name: args.name, trainable: true });
  }
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return Array.isArray(inputs) ? inputs[0] : inputs;
  }
}
tf.serialization.registerClass(LocalResponseNormalization);

export interface OracleLayer {
  readonly name: string;
  readonly className: string;
  readonly params: number;
  readonly trainableParams: number;
  /** Output shape of each call (inbound node) of the layer, batch dimension included (null). */
  readonly outputShapes: readonly (readonly (number | null)[])[];
}

export interface OracleModel {
  readonly params: number;
  readonly layers: readonly OracleLayer[];
}

const count = (weights: readonly tfl.LayerVariable[]): number => weights.reduce((s, w) => s + w.shape.reduce((p: number, d) => p * (d ?? NaN), 1), 0);

export async function oracle(json: unknown): Promise<OracleModel> {
  const model = await tfl.models.modelFromJSON(json as never);
  try {
    return {
      params: model.countParams(),
      layers: model.layers.map((layer) => ({
        name: layer.name,
        className: layer.getClassName(),
        params: layer.countParams(),
        trainableParams: count(layer.trainableWeights),
        // A node's outputShapes is one shape, or a list of shapes (one per output): every op here has one output.
        outputShapes: layer.inboundNodes.map((n) => {
          const shapes = n.outputShapes as unknown as (number | null)[] | (number | null)[][];
          return (Array.isArray(shapes[0]) ? shapes[0] : shapes) as (number | null)[];
        }),
      })),
    };
  } finally {
    model.dispose();
  }
}
