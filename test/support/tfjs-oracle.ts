import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { strict as assert } from 'node:assert';
import type { Analysis } from '../../src/core';

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

/**
 * What tfjs-layers gets: the topology only (so it does not fetch weight shards), and
 * ZeroPadding2D for ReflectionPadding2D, which is not a tfjs layer but has the same shape rule and no weights.
 */
export function forTfjs(text: string): unknown {
  const json = JSON.parse(text.replace(/"ReflectionPadding2D"/g, '"ZeroPadding2D"'));
  return json.modelTopology ?? json;
}

/** Our nodes that make up one tfjs layer: its calls, or, for a nested model, everything in its group. */
function ourParams(analysis: Analysis, layerName: string): number {
  return analysis.graph.nodes
    .filter((n) => (n.layer === layerName && !n.group) || n.group === layerName || n.group?.startsWith(`${layerName}/`))
    .reduce((s, n) => s + analysis.byId.get(n.id)!.params, 0);
}

/** Our total and per-layer parameters and every layer's output shape equal tfjs-layers' for this JSON. */
export async function assertMatchesTfjs(name: string, text: string, analysis: Analysis): Promise<void> {
  const truth = await oracle(forTfjs(text));
  assert.equal(analysis.totals.params, truth.params, `${name}: total params`);
  let shapesCompared = 0;
  for (const layer of truth.layers) {
    assert.equal(ourParams(analysis, layer.name), layer.params, `${name}: params of layer ${layer.name}`);
    const isModel = analysis.graph.groups.some((g) => g.id === layer.name);
    layer.outputShapes.forEach((shape, call) => {
      if (isModel || layer.className === 'InputLayer') return;
      const id = call === 0 ? layer.name : `${layer.name}@${call + 1}`;
      const ours = analysis.byId.get(id)?.outputShape;
      assert.ok(ours, `${name}: we have no output shape for ${id}`);
      assert.deepEqual(ours.slice(1), shape.slice(1), `${name}: output shape of ${id}`);
      shapesCompared++;
    });
  }
  assert.ok(shapesCompared > 0, `${name}: compared no shapes`);
}

/** Copies our weights into a tfjs-layers model, matching layers by name (nested models as outer/inner) and weights by their Keras names. */
export function setTfjsWeights(layers: readonly tfl.layers.Layer[], ours: ReadonlyMap<string, Readonly<Record<string, tf.Tensor>>>, prefix = ''): number {
  let set = 0;
  for (const layer of layers) {
    const inner = (layer as unknown as { layers?: tfl.layers.Layer[] }).layers;
    if (inner) {
      set += setTfjsWeights(inner, ours, `${prefix}${layer.name}/`);
      continue;
    }
    if (!layer.weights.length) continue;
    const mine = ours.get(`${prefix}${layer.name}`);
    assert.ok(mine, `we have no weights for tfjs layer ${prefix}${layer.name}`);
    layer.setWeights(
      layer.weights.map((v) => {
        const name = v.originalName.split('/').pop()!;
        const t = mine[name];
        assert.ok(t, `we have no weight "${name}" for ${prefix}${layer.name} (have ${Object.keys(mine).join(', ')})`);
        return t;
      }),
    );
    set += layer.weights.length;
  }
  return set;
}
