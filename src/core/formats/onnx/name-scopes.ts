import type { IRGroup } from '../../ir';

// The hierarchy of an exported graph, from the name scopes its exporter writes: PyTorch names a
// node after the module path that made it (`/layer1/layer1.0/conv1/Conv`), TensorFlow after its
// name scope (`MobilenetV1/Conv2d_0/Conv2D`). Each scope holding two nodes or more becomes a group
// (as Model Explorer's namespaces); a scope of one node (`conv1` above) adds nothing to see and
// leaves its node to the enclosing scope.

/** Group ids are prefixed so they never collide with node names, which are the scopes' own text. */
const GROUP_PREFIX = 'scope:';

export function nameScopeGroups(ids: readonly string[]): { groups: IRGroup[]; groupOf: Map<string, string> } {
  const scopesOf = (id: string): string[] => {
    const parts = id.split('/').filter((p) => p !== '');
    parts.pop(); // the node's own name
    return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  };
  const members = new Map<string, number>();
  const chains = ids.map((id) => {
    const chain = scopesOf(id);
    for (const scope of chain) members.set(scope, (members.get(scope) ?? 0) + 1);
    return chain;
  });
  const kept = (scope: string) => (members.get(scope) ?? 0) >= 2;
  const groups = new Map<string, IRGroup>();
  const groupOf = new Map<string, string>();
  chains.forEach((chain, i) => {
    let parent: string | undefined;
    for (const scope of chain.filter(kept)) {
      const id = GROUP_PREFIX + scope;
      if (!groups.has(id)) groups.set(id, { id, name: scope.slice(scope.lastIndexOf('/') + 1), kind: 'block', parent });
      parent = id;
    }
    if (parent) groupOf.set(ids[i], parent);
  });
  return { groups: [...groups.values()], groupOf };
}
