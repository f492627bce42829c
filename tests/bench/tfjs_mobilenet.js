// MobileNetV2 1.0@224 on tfjs-backend-wasm: the same architecture as Fieldkit's
// BuildMobileNetV2 (shared/nn/graph.cpp), random He-style weights, batch 1, NHWC
// float32, timed per inference (predict + dataSync).
//
//   tfjs_mobilenet.html?runs=20&warmup=5&variants=fused,layers
//
// Variants (same network, same backend):
//   fused  - tfjs-core fused ops (fused.conv2d / fused.depthwiseConv2d with bias
//            and relu6, add, mean, fused.matMul, softmax): the kernels a Keras
//            MobileNetV2 converted with tfjs-converter runs (BN folded). The reference.
//   layers - a tf.LayersModel (tfjs-layers Conv2D / DepthwiseConv2D / Add /
//            GlobalAveragePooling2D / Dense), model.predict.
// Result: window.tfjsBench = {done, error, backend, simd, threads, wasm_files, results: [
//   {backend: "tfjs-wasm" | "tfjs-wasm-layers", median_ms, p10_ms, p90_ms, runs, params, ...}]}.
'use strict';

const qs = new URLSearchParams(location.search);
const RUNS = Math.max(1, parseInt(qs.get('runs') || '20', 10));
const WARMUP = Math.max(1, parseInt(qs.get('warmup') || '5', 10));
const VARIANTS = (qs.get('variants') || 'fused,layers').split(',').filter(Boolean);
const SIZE = 224, CLASSES = 1000;

window.tfjsBench = { done: false, error: null, results: [] };
const out = document.getElementById('out');
const log = (s) => { out.textContent += '\n' + s; };

// Keras' _make_divisible (divisor 8); at width 1.0 it is the identity on these counts.
function makeDivisible(v, d = 8) {
  let n = Math.max(d, Math.floor((v + d / 2) / d) * d);
  if (n < 0.9 * v) n += d;
  return n;
}

// The layer list: {kind: 'conv'|'dw'|'add'|'gap'|'fc', ...}, as in BuildMobileNetV2.
function mobilenetV2Spec(width = 1.0) {
  const L = [];
  let c = 3;
  const first = makeDivisible(32 * width);
  L.push({ kind: 'conv', name: 'Conv1', k: 3, s: 2, cin: c, cout: first, relu6: true });
  c = first;
  const stages = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];
  let block = 0;
  for (const [t, ch, n, s] of stages) {
    const outC = makeDivisible(Math.trunc(ch * width));
    for (let r = 0; r < n; r++, block++) {
      const stride = r === 0 ? s : 1;
      const inC = c;
      const p = block === 0 ? 'expanded_conv_' : `block_${block}_`;
      L.push({ kind: 'mark', name: p + 'in' });
      let e = inC;
      if (block !== 0) { e = inC * t; L.push({ kind: 'conv', name: p + 'expand', k: 1, s: 1, cin: inC, cout: e, relu6: true }); }
      L.push({ kind: 'dw', name: p + 'depthwise', k: 3, s: stride, cin: e, relu6: true });
      L.push({ kind: 'conv', name: p + 'project', k: 1, s: 1, cin: e, cout: outC, relu6: false });
      if (stride === 1 && inC === outC) L.push({ kind: 'add', name: p + 'add' });
      c = outC;
    }
  }
  const last = width > 1.0 ? makeDivisible(1280 * width) : 1280;
  L.push({ kind: 'conv', name: 'Conv_1', k: 1, s: 1, cin: c, cout: last, relu6: true });
  L.push({ kind: 'gap', name: 'global_average_pooling2d' });
  L.push({ kind: 'fc', name: 'Logits', cin: last, cout: CLASSES });
  return L;
}

// Seeded He-normal weights (std sqrt(2 / fan_in)) and small biases.
function makeWeights(spec, seed = 1) {
  const W = {};
  let sd = seed;
  for (const l of spec) {
    if (l.kind === 'conv') {
      W[l.name] = { w: tf.randomNormal([l.k, l.k, l.cin, l.cout], 0, Math.sqrt(2 / (l.k * l.k * l.cin)), 'float32', sd++),
                    b: tf.randomUniform([l.cout], -0.05, 0.05, 'float32', sd++) };
    } else if (l.kind === 'dw') {
      W[l.name] = { w: tf.randomNormal([l.k, l.k, l.cin, 1], 0, Math.sqrt(2 / (l.k * l.k)), 'float32', sd++),
                    b: tf.randomUniform([l.cin], -0.05, 0.05, 'float32', sd++) };
    } else if (l.kind === 'fc') {
      W[l.name] = { w: tf.randomNormal([l.cin, l.cout], 0, Math.sqrt(1 / l.cin), 'float32', sd++),
                    b: tf.randomUniform([l.cout], -0.05, 0.05, 'float32', sd++) };
    }
  }
  return W;
}

function countParams(W) {
  let n = 0;
  for (const k of Object.keys(W)) n += W[k].w.size + W[k].b.size;
  return n;
}

// Variant "fused": the graph as tfjs-core fused ops.
function buildFused(spec, W) {
  return (x) => tf.tidy(() => {
    let y = x, blockIn = null;
    for (const l of spec) {
      if (l.kind === 'mark') blockIn = y;
      else if (l.kind === 'conv') {
        y = tf.fused.conv2d({ x: y, filter: W[l.name].w, strides: l.s, pad: 'same', bias: W[l.name].b,
                              activation: l.relu6 ? 'relu6' : 'linear' });
      } else if (l.kind === 'dw') {
        y = tf.fused.depthwiseConv2d({ x: y, filter: W[l.name].w, strides: l.s, pad: 'same', bias: W[l.name].b,
                                       activation: 'relu6' });
      } else if (l.kind === 'add') y = tf.add(y, blockIn);
      else if (l.kind === 'gap') y = tf.mean(y, [1, 2]);
      else if (l.kind === 'fc') y = tf.fused.matMul({ a: y, b: W[l.name].w, bias: W[l.name].b });
    }
    return tf.softmax(y);
  });
}

// Variant "layers": a tf.LayersModel with the same weights.
function buildLayers(spec, W) {
  const input = tf.input({ shape: [SIZE, SIZE, 3] });
  let y = input, blockIn = null;
  for (const l of spec) {
    if (l.kind === 'mark') blockIn = y;
    else if (l.kind === 'conv') {
      y = tf.layers.conv2d({ name: l.name, filters: l.cout, kernelSize: l.k, strides: l.s, padding: 'same',
                             activation: l.relu6 ? 'relu6' : 'linear', weights: [W[l.name].w, W[l.name].b] }).apply(y);
    } else if (l.kind === 'dw') {
      y = tf.layers.depthwiseConv2d({ name: l.name, kernelSize: l.k, strides: l.s, padding: 'same', depthMultiplier: 1,
                                      activation: 'relu6', weights: [W[l.name].w, W[l.name].b] }).apply(y);
    } else if (l.kind === 'add') y = tf.layers.add({ name: l.name }).apply([y, blockIn]);
    else if (l.kind === 'gap') y = tf.layers.globalAveragePooling2d({ name: l.name }).apply(y);
    else if (l.kind === 'fc') {
      y = tf.layers.dense({ name: l.name, units: l.cout, activation: 'softmax', weights: [W[l.name].w, W[l.name].b] }).apply(y);
    }
  }
  const model = tf.model({ inputs: input, outputs: y, name: 'mobilenetv2_1.00_224' });
  return (x) => model.predict(x);
}

function quantile(sorted, q) {
  if (!sorted.length) return NaN;
  const pos = (sorted.length - 1) * q, lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

// Warm-up, then RUNS timed inferences; each one ends with the logits read back (dataSync).
async function timeVariant(name, run, x) {
  let ref = null;
  for (let i = 0; i < WARMUP; i++) {
    const y = run(x); const d = y.dataSync(); y.dispose();
    if (i === 0) ref = Float32Array.from(d);
    await new Promise((r) => setTimeout(r, 0));
  }
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const y = run(x);
    y.dataSync();
    times.push(performance.now() - t0);
    y.dispose();
    await new Promise((r) => setTimeout(r, 0));  // let the page breathe, as the app's job slices do
  }
  const s = [...times].sort((a, b) => a - b);
  return { backend: name, median_ms: quantile(s, 0.5), p10_ms: quantile(s, 0.1), p90_ms: quantile(s, 0.9),
           runs: RUNS, warmup: WARMUP, times_ms: times, output: ref, output_finite: ref.every(Number.isFinite) };
}

async function main() {
  tf.wasm.setWasmPaths(new URL('tfjs/', location.href).toString());
  const ok = await tf.setBackend('wasm');
  if (!ok) throw new Error('tf.setBackend("wasm") failed');
  await tf.ready();
  const info = {
    tfjs_version: tf.version_core,
    backend: tf.getBackend(),
    simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
    threads: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
    cross_origin_isolated: !!self.crossOriginIsolated,
  };
  info.simd_getBool = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
  info.wasm_files = performance.getEntriesByType('resource').map((e) => e.name.split('/').pop())
    .filter((n) => n.endsWith('.wasm'));
  Object.assign(window.tfjsBench, info);
  log(JSON.stringify(info));

  const spec = mobilenetV2Spec(1.0);
  const W = makeWeights(spec, 1);
  const params = countParams(W);
  const x = tf.randomUniform([1, SIZE, SIZE, 3], -1, 1, 'float32', 7);
  for (const v of VARIANTS) {
    let run, name;
    if (v === 'fused') { run = buildFused(spec, W); name = 'tfjs-wasm'; }
    else if (v === 'layers') { run = buildLayers(spec, W); name = 'tfjs-wasm-layers'; }
    else throw new Error(`unknown variant ${v}`);
    const r = await timeVariant(name, run, x);
    r.params = params;
    r.model_bytes = params * 4;
    r.kernel = v === 'fused' ? 'tfjs-core fused ops (converter graph)' : 'tfjs-layers LayersModel.predict';
    window.tfjsBench.results.push(r);
    log(`${name}: median ${r.median_ms.toFixed(2)} ms (p10 ${r.p10_ms.toFixed(2)}, p90 ${r.p90_ms.toFixed(2)})`);
  }
  // The two variants must compute the same function of the same weights.
  // Norm-wise, on the softmax output: max|a - b| / max|a| (as max_rel_err in sparse_bench.h).
  const rs = window.tfjsBench.results;
  if (rs.length === 2) {
    let num = 0, den = 0;
    for (let i = 0; i < rs[0].output.length; i++) {
      num = Math.max(num, Math.abs(rs[0].output[i] - rs[1].output[i]));
      den = Math.max(den, Math.abs(rs[0].output[i]));
    }
    window.tfjsBench.variants_max_rel_diff = num / den;
  }
  for (const r of rs) delete r.output;  // 1000 floats each; not part of the report
  info.wasm_files = performance.getEntriesByType('resource').map((e) => e.name.split('/').pop())
    .filter((n) => n.endsWith('.wasm'));
  window.tfjsBench.wasm_files = info.wasm_files;
}

main().then(() => { window.tfjsBench.done = true; log('done'); },
  (e) => { window.tfjsBench.error = String(e && e.stack || e); window.tfjsBench.done = true; log('error: ' + e); });
