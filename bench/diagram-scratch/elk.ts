import ELK from 'elkjs/lib/elk.bundled.js';
import { reportText } from '../../src/core';
import { largeModel } from '../../scripts/large-model';
import { buildModelView, visibleGraph, defaultCollapsed } from '../../webview/model';
import { toElk } from '../../webview/elk-graph';
const elk = new ELK();
(async () => {
for (const n of [10000, 2000, 10000]) {
  const v = buildModelView(reportText(JSON.stringify(largeModel(n)), 'x.json'));
  const g = visibleGraph(v, defaultCollapsed(v));
  console.log(n, 'groups', v.groups.size, 'visible', g.nodes.length, g.edges.length);
  for (const opts of [{}, {'elk.layered.nodePlacement.strategy':'BRANDES_KOEPF'}, {'elk.layered.nodePlacement.strategy':'LINEAR_SEGMENTS'}, {'elk.layered.nodePlacement.strategy':'BRANDES_KOEPF','elk.layered.thoroughness':'1'}, {'elk.layered.nodePlacement.strategy':'BRANDES_KOEPF', 'elk.layered.considerModelOrder.strategy': 'NONE', 'elk.layered.crossingMinimization.semiInteractive': 'false'}]) {
    const e = toElk(g, { size: (id, k) => ({ width: 208, height: k === 'group' ? 66 : 46 }) });
    Object.assign(e.layoutOptions!, opts);
    const t = performance.now(); await elk.layout(e as any); console.log('  ', JSON.stringify(opts), (performance.now()-t).toFixed(0));
  }
}
})();
