// Reference outputs of the bundled MediaPipe models from the real TFLite runtime: the TFLite web
// API of @tensorflow/tfjs-tflite 0.0.1-alpha.10 (TFLite + XNNPACK compiled to WebAssembly) in
// headless Chromium (Debian's, through playwright-core like tests/e2e), without tfjs-core: its
// low-level TFLiteWebModelRunner takes the .tflite bytes, exposes the input/output tensors'
// memory, and runs the interpreter.
//
//   node tests/reference/make_reference.mjs             writes tests/reference/fixtures/<short>.json
//   node tests/reference/make_reference.mjs --bench     prints {models:[{name, median_ms, p10_ms, p90_ms}]}
//   options: --models face_full,hand_lite (default: all five)   --runs N (50)   --warmup N (5)
//
// Needs `make deps` (third_party/models, third_party/tflite-web) and `make deps-test` (chromium,
// tests/e2e/node_modules/playwright-core). See tests/reference/README.md.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launchBrowser } from '../e2e/lib/harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const MODELS_DIR = path.join(ROOT, 'third_party', 'models');
const TFLITE_WEB = path.join(ROOT, 'third_party', 'tflite-web');
const FIXTURES = path.join(HERE, 'fixtures');
// Requests to this origin never reach the network: playwright answers them from disk. Plain
// responses without COOP/COEP keep the page non-cross-origin-isolated, so the runtime picks its
// single-threaded SIMD build (tflite_web_api_cc_simd.wasm); the script checks that it did.
const ORIGIN = 'http://reference.fieldkit.invalid';
const WASM_WANTED = 'tflite_web_api_cc_simd.wasm';
const MAX_SAMPLES = 2048;

export const MODELS = [
  { short: 'face_full', file: 'face_detection_full_range.tflite' },
  { short: 'face_full_sparse', file: 'face_detection_full_range_sparse.tflite' },
  { short: 'face_short', file: 'face_detection_short_range.tflite' },
  { short: 'hand_lite', file: 'hand_landmark_lite.tflite' },
  { short: 'hand_full', file: 'hand_landmark_full.tflite' },
];
export const PATTERN = 'x[i] = f32((i*7919 % 1000)/500 - 1)';

function die(msg) {
  console.error(`make_reference: ${msg}`);
  process.exit(1);
}

function parseArgs(argv) {
  const o = { bench: false, models: MODELS.map((m) => m.short), runs: 50, warmup: 5 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) die(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--bench') o.bench = true;
    else if (a === '--models') o.models = value().split(',');
    else if (a === '--runs') o.runs = Number(value());
    else if (a === '--warmup') o.warmup = Number(value());
    else die(`unknown argument ${a} (usage: make_reference.mjs [--bench] [--models a,b] [--runs N] [--warmup N])`);
  }
  for (const m of o.models) {
    if (!MODELS.some((x) => x.short === m)) die(`unknown model ${m}; known: ${MODELS.map((x) => x.short).join(', ')}`);
  }
  if (!(o.runs >= 1 && o.warmup >= 0)) die('--runs must be >= 1 and --warmup >= 0');
  return o;
}

// --- The model's declared inputs/outputs, read from the flatbuffer (TFLite schema: Model.subgraphs
// is field 2; SubGraph: tensors 0, inputs 1, outputs 2; Tensor: shape 0, name 3). Only what is
// needed to check the runtime's output order against the file's.
class Table {
  constructor(buf, pos) { this.buf = buf; this.pos = pos; }
  field(id) {
    const vt = this.pos - this.buf.readInt32LE(this.pos);
    const vtLen = this.buf.readUInt16LE(vt);
    if (4 + 2 * id >= vtLen) return 0;
    const off = this.buf.readUInt16LE(vt + 4 + 2 * id);
    return off ? this.pos + off : 0;
  }
  ref(p) { return p + this.buf.readUInt32LE(p); }
  table(id) { const p = this.field(id); return p ? new Table(this.buf, this.ref(p)) : null; }
  vector(id) {
    const p = this.field(id);
    if (!p) return { n: 0, at: 0 };
    const v = this.ref(p);
    return { n: this.buf.readUInt32LE(v), at: v + 4 };
  }
  tables(id) {
    const v = this.vector(id);
    return Array.from({ length: v.n }, (_, i) => new Table(this.buf, this.ref(v.at + 4 * i)));
  }
  ints(id) {
    const v = this.vector(id);
    return Array.from({ length: v.n }, (_, i) => this.buf.readInt32LE(v.at + 4 * i));
  }
  string(id) {
    const v = this.vector(id);
    return this.buf.toString('utf8', v.at, v.at + v.n);
  }
}

function declaredIo(bytes, file) {
  if (bytes.length < 8 || bytes.toString('latin1', 4, 8) !== 'TFL3') die(`${file}: not a TFLite flatbuffer (no TFL3 identifier)`);
  const model = new Table(bytes, bytes.readUInt32LE(0));
  const sg = model.tables(2)[0];
  if (!sg) die(`${file}: no subgraph`);
  const tensors = sg.tables(0);
  const io = (ids) => ids.map((t) => ({ name: tensors[t].string(3), shape: tensors[t].ints(0) }));
  return { inputs: io(sg.ints(1)), outputs: io(sg.ints(2)) };
}

// --- The page: runs in Chromium. Everything it needs comes through window.__ref.
// The client ends with \`exports.tfweb = tfweb;\` (a CommonJS line): an empty exports object keeps
// that line from throwing in a plain page; tfweb itself is a global.
const PAGE_HTML = `<!doctype html><meta charset="utf-8"><title>tflite reference</title>
<script>var exports = {};</script>
<script src="/tflite-web/wasm/tflite_web_api_client.js"></script>
<script>
window.__ref = {
  async load(url, opts) {
    tfweb.tflite_web_api.setWasmPath('/tflite-web/wasm/');
    const bytes = await (await fetch(url)).arrayBuffer();
    const runner = await tfweb.TFLiteWebModelRunner.create(bytes, opts);
    return runner;
  },
  fill(runner) {
    const inputs = runner.getInputs();
    if (inputs.length !== 1) throw new Error('expected one input, got ' + inputs.length);
    const x = inputs[0].data();
    if (!(x instanceof Float32Array)) throw new Error('input is ' + inputs[0].dataType + ', not float32');
    for (let i = 0; i < x.length; i++) x[i] = Math.fround(((i * 7919) % 1000) / 500 - 1);
    return { name: inputs[0].name, shape: inputs[0].shape.split(',').map(Number), n: x.length };
  },
  outputs(runner, maxSamples) {
    return runner.getOutputs().map((t) => {
      const d = t.data();
      const count = d.length;
      // Odd, so a stride through [N, 16] boxes visits every coordinate column, not only even ones.
      const stride = Math.ceil(count / maxSamples) | 1;
      const values = [];
      let bad = 0;
      for (let i = 0; i < count; i += stride) values.push(d[i]);
      for (let i = 0; i < count; i++) if (!Number.isFinite(d[i])) bad++;
      let nonzero = 0;
      for (let i = 0; i < count; i++) if (d[i] !== 0) nonzero++;
      return { name: t.name, dataType: t.dataType, shape: t.shape.split(',').map(Number), count, stride, values,
               nonfinite: bad, nonzero };
    });
  },
  percentile(v, q) {
    const s = [...v].sort((a, b) => a - b);
    const pos = q * (s.length - 1), i = Math.floor(pos), f = pos - i;
    return i + 1 < s.length ? s[i] * (1 - f) + s[i + 1] * f : s[i];
  },
};
</script>`;

const MIME = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.tflite': 'application/octet-stream' };

export async function openPage(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const wasmLoaded = [];
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.route(`${ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    let file = null;
    if (url.pathname === '/') return route.fulfill({ status: 200, contentType: 'text/html', body: PAGE_HTML });
    if (url.pathname.startsWith('/tflite-web/')) file = path.join(TFLITE_WEB, url.pathname.slice('/tflite-web/'.length));
    else if (url.pathname.startsWith('/models/')) file = path.join(MODELS_DIR, url.pathname.slice('/models/'.length));
    if (!file || file.includes('..') || !fs.existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
    if (file.endsWith('.wasm')) wasmLoaded.push(path.basename(file));
    return route.fulfill({ status: 200, contentType: MIME[path.extname(file)] || 'application/octet-stream',
                           body: fs.readFileSync(file) });
  });
  await page.goto(`${ORIGIN}/`, { waitUntil: 'load' });
  return { context, page, wasmLoaded, errors };
}

// Loads one model in the page (as the handle 'window.__runner') and fills its input.
async function loadModel(page, m, opts) {
  return page.evaluate(async ({ file, opts }) => {
    window.__runner = await window.__ref.load('/models/' + file, opts);
    return window.__ref.fill(window.__runner);
  }, { file: m.file, opts });
}

function num9(v) { return Number(v.toPrecision(9)); }

async function writeFixture(page, m, runtime) {
  const bytes = fs.readFileSync(path.join(MODELS_DIR, m.file));
  const declared = declaredIo(bytes, m.file);
  const input = await loadModel(page, m, { numThreads: 1 });
  const ok = await page.evaluate(() => window.__runner.infer());
  if (!ok) die(`${m.file}: infer() returned false`);
  const outs = await page.evaluate((max) => window.__ref.outputs(window.__runner, max), MAX_SAMPLES);
  await page.evaluate(() => { window.__runner.cleanUp(); window.__runner = null; });

  // The runtime's order must be the file's declared subgraph output order, names and shapes alike.
  const d = declared.outputs;
  if (d.length !== outs.length) die(`${m.file}: the file declares ${d.length} outputs, the runtime gave ${outs.length}`);
  outs.forEach((o, k) => {
    if (o.name !== d[k].name || o.shape.join(',') !== d[k].shape.join(','))
      die(`${m.file}: output ${k} is ${o.name} [${o.shape}] in the runtime but ${d[k].name} [${d[k].shape}] in the file`);
    if (o.dataType !== 'float32') die(`${m.file}: output ${o.name} is ${o.dataType}, not float32`);
    if (o.nonfinite) die(`${m.file}: output ${o.name} has ${o.nonfinite} non-finite values`);
    if (!o.nonzero) die(`${m.file}: output ${o.name} is all zeros`);
  });
  if (declared.inputs.length !== 1 || declared.inputs[0].name !== input.name
      || declared.inputs[0].shape.join(',') !== input.shape.join(','))
    die(`${m.file}: the runtime's input ${input.name} [${input.shape}] is not the file's ${JSON.stringify(declared.inputs)}`);

  const fixture = {
    model: `mediapipe:${m.short}`,
    file: m.file,
    file_bytes: bytes.length,
    file_sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
    runtime: runtime,
    input: { name: input.name, shape: input.shape, pattern: PATTERN },
    outputs: outs.map((o) => ({ name: o.name, shape: o.shape, count: o.count, stride: o.stride, values: o.values.map(num9) })),
  };
  // One output per line keeps diffs of a regenerated fixture readable.
  const head = JSON.stringify({ ...fixture, outputs: undefined }).slice(0, -1);
  const text = `${head},\n "outputs": [\n${fixture.outputs.map((o) => '  ' + JSON.stringify(o)).join(',\n')}\n ]}\n`;
  JSON.parse(text);  // the format check the C++ side relies on
  fs.mkdirSync(FIXTURES, { recursive: true });
  const out = path.join(FIXTURES, `${m.short}.json`);
  fs.writeFileSync(out, text);
  const summary = outs.map((o) => `${o.name} [${o.shape}] ${o.values.length}/${o.count} values, ${o.nonzero} nonzero`).join('; ');
  console.log(`make_reference: ${path.relative(ROOT, out)} (${text.length} bytes): ${summary}`);
}

// What the interpreter actually runs: with XNNPACK applied, the profile shows delegate nodes in
// place of the TFLite operators.
async function profileNodes(page, m) {
  await loadModel(page, m, { numThreads: 1, enableProfiling: true });
  const prof = await page.evaluate(() => {
    window.__runner.infer();
    const items = window.__runner.getProfilingResults();
    window.__runner.cleanUp();
    window.__runner = null;
    const byType = {};
    for (const it of items) byType[it.nodeType] = (byType[it.nodeType] || 0) + 1;
    return byType;
  });
  return prof;
}

export async function bench(page, m, runs, warmup) {
  await loadModel(page, m, { numThreads: 1 });
  const r = await page.evaluate(({ runs, warmup }) => {
    for (let i = 0; i < warmup; i++) window.__runner.infer();
    const ms = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      if (!window.__runner.infer()) throw new Error('infer() returned false');
      ms.push(performance.now() - t0);
    }
    window.__runner.cleanUp();
    window.__runner = null;
    const p = window.__ref.percentile;
    return { median_ms: p(ms, 0.5), p10_ms: p(ms, 0.1), p90_ms: p(ms, 0.9) };
  }, { runs, warmup });
  const r3 = (v) => Math.round(v * 1000) / 1000;
  return { name: `mediapipe:${m.short}`, median_ms: r3(r.median_ms), p10_ms: r3(r.p10_ms), p90_ms: r3(r.p90_ms) };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const models = MODELS.filter((m) => o.models.includes(m.short));
  for (const m of models) {
    if (!fs.existsSync(path.join(MODELS_DIR, m.file))) die(`${path.join('third_party/models', m.file)} missing: run \`make deps\``);
  }
  if (!fs.existsSync(path.join(TFLITE_WEB, 'wasm', WASM_WANTED))) die('third_party/tflite-web missing: run `make deps`');
  const pkg = JSON.parse(fs.readFileSync(path.join(TFLITE_WEB, 'package.json'), 'utf8'));

  const { browser, close } = await launchBrowser();
  try {
    const { page, wasmLoaded, errors } = await openPage(browser);
    const runtime = `${pkg.name} ${pkg.version}, ${WASM_WANTED}, 1 thread, headless Chromium ${browser.version()}`;
    const check = () => {
      if (errors.length) die(`the page reported: ${errors.join(' | ')}`);
      if (wasmLoaded.length && wasmLoaded.some((w) => w !== WASM_WANTED))
        die(`the runtime loaded ${wasmLoaded.join(', ')}, not ${WASM_WANTED}`);
    };
    if (o.bench) {
      const results = [];
      for (const m of models) {
        results.push(await bench(page, m, o.runs, o.warmup));
        check();
        console.error(`make_reference: ${m.short}: median ${results.at(-1).median_ms} ms`);
      }
      console.log(JSON.stringify({ runtime, runs: o.runs, warmup: o.warmup, models: results }));
    } else {
      console.log(`make_reference: ${runtime}`);
      for (const m of models) {
        await writeFixture(page, m, runtime);
        check();
        const nodes = await profileNodes(page, m);
        console.log(`make_reference:   ${m.short} runs as: ${Object.entries(nodes).map(([k, v]) => `${v}× ${k}`).join(', ')}`);
      }
    }
    check();
    if (!wasmLoaded.includes(WASM_WANTED)) die(`the runtime never loaded ${WASM_WANTED} (loaded: ${wasmLoaded.join(', ') || 'nothing'})`);
  } finally {
    await close();
  }
}

// Run only as a script (compare_web.mjs imports the page and the bench).
if (import.meta.url === pathToFileURL(process.argv[1]).href) main().catch((e) => die(e.stack || e.message));
