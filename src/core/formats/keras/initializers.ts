import type { AttrValue, InitializerSpec } from '../../ir';
import { prop, str, valueOf, type JsonNode } from './json-tree';

// The initializers a Keras layer declares for its weights (`kernel_initializer`, …), read at parse
// time into the IR so seeded random weights follow them wherever the graph goes (the host, the
// webview's run worker), without the file's text.

const INIT_KEY: Readonly<Record<string, string>> = {
  kernel: 'kernel_initializer',
  bias: 'bias_initializer',
  depthwise_kernel: 'depthwise_initializer',
  pointwise_kernel: 'pointwise_initializer',
  gamma: 'gamma_initializer',
  beta: 'beta_initializer',
  moving_mean: 'moving_mean_initializer',
  moving_variance: 'moving_variance_initializer',
  alpha: 'alpha_initializer',
};

/** By weight name: a bare class name (`"he_normal"`) or `{ class_name, config }`. */
export function declaredInitializers(config: JsonNode | undefined): Record<string, InitializerSpec> | undefined {
  let out: Record<string, InitializerSpec> | undefined;
  for (const [weight, key] of Object.entries(INIT_KEY)) {
    const node = prop(config, key);
    const className = str(node) ?? str(prop(node, 'class_name'));
    if (!className) continue;
    const init = (valueOf(prop(node, 'config')) as Record<string, AttrValue> | undefined) ?? {};
    (out ??= {})[weight] = { className, config: init };
  }
  return out;
}
