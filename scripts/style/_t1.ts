import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { johnsonNetJson, analyzeTransformNet } from '../../src/core/style/transform-net';
import { randomLossNetwork } from '../../src/core/style/loss-network';
const j = JSON.stringify(johnsonNetJson({widths:[32,64,128]}));
const a = analyzeTransformNet(j, 'x.json', 256, 256);
console.log(a.diagnostics.slice(0,3), (a as any).totals ?? Object.keys(a));
const n = randomLossNetwork(tf);
console.log(n.analysis.diagnostics);
