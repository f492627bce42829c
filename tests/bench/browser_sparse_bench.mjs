#!/usr/bin/env node
// Browser benchmark: Fieldkit's own wasm SIMD MobileNetV2 (own-dense, own-sparse at
// 0% and 90% sparsity of the 1x1 convs) vs tfjs-backend-wasm (SIMD, one thread) on
// the same network (MobileNetV2 1.0 @224, random weights, batch 1, NHWC float32),
// measured side by side in ONE headless Chromium session on this machine.
//
//   cd tests/bench && npm install --no-audit --no-fund     # tfjs packages (pinned)
//   node tests/bench/browser_sparse_bench.mjs [--runs 20] [--rounds 2] [--json]
//          [--warmup 5] [--web build/web] [--no-layers]
//
//   --runs N     timed inferences per backend and page visit (default 20)
//   --rounds R   page visits per side, alternated ours, tfjs, ours, tfjs, ... (default 2)
//   --json       print only the JSON summary (default: markdown table, then the JSON)
//   --warmup N   untimed tfjs inferences first (default 5; ours warms up 3, sparse_bench.h)
//   --web DIR    the built page to copy (default <repo>/build/web; `make web` builds it)
//   --no-layers  skip the tfjs-layers variant (only the fused-op graph is timed)
//
// How: copies build/web's files, tfjs_mobilenet.html/.js and the tfjs dist files
// (from tests/bench/node_modules) into a temporary directory, serves it with
// `python3 serve.py --port 0` (no --isolate: no COOP/COEP, so no SharedArrayBuffer
// and tfjs-wasm cannot use threads; build/web itself is never modified), launches
// Chromium with the e2e harness's flags (tests/e2e/lib/harness.mjs, which needs
// `cd tests/e2e && npm install`), then alternates the pages:
//   ours: index.html?run=sparse-bench&sparsity=0,0.9&runs=N&width=1&size=224
//         -> window.fieldkit.status().sparse_bench = {results: [{backend, sparsity, median_ms, ...}]}
//   tfjs: tfjs_mobilenet.html?runs=N -> window.tfjsBench (see tfjs_mobilenet.js)
// Each visit gets a fresh browser context. Per backend the summary gives the median
// over visits of the per-visit median (and of p10 / p90), the per-visit medians, and
// the ratios the issue asks about. Exit 1 if a page fails to run or reports an error
// (a missed performance target is reported, not a failure); 2 on bad arguments.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AppPage, VIEWPORT, describeStatus, launchBrowser, sleep, startServer,
} from '../e2e/lib/harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const TFJS_FILES = [  // [package dir under node_modules/@tensorflow, file in its dist/]
  ['tfjs-core', 'tf-core.min.js'],
  ['tfjs-layers', 'tf-layers.min.js'],
  ['tfjs-backend-wasm', 'tf-backend-wasm.min.js'],
  ['tfjs-backend-wasm', 'tfjs-backend-wasm.wasm'],
  ['tfjs-backend-wasm', 'tfjs-backend-wasm-simd.wasm'],
  ['tfjs-backend-wasm', 'tfjs-backend-wasm-threaded-simd.wasm'],
];
const OURS_TIMEOUT_MS = 900000;  // pruning + scalar reference + 4 x (3 + runs) inferences at 224
const TFJS_TIMEOUT_MS = 600000;

function usage(code) {
  (code ? console.error : console.log)(
    'usage: node tests/bench/browser_sparse_bench.mjs [--runs 20] [--rounds 2] [--json] [--warmup 5] [--web DIR] [--no-layers]');
  process.exit(code);
}

function parseArgs(argv) {
  const o = { runs: 20, rounds: 2, json: false, warmup: 5, web: path.join(REPO, 'build', 'web'), layers: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) { console.error(`bench: ${a} needs a value`); usage(2); }
      return argv[++i];
    };
    const int = (lo, hi) => {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < lo || n > hi) { console.error(`bench: ${a} ${v}: expected an integer in ${lo}..${hi}`); usage(2); }
      return n;
    };
    if (a === '--runs') o.runs = int(3, 500);
    else if (a === '--rounds') o.rounds = int(1, 20);
    else if (a === '--warmup') o.warmup = int(1, 100);
    else if (a === '--web') o.web = path.resolve(value());
    else if (a === '--json') o.json = true;
    else if (a === '--no-layers') o.layers = false;
    else if (a === '--help' || a === '-h') usage(0);
    else { console.error(`bench: unknown argument ${a}`); usage(2); }
  }
  return o;
}

class BenchError extends Error {}

/**
 * Copies build/web (regular files only) into dst. Other people may be rebuilding it:
 * retry until fieldkit.js and fieldkit.wasm exist and no file changed while copying.
 */
async function copyWebBuild(web, dst, log) {
  for (let attempt = 1; ; attempt++) {
    const need = ['index.html', 'fieldkit.js', 'fieldkit.wasm'];
    const missing = need.filter((f) => !existsSync(path.join(web, f)));
    const snapshot = () => readdirSync(web).filter((f) => statSync(path.join(web, f)).isFile())
      .map((f) => { const s = statSync(path.join(web, f)); return `${f}:${s.size}:${s.mtimeMs}`; }).sort().join('|');
    if (!missing.length) {
      const before = snapshot();
      const newest = Math.max(...readdirSync(web).map((f) => statSync(path.join(web, f)).mtimeMs));
      if (Date.now() - newest > 5000) {  // nothing written in the last 5 s
        for (const f of readdirSync(web)) {
          if (statSync(path.join(web, f)).isFile()) copyFileSync(path.join(web, f), path.join(dst, f));
        }
        if (snapshot() === before) return;
      }
    }
    if (attempt >= 60) {
      throw new BenchError(missing.length ? `${web} lacks ${missing.join(', ')}: run \`make web\` first`
        : `${web} kept changing for 5 minutes (someone rebuilding?)`);
    }
    if (attempt === 1) log(`# ${web} is ${missing.length ? 'incomplete' : 'being written'}; waiting…`);
    await sleep(5000);
  }
}

function assembleSite(opts, log) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fieldkit-bench-'));
  const site = { dir, ready: null };
  site.ready = (async () => {
    await copyWebBuild(opts.web, dir, log);
    for (const f of ['tfjs_mobilenet.html', 'tfjs_mobilenet.js']) copyFileSync(path.join(HERE, f), path.join(dir, f));
    const tfjsDir = path.join(dir, 'tfjs');
    rmSync(tfjsDir, { recursive: true, force: true });
    mkdirSync(tfjsDir);
    for (const [pkg, file] of TFJS_FILES) {
      const src = path.join(HERE, 'node_modules', '@tensorflow', pkg, 'dist', file);
      if (!existsSync(src)) throw new BenchError(`${src} is missing: run \`cd tests/bench && npm install --no-audit --no-fund\``);
      copyFileSync(src, path.join(tfjsDir, file));
    }
  })();
  return site;
}

/** One visit of our page: the sparse bench at 0 and 0.9; resolves to {results, status}. */
async function runOurs(browser, baseUrl, opts) {
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  const app = new AppPage(context, baseUrl, os.tmpdir());
  try {
    await app.open(`index.html?run=sparse-bench&sparsity=0,0.9&runs=${opts.runs}&width=1&size=224`);
    await app.waitReady();
    const s = await app.waitFor((st) => st.sparse_bench != null || (st.errors && st.errors.length)
      || (st.job && st.job.state === 'failed'), 'status().sparse_bench', OURS_TIMEOUT_MS);
    await app.checkClean();
    const sb = s.sparse_bench;
    if (!sb || !Array.isArray(sb.results)) throw new BenchError(`no sparse_bench results; status ${describeStatus(s, 600)}`);
    for (const want of [['own-dense', 0], ['own-dense', 0.9], ['own-sparse', 0], ['own-sparse', 0.9]]) {
      const r = sb.results.find((x) => x.backend === want[0] && Math.abs(x.sparsity - want[1]) < 1e-9);
      if (!r || !(r.median_ms > 0)) throw new BenchError(`our page reported no ${want[0]}@${want[1]}: ${JSON.stringify(sb)}`);
    }
    return { results: sb.results, simd: s.simd, version: s.version, git_hash: s.git_hash };
  } catch (e) {
    const tail = app.consoleLog.slice(-6).join(' | ');
    throw new BenchError(`our page: ${e.message.split('\n')[0]}${tail ? ` (console: ${tail})` : ''}`);
  } finally {
    await context.close().catch(() => {});
  }
}

/** One visit of the tfjs page; resolves to window.tfjsBench. */
async function runTfjs(browser, baseUrl, opts) {
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors = [];
  // A 404's console line does not name the URL: record failed responses by URL instead.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/favicon|Failed to load resource/i.test(m.text())) errors.push(m.text());
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !/favicon\.ico$/.test(r.url())) errors.push(`GET ${r.url()} answered ${r.status()}`);
  });
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    const url = new URL(`tfjs_mobilenet.html?runs=${opts.runs}&warmup=${opts.warmup}&variants=${opts.layers ? 'fused,layers' : 'fused'}`, baseUrl);
    const res = await page.goto(url.toString(), { waitUntil: 'load', timeout: 60000 });
    if (!res || !res.ok()) throw new BenchError(`GET ${url} answered ${res ? res.status() : 'nothing'}`);
    const t0 = Date.now();
    let tb;
    for (;;) {
      tb = await page.evaluate(() => window.tfjsBench || null);
      if (tb && tb.done) break;
      if (errors.length) throw new BenchError(errors[0]);
      if (Date.now() - t0 > TFJS_TIMEOUT_MS) throw new BenchError(`timed out after ${TFJS_TIMEOUT_MS / 1000} s`);
      await sleep(200);
    }
    if (tb.error) throw new BenchError(tb.error.split('\n')[0]);
    if (errors.length) throw new BenchError(errors[0]);
    if (!tb.results.length || !tb.results.every((r) => r.median_ms > 0 && r.output_finite)) {
      throw new BenchError(`bad results ${JSON.stringify(tb.results)}`);
    }
    return tb;
  } catch (e) {
    throw new BenchError(`tfjs page: ${e.message.split('\n')[0]}`);
  } finally {
    await context.close().catch(() => {});
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const r2 = (x) => Math.round(x * 100) / 100;

function summarize(opts, meta, ours, tfjs) {
  const rows = [];
  const add = (backend, sparsity, perRound, extra) => {
    rows.push({
      backend, sparsity,
      median_ms: r2(median(perRound.map((r) => r.median_ms))),
      p10_ms: r2(median(perRound.map((r) => r.p10_ms))),
      p90_ms: r2(median(perRound.map((r) => r.p90_ms))),
      round_medians_ms: perRound.map((r) => r2(r.median_ms)),
      ...extra,
    });
  };
  for (const [b, sp] of [['own-dense', 0], ['own-sparse', 0], ['own-dense', 0.9], ['own-sparse', 0.9]]) {
    const per = ours.map((o) => o.results.find((x) => x.backend === b && Math.abs(x.sparsity - sp) < 1e-9));
    add(b, sp, per, { kernel: per[0].kernel, model_bytes: per[0].model_bytes,
                      max_rel_err: Math.max(...per.map((p) => p.max_rel_err)) });
  }
  for (const name of tfjs[0].results.map((r) => r.backend)) {
    const per = tfjs.map((t) => t.results.find((x) => x.backend === name));
    add(name, 0, per, { kernel: per[0].kernel, model_bytes: per[0].model_bytes });
  }
  const get = (b, sp) => rows.find((r) => r.backend === b && r.sparsity === sp);
  const ref = get('tfjs-wasm', 0);
  for (const r of rows) r.ratio_vs_tfjs_wasm = r2(r.median_ms / ref.median_ms);
  const dense0 = get('own-dense', 0), dense9 = get('own-dense', 0.9), sparse9 = get('own-sparse', 0.9);
  // Same-visit ratios show how much of a ratio is noise between visits.
  const perRoundSparse = ours.map((o) => {
    const d = o.results.find((x) => x.backend === 'own-dense' && x.sparsity === 0.9);
    const s = o.results.find((x) => x.backend === 'own-sparse' && x.sparsity === 0.9);
    return r2(d.median_ms / s.median_ms);
  });
  const perRoundTfjs = ours.map((o, i) => r2(o.results.find((x) => x.backend === 'own-dense' && x.sparsity === 0).median_ms
    / tfjs[Math.min(i, tfjs.length - 1)].results.find((x) => x.backend === 'tfjs-wasm').median_ms));
  const sparseSpeedup = r2(dense9.median_ms / sparse9.median_ms);
  const denseVsTfjs = r2(dense0.median_ms / ref.median_ms);
  const t = tfjs[0];
  const wasmFiles = [...new Set(tfjs.flatMap((x) => x.wasm_files))];
  return {
    machine: meta,
    model: 'MobileNetV2 1.0 @224, 1000 classes, random weights, batch 1, NHWC float32, single thread',
    runs: opts.runs, rounds: opts.rounds,
    tfjs: {
      version: t.tfjs_version, backend: t.backend, simd: t.simd, threads: t.threads,
      cross_origin_isolated: t.cross_origin_isolated, wasm_files: wasmFiles,
      simd_binary: wasmFiles.length === 1 && wasmFiles[0] === 'tfjs-backend-wasm-simd.wasm',
      variants_max_rel_diff: t.variants_max_rel_diff,
    },
    ours: { simd: ours[0].simd, version: ours[0].version, git_hash: ours[0].git_hash },
    results: rows,
    targets: {
      own_sparse90_speedup_vs_own_dense90: sparseSpeedup,
      own_sparse90_speedup_per_round: perRoundSparse,
      own_sparse90_at_least_2x: sparseSpeedup >= 2,
      own_dense_vs_tfjs_wasm: denseVsTfjs,
      own_dense_vs_tfjs_wasm_per_round: perRoundTfjs,
      own_dense_within_2x_of_tfjs_wasm: denseVsTfjs <= 2,
    },
  };
}

function markdown(sum) {
  const L = [];
  L.push('| backend | sparsity | median ms | p10–p90 ms | per-visit medians ms | ratio vs tfjs-wasm | kernel |');
  L.push('|---|---:|---:|---:|---:|---:|---|');
  for (const r of sum.results) {
    L.push(`| ${r.backend} | ${r.backend.startsWith('tfjs') ? '—' : `${Math.round(r.sparsity * 100)}%`} | ${r.median_ms.toFixed(2)} | `
      + `${r.p10_ms.toFixed(2)}–${r.p90_ms.toFixed(2)} | ${r.round_medians_ms.map((x) => x.toFixed(2)).join(', ')} | `
      + `${r.ratio_vs_tfjs_wasm.toFixed(2)}× | ${r.kernel} |`);
  }
  const t = sum.targets;
  L.push('');
  L.push(`- own-sparse@90% vs own-dense@90%: **${t.own_sparse90_speedup_vs_own_dense90.toFixed(2)}× faster** `
    + `(per visit ${t.own_sparse90_speedup_per_round.join(', ')}); target ≥ 2×: **${t.own_sparse90_at_least_2x ? 'holds' : 'missed'}**`);
  L.push(`- own-dense vs tfjs-wasm: **${t.own_dense_vs_tfjs_wasm.toFixed(2)}×** tfjs-wasm's time `
    + `(per visit ${t.own_dense_vs_tfjs_wasm_per_round.join(', ')}); target ≤ 2×: **${t.own_dense_within_2x_of_tfjs_wasm ? 'holds' : 'missed'}**`);
  L.push(`- tfjs ${sum.tfjs.version}, backend ${sum.tfjs.backend}, SIMD ${sum.tfjs.simd}, threads ${sum.tfjs.threads}, `
    + `crossOriginIsolated ${sum.tfjs.cross_origin_isolated}, binary loaded: ${sum.tfjs.wasm_files.join(', ')}`);
  L.push(`- Chromium ${sum.machine.chromium}, ${sum.machine.cpus} CPUs (${sum.machine.cpu}), load average (1 min) `
    + `${sum.machine.loadavg_1min_start} at start, ${sum.machine.loadavg_1min_end} at end; ${sum.rounds} visits × ${sum.runs} runs per side`);
  return L.join('\n');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const log = opts.json ? (s) => process.stderr.write(`${s}\n`) : (s) => console.log(s);
  const site = assembleSite(opts, log);
  let server = null, launched = null;
  try {
    await site.ready;
    server = await startServer(path.join(REPO, 'serve.py'), site.dir);
    log(`# serving ${site.dir} at ${server.url}`);
    launched = await launchBrowser();
    const meta = {
      chromium: launched.browser.version(), cpus: os.cpus().length, cpu: os.cpus()[0] && os.cpus()[0].model,
      node: process.version, date: new Date().toISOString(),
      loadavg_1min_start: r2(os.loadavg()[0]),  // 2 shared cores: other work skews every number
    };
    log(`# chromium ${meta.chromium}, ${meta.cpus} CPUs (${meta.cpu}); ${opts.rounds} round(s) of ${opts.runs} runs`);
    const ours = [], tfjs = [];
    for (let round = 1; round <= opts.rounds; round++) {
      let t0 = Date.now();
      const o = await runOurs(launched.browser, server.url, opts);
      ours.push(o);
      log(`# round ${round} ours (${((Date.now() - t0) / 1000).toFixed(0)} s): `
        + o.results.map((r) => `${r.backend}@${r.sparsity} ${r.median_ms.toFixed(2)} ms`).join(', '));
      t0 = Date.now();
      const t = await runTfjs(launched.browser, server.url, opts);
      tfjs.push(t);
      log(`# round ${round} tfjs (${((Date.now() - t0) / 1000).toFixed(0)} s, ${t.wasm_files.join(',')}): `
        + t.results.map((r) => `${r.backend} ${r.median_ms.toFixed(2)} ms`).join(', '));
    }
    meta.loadavg_1min_end = r2(os.loadavg()[0]);
    const sum = summarize(opts, meta, ours, tfjs);
    if (!sum.tfjs.simd_binary) {
      log(`# WARNING: tfjs-wasm loaded ${sum.tfjs.wasm_files.join(', ') || 'no .wasm'}, not tfjs-backend-wasm-simd.wasm alone`);
    }
    if (opts.json) {
      console.log(JSON.stringify(sum, null, 2));
    } else {
      console.log('');
      console.log(markdown(sum));
      console.log('');
      console.log(JSON.stringify(sum, null, 2));
    }
    return 0;
  } catch (e) {
    console.error(`bench: ${e instanceof BenchError ? e.message : (e.stack || e)}`);
    return 1;
  } finally {
    if (launched) await launched.close();
    if (server) await server.stop();
    rmSync(site.dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
