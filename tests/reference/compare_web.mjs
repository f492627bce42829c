#!/usr/bin/env node
// The browser latency target of issue #15, measured in ONE headless Chromium on this machine,
// single thread: TFLite-web (TFLite + XNNPACK, wasm SIMD) on MediaPipe's full-range face models,
// dense and sparse, then our page (?run=sparse-real: our kernels on the same two files), then
// TFLite-web again, so both sides see the same machine state.
//
//   node tests/reference/compare_web.mjs [--web build/web] [--runs 50] [--no-hands]
//
// Prints one JSON object: tflite_web (two passes), ours, and the two ratios the target compares:
// ours_sparse_vs_tflite_sparse (< 1 = we are faster) and the sparse-over-dense speed-ups of each;
// then the hand-landmark models (lite, full) the same way: ours_over_tflite_web per model.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppPage, launchBrowser, startServer } from '../e2e/lib/harness.mjs';
import { MODELS, bench, openPage } from './make_reference.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');

function args(argv) {
  const o = { web: path.join(ROOT, 'build', 'web'), runs: 50, hands: true };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--web') o.web = path.resolve(argv[++i]);
    else if (argv[i] === '--runs') o.runs = Number(argv[++i]);
    else if (argv[i] === '--no-hands') o.hands = false;
    else throw new Error(`unknown argument ${argv[i]} (usage: compare_web.mjs [--web DIR] [--runs N] [--no-hands])`);
  }
  return o;
}

async function tfliteWeb(browser, runs, shorts) {
  const { context, page } = await openPage(browser);
  const out = {};
  for (const short of shorts) {
    out[short] = await bench(page, MODELS.find((m) => m.short === short), runs, 5);
  }
  await context.close();
  return out;
}

async function main() {
  const o = args(process.argv.slice(2));
  const server = await startServer(path.join(ROOT, 'serve.py'), o.web);
  const { browser, close } = await launchBrowser();
  try {
    // One pair of models: TFLite-web, our page, TFLite-web again (so both see the same machine state).
    const pair = async (shorts) => {
      const first = await tfliteWeb(browser, o.runs, shorts);
      const context = await browser.newContext();
      const app = new AppPage(context, server.url, path.join(ROOT, 'build', 'compare'));
      await app.open(`?run=sparse-real&model=${shorts.map((x) => 'mediapipe:' + x).join(',')}&runs=${o.runs}`);
      await app.waitReady();
      const s = await app.waitFor((st) => st.sparse_real != null, 'status().sparse_real', 600000);
      await context.close();
      const second = await tfliteWeb(browser, o.runs, shorts);
      const ours = Object.fromEntries(s.sparse_real.models.map((m) => [m.name.split(':')[1], {
        median_ms: m.median_ms, p10_ms: m.p10_ms, p90_ms: m.p90_ms, all_dense_median_ms: m.dense_median_ms,
        sparse_layers: m.sparse_layers, pointwise_layers: m.pointwise_layers }]));
      return { first, second, ours };
    };
    const { first, second, ours } = await pair(['face_full_sparse', 'face_full']);
    const tf = (k) => Math.min(first[k].median_ms, second[k].median_ms);  // TFLite-web's better pass
    const result = {
      browser: browser.version(), runs: o.runs, tflite_web: { first, second }, ours,
      ours_sparse_vs_tflite_sparse: ours.face_full_sparse.median_ms / tf('face_full_sparse'),
      tflite_web_dense_over_sparse: tf('face_full') / tf('face_full_sparse'),
      ours_dense_model_over_sparse_model: ours.face_full.median_ms / ours.face_full_sparse.median_ms,
      ours_all_dense_over_sparse_same_file: ours.face_full_sparse.all_dense_median_ms / ours.face_full_sparse.median_ms,
    };
    if (o.hands) {
      const h = await pair(['hand_lite', 'hand_full']);
      result.hands = { tflite_web: { first: h.first, second: h.second }, ours: h.ours };
      for (const k of ['hand_lite', 'hand_full']) {
        result.hands[`${k}_ours_over_tflite_web`] =
            h.ours[k].median_ms / Math.min(h.first[k].median_ms, h.second[k].median_ms);
      }
    }
    console.log(JSON.stringify(result, null, 1));
  } finally {
    await close();
    server.stop ? server.stop() : server.proc?.kill();
  }
}

main().catch((e) => { console.error(`compare_web: ${e.stack || e.message}`); process.exit(1); });
