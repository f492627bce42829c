#!/usr/bin/env node
// Issue #16's training-throughput target, measured in ONE headless Chromium: the same small
// MobileNetV2 (BuildSmallMobileNetV2: 3x3/2 stem 16, inverted residual blocks (t, c, n, s) =
// (1, 8, 1, 1), (6, 16, 2, 2), (6, 24, 2, 2), 1x1 conv 128, GAP, dense 10; batch norm after
// every conv; ReLU6) trained on batches of 32 images of 32x32x3 with SGD (Nesterov momentum 0.9)
// and softmax cross-entropy, in TensorFlow.js 4.22 (tfjs-layers on the CPU backend, and on the
// wasm backend if it runs the backward pass), then in our page (?run=sparse-train), then
// TensorFlow.js again, so both sides see the same machine state.
//
//   node tests/reference/tfjs_train_bench.mjs [--web build/web] [--steps 30]
//
// Prints one JSON object: images/s of each and our_over_tfjs_cpu (the target: >= 5).
// make deps fetches TensorFlow.js into third_party/tfjs (test-only, never shipped).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppPage, launchBrowser, startServer } from '../e2e/lib/harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const TFJS = path.join(ROOT, 'third_party', 'tfjs');
const ORIGIN = 'http://tfjs.invalid';

function args(argv) {
  const o = { web: path.join(ROOT, 'build', 'web'), steps: 30 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--web') o.web = path.resolve(argv[++i]);
    else if (argv[i] === '--steps') o.steps = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]} (usage: tfjs_train_bench.mjs [--web DIR] [--steps N])`);
  }
  return o;
}

const PAGE = `<!doctype html><meta charset="utf-8"><body>
<script src="/tfjs/tf-core.min.js"></script>
<script src="/tfjs/tf-backend-cpu.min.js"></script>
<script src="/tfjs/tf-layers.min.js"></script>
<script src="/tfjs/tf-backend-wasm.min.js"></script>
<script>
// The small MobileNetV2 in Keras' functional style (padding 'same'; ours pads 1 on every side,
// the same multiply-adds).
function buildModel() {
  const L = tf.layers;
  const bnRelu6 = (x, relu) => {
    x = L.batchNormalization({momentum: 0.99, epsilon: 1e-3}).apply(x);
    return relu ? L.reLU({maxValue: 6}).apply(x) : x;
  };
  const input = tf.input({shape: [32, 32, 3]});
  let x = bnRelu6(L.conv2d({filters: 16, kernelSize: 3, strides: 2, padding: 'same', useBias: false}).apply(input), true);
  let c = 16;
  for (const [t, out, n, s] of [[1, 8, 1, 1], [6, 16, 2, 2], [6, 24, 2, 2]]) {
    for (let i = 0; i < n; i++) {
      const stride = i === 0 ? s : 1;
      let y = x;
      if (t !== 1) y = bnRelu6(L.conv2d({filters: c * t, kernelSize: 1, padding: 'same', useBias: false}).apply(y), true);
      y = bnRelu6(L.depthwiseConv2d({kernelSize: 3, strides: stride, padding: 'same', useBias: false}).apply(y), true);
      y = bnRelu6(L.conv2d({filters: out, kernelSize: 1, padding: 'same', useBias: false}).apply(y), false);
      x = stride === 1 && c === out ? L.add().apply([x, y]) : y;
      c = out;
    }
  }
  x = bnRelu6(L.conv2d({filters: 128, kernelSize: 1, padding: 'same', useBias: false}).apply(x), true);
  x = L.globalAveragePooling2d({}).apply(x);
  const out = L.dense({units: 10, activation: 'softmax'}).apply(x);
  const model = tf.model({inputs: input, outputs: out});
  model.compile({optimizer: tf.train.momentum(0.05, 0.9, true), loss: 'categoricalCrossentropy'});
  return model;
}
window.__bench = async function(backend, steps) {
  try {
    if (backend === 'wasm') tf.wasm.setWasmPaths('/tfjs/');
    if (!(await tf.setBackend(backend))) return {backend, error: 'setBackend returned false'};
    await tf.ready();
    const model = buildModel();
    const x = tf.randomUniform([32, 32, 32, 3]);
    const y = tf.oneHot(tf.randomUniform([32], 0, 10, 'int32'), 10);
    for (let i = 0; i < 3; i++) await model.trainOnBatch(x, y);  // warm-up (kernels, allocations)
    const times = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      await model.trainOnBatch(x, y);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    const params = model.countParams();
    model.dispose(); x.dispose(); y.dispose();
    return {backend, params, steps, median_step_ms: median, images_per_s: 32 * 1000 / median,
            best_step_ms: times[0]};
  } catch (e) {
    return {backend, error: String(e && e.message || e).split('\\n')[0]};
  }
};
</script>`;

async function tfjs(browser, steps) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.route(`${ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/') return route.fulfill({ status: 200, contentType: 'text/html', body: PAGE });
    const file = path.join(TFJS, path.basename(url.pathname));
    if (!url.pathname.startsWith('/tfjs/') || !fs.existsSync(file)) return route.fulfill({ status: 404, body: '' });
    const type = file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript';
    return route.fulfill({ status: 200, contentType: type, body: fs.readFileSync(file) });
  });
  await page.goto(`${ORIGIN}/`, { waitUntil: 'load' });
  const out = {};
  for (const b of ['cpu', 'wasm']) out[b] = await page.evaluate(([b, n]) => window.__bench(b, n), [b, steps]);
  await context.close();
  return out;
}

async function main() {
  const o = args(process.argv.slice(2));
  if (!fs.existsSync(path.join(TFJS, 'tf-core.min.js'))) throw new Error(`${TFJS}: missing (run make deps)`);
  const server = await startServer(path.join(ROOT, 'serve.py'), o.web);
  const { browser, close } = await launchBrowser();
  try {
    const first = await tfjs(browser, o.steps);
    const context = await browser.newContext();
    const app = new AppPage(context, server.url, path.join(ROOT, 'build', 'compare'));
    // 2,000 images = 62 steps of 32, validation and test scoring cut short: only the throughput counts here.
    await app.open('?run=sparse-train&epochs=1&train_size=2000&eval_limit=64&runs=0&sparsity=0.9&prune_epochs=0.1' +
                   '&finetune_epochs=0');
    await app.waitReady();
    const s = await app.waitFor((st) => st.sparse_train && st.sparse_train.dense, 'status().sparse_train.dense', 600000);
    await context.close();
    const second = await tfjs(browser, o.steps);
    const best = (k) => Math.max(first[k].images_per_s || 0, second[k].images_per_s || 0);
    const ours = s.sparse_train.dense.images_per_s;
    console.log(JSON.stringify({
      browser: browser.version(), tfjs: { first, second },
      ours: { images_per_s: ours, train_images: s.sparse_train.dense.train_images },
      our_over_tfjs_cpu: ours / best('cpu'),
      our_over_tfjs_wasm: best('wasm') > 0 ? ours / best('wasm') : null,
    }, null, 1));
  } finally {
    await close();
    server.stop ? server.stop() : server.proc?.kill();
  }
}

main().catch((e) => { console.error(`tfjs_train_bench: ${e.stack || e.message}`); process.exit(1); });
