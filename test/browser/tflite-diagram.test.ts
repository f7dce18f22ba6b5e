// A TFLite model in the diagram webview as the binary editor shows it: drawn whole, its weights in
// their stored types, each tensor's quantisation in the inspector. The page is the standalone
// diagram (scripts/standalone/write-standalone.ts) over the report core makes of the file.
//   npx mocha --no-config --require tsx/cjs --timeout 120000 test/browser/tflite-diagram.test.ts
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { writeStandalone } from '../../scripts/standalone/write-standalone';
import { analyze, buildReport } from '../../src/core';
import { parseSource } from '../../src/core/formats/registry';
import { launchChromium, skipWithoutChromium } from '../support/chromium';
import { ROOT } from '../support/fixtures';
import { openPage, serveFolder } from '../support/run-page';
import { tfliteSource } from '../support/tflite-fixtures';

const OUT = join(ROOT, 'test-results', 'standalone-tflite');

describe('TFLite in the diagram webview (Chromium)', function () {
  this.timeout(180_000);
  let browser: Browser;
  let server: { base: string; close(): void };
  let home = '';
  const problems: string[] = [];
  const report = buildReport(analyze(parseSource(tfliteSource('mobilenet_v1_int8.tflite'))));

  before(async function () {
    skipWithoutChromium(this);
    await writeStandalone({ input: report, name: 'mobilenet-int8', outDir: OUT });
    server = await serveFolder(OUT);
    home = mkdtempSync(join(tmpdir(), 'cnn-lens-chromium-'));
    browser = await launchChromium(home);
  });

  after(async () => {
    await browser?.close();
    server?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('paints int8 MobileNet v1 whole; a depthwise layer’s inspector shows its int8 per-channel filter and int32 bias', async () => {
    const page = await openPage(browser, server.base, 'mobilenet-int8', problems);
    const drawn = await page.$$eval('svg.diagram .node', (els) => els.reduce((a, e) => a + Number((e as SVGGElement).dataset.count ?? 1), 0));
    assert.equal(report.layers.length, 34, 'the 34 operators (QUANTIZE, 28 convolutions, pool, reshape, DEQUANTIZE, softmax) and the input; the 57 stored tensors are their weights');
    assert.equal(drawn, report.layers.length, 'every layer drawn');
    const id = 'MobilenetV1/Conv2d_1_depthwise/Relu6';
    await page.evaluate((n) => (window as unknown as { __cnnLens: { reveal(id: string): void } }).__cnnLens.reveal(n), id);
    await page.locator(`svg.diagram .node[data-id="${id}"]`).click();
    const text = (await page.locator('.inspector').textContent()) ?? '';
    assert.match(text, /MobilenetV1\/Conv2d_1_depthwise\/weights · int8 \[1, 3, 3, 32\] · per-channel on axis 3: 32 scales/);
    assert.match(text, /MobilenetV1\/Conv2d_1_depthwise\/bias · int32 \[32\] · per-channel on axis 0: 32 scales/);
    assert.match(text, /fused_activation_function\s*RELU6/);
    await page.context().close();
    assert.deepEqual(problems, [], 'no console errors or CSP reports');
  });
});
