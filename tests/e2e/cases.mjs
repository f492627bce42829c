// The browser test cases, as data: each is { name, fn(app, ctx), allowConsole?, appErrors?, timeoutMs? }.
//   fn           gets an AppPage (lib/harness.mjs) with its own browser context; throw to fail. ctx:
//                { serveRoot (null with --url), startServer(root) -> {url, stop()} } (e2e.mjs).
//   timeoutMs    the case's limit when it is not the runner's default (150 s).
//   allowConsole regexps of console errors this case expects (beyond the harmless noise).
//   appErrors    false to skip the "status().errors is empty" check after fn.
// The runner saves <name>.png after every case. To add a workflow, append e.g.
//   benchCase('sparse-bench-run', '?run=sparse-bench', (s) => s.sparse_bench, checkSparse)
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert, CaseFailure, sleep } from './lib/harness.mjs';
import { CAMERA, cameraOffset } from './lib/y4m.mjs';

/** Intersection over union of two [x, y, w, h] boxes. */
function boxIoU(a, b) {
  const ix = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
  return (ix * iy) / (a[2] * a[3] + b[2] * b[3] - ix * iy);
}

/** The System micro-benchmark result: both rates measured, in the browser. */
export function checkBench(bench) {
  assert(bench && typeof bench === 'object', `status().bench is ${JSON.stringify(bench)}, expected an object`);
  assert(bench.scalar_gflops > 0, `bench.scalar_gflops = ${JSON.stringify(bench.scalar_gflops)}, expected > 0`);
  assert(bench.simd_gflops > 0, `bench.simd_gflops = ${JSON.stringify(bench.simd_gflops)}, expected > 0`);
  assert(bench.target === 'wasm', `bench.target = ${JSON.stringify(bench.target)}, expected "wasm"`);
}

/** A case that opens `query`, waits for pick(status) to be non-null, and checks it. */
export function benchCase(name, query, pick, check, timeoutMs = 60000) {
  return {
    name,
    async fn(app) {
      await app.open(query);
      await app.waitReady();
      const s = await app.waitFor((st) => pick(st) != null, `the result of ${query}`, timeoutMs);
      check(pick(s));
      await app.waitFrames(3);
    },
  };
}

/** The sparse bench results: every backend/sparsity measured, accurate, and the kernels named. */
export function checkSparse(sb, { sparsities, backends }) {
  assert(sb && Array.isArray(sb.results), `status().sparse_bench = ${JSON.stringify(sb)}, expected {results: [...]}`);
  const want = sparsities.length * backends.length;
  assert(sb.results.length === want, `sparse_bench has ${sb.results.length} results, expected ${want}`);
  for (const r of sb.results) {
    const tag = `${r.backend}@${r.sparsity}`;
    assert(backends.includes(r.backend), `unexpected backend ${r.backend}`);
    assert(sparsities.includes(r.sparsity), `unexpected sparsity ${r.sparsity}`);
    for (const k of ['median_ms', 'p10_ms', 'p90_ms', 'model_bytes']) {
      assert(r[k] > 0, `${tag}: ${k} = ${JSON.stringify(r[k])}, expected > 0`);
    }
    assert(r.p10_ms <= r.median_ms && r.median_ms <= r.p90_ms, `${tag}: p10 <= median <= p90 does not hold`);
    assert(r.max_rel_err <= 1e-4, `${tag}: max_rel_err = ${r.max_rel_err}, expected <= 1e-4`);
    if (r.backend.startsWith('xnnpack-')) {
      assert(/^xnnpack/.test(r.kernel), `${tag}: kernel "${r.kernel}" does not name XNNPACK`);
    } else {
      assert(/wasmsimd/.test(r.kernel), `${tag}: kernel "${r.kernel}" is not a wasm SIMD kernel`);
    }
  }
}

/** Files written to a temporary directory; returns their paths and a cleanup function. */
function tempFiles(prefix, files) {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const paths = Object.entries(files).map(([name, text]) => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  });
  return { paths, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The text of a download (playwright's Download), as UTF-8. */
async function downloadText(download) {
  const rs = await download.createReadStream();
  const parts = [];
  for await (const c of rs) parts.push(c);
  return Buffer.concat(parts).toString('utf8');
}

/** Clicks widget `id` and returns the downloads it starts (`count` of them), as {name, text}. */
async function clickDownloads(app, id, count = 1) {
  const got = [];
  const done = new Promise((resolve) => {
    const on = async (d) => {
      got.push({ name: d.suggestedFilename(), text: await downloadText(d) });
      if (got.length === count) {
        app.page.off('download', on);
        resolve();
      }
    };
    app.page.on('download', on);
  });
  await app.click(id);
  await Promise.race([done, sleep(15000).then(() => {
    throw new CaseFailure(`${count} download(s) after clicking ${id}, got ${got.length}`);
  })]);
  return got;
}

/** A temporary file holding `text`; returns its path. */
function tempFile(name, text) {
  const file = path.join(os.tmpdir(), `fk-e2e-${process.pid}-${name}`);
  writeFileSync(file, text);
  return file;
}

/** The rows of status().replay by figure (the first whose figure starts with `prefix`). */
function replayRow(r, prefix) {
  const row = r.rows.find((x) => x.figure.startsWith(prefix));
  assert(row, `status().replay.rows has no "${prefix}..." row: ${JSON.stringify(r.rows.map((x) => x.figure))}`);
  for (const k of ['figure', 'seed', 'ours', 'note']) assert(typeof row[k] === 'string', `row ${prefix}: ${k} missing`);
  return row;
}
const num = (s) => parseFloat(s);

// Issue #19's seed replays: per panel, what each check reads through status().replay (rows with the post's
// figure as `seed` and ours measured in the page as `ours`).
const REPLAY_CHECKS = {
  labels(r) {
    const v1 = replayRow(r, 'v1 F1'), v2 = replayRow(r, 'v2 F1');
    assert(v1.seed === '0.667' && v2.seed === '0.900', `seeds ${v1.seed} ${v2.seed}`);
    assert(num(v1.ours) > 0 && num(v2.ours) <= 1, `v1 ${v1.ours}, v2 ${v2.ours}`);
    assert(num(v2.ours) > num(v1.ours), `v2 F1 ${v2.ours} should beat v1 ${v1.ours}, as in the post`);
  },
  anomaly(r) {
    for (const w of ['5-minute counts, window to 16:55', '5-minute counts, window to 17:00']) {
      const row = replayRow(r, w);
      assert(row.ours === row.seed, `${w}: ours ${row.ours}, the post ${row.seed}`);
    }
    assert(replayRow(r, 'cars in 5 minutes').ours === '1 -> 87', `cars ${replayRow(r, 'cars in 5 minutes').ours}`);
    assert(num(replayRow(r, 'severity of the cars').ours) >= 70, `severity ${replayRow(r, 'severity of the cars').ours}`);
  },
  forecast(r) {
    for (const t of ['Product A/B per day', 'Canada/US per day']) {
      const row = replayRow(r, t);
      assert(row.ours === row.seed, `${t}: ours ${row.ours}, the post ${row.seed}`);
    }
    assert(replayRow(r, 'overall sales per month').ours === '01-Jan all 22', `month ${replayRow(r, 'overall sales').ours}`);
    assert(/^end of life: /.test(replayRow(r, 'plumbing after June 1993').ours), 'plumbing is not end of life');
  },
  recommend(r) {
    const bands = r.rows.filter((x) => x.figure.startsWith('band: '));
    assert(bands.length === 6 && bands.every((b) => b.ours.startsWith('same edges; ')), `bands ${JSON.stringify(bands)}`);
    assert(/^\d of 5 items the same/.test(replayRow(r, 'cold user: no context vs hot').ours), 'cold user row');
  },
  sparse(r) {
    for (const f of ['model size at 90% sparsity, fp32', 'model size at 90% sparsity, fp16']) {
      assert(num(replayRow(r, f).ours) > 1.2, `${f}: ${replayRow(r, f).ours}`);
    }
    assert(num(replayRow(r, 'latency at 90%').ours) > 0, `latency ${replayRow(r, 'latency at 90%').ours}`);
  },
  features(r) {
    assert(replayRow(r, 'multithreaded batch ingest').ours.startsWith('ingested 2000 of 2000 rows (0 rejected) (1 worker)'),
      `ingest ${replayRow(r, 'multithreaded batch ingest').ours}`);
    assert(replayRow(r, 'GetRecord').ours.startsWith('Records retrieved: 1 out of: 1 (TransactionID=2997887'),
      `get ${replayRow(r, 'GetRecord').ours}`);
  },
};

/** ?run=replay&panel=NAME: the panel opens, the replay runs as a job, status().replay has the rows; the window drawn. */
function replayCase(panel, title, timeoutMs, extra = '') {
  return {
    name: `replay-${panel}`,
    timeoutMs: timeoutMs + 60000,
    async fn(app) {
      await app.open(`?run=replay&panel=${panel}${extra}`);
      await app.waitReady();
      let worstFrame = 0;
      const s = await app.waitFor((st) => {
        worstFrame = Math.max(worstFrame, st.frame_ms_max || 0);
        return st.replay && (st.replay.state === 'done' || st.replay.state === 'failed');
      }, 'status().replay.state === "done"', timeoutMs);
      const r = s.replay;
      assert(r.state === 'done', `status().replay = ${JSON.stringify(r)}`);
      assert(r.panel === panel && s.panel === title, `replay.panel ${r.panel}, status().panel ${s.panel}`);
      REPLAY_CHECKS[panel](r);
      await app.waitFrames(3);
      const st = await app.status();
      assert(st.items['replay.table'] && st.items['replay.open'], 'the replay table or its button is not on screen');
      app.log(`# replay-${panel}: ${r.rows.length} rows in ${r.seconds.toFixed(2)} s; longest frame ${worstFrame.toFixed(0)} ms, longest job slice ${s.job.max_step_ms.toFixed(0)} ms (${s.job.max_step_detail}); ${r.rows.map((x) => `${x.figure}: ${x.ours}`).join(' | ')}`);
      await app.screenshot(`replay-${panel}`);
    },
  };
}

export const cases = [
  {
    name: 'load',
    async fn(app) {
      await app.open('');
      const s = await app.waitReady(60000);
      assert(s.target === 'wasm', `status().target = ${JSON.stringify(s.target)}, expected "wasm"`);
      assert(s.simd === true, `status().simd = ${JSON.stringify(s.simd)}, expected true`);
      const loaderShown = await app.page.evaluate(() => {
        const el = document.getElementById('loader');
        return !!el && !el.hidden && getComputedStyle(el).display !== 'none';
      });
      assert(!loaderShown, '#loader is still visible although status().ready is true');
      await app.waitFrames(3);  // the main loop runs, not just initialised
    },
  },

  {
    // Issue #19: the page works offline. Served by a serve.py of its own (so stopping it leaves the other
    // cases' server alone): load, wait until the service worker has cached this build, stop the server,
    // reload, and run demos on the bundled data from the cache. With --url (no server of ours to stop) the
    // browser context goes offline instead.
    name: 'offline-reload',
    timeoutMs: 90000,
    allowConsole: [/ERR_CONNECTION_REFUSED|ERR_INTERNET_DISCONNECTED|Failed to load resource|ServiceWorker/i],
    async fn(app, ctx) {
      let own = null;
      if (ctx && ctx.serveRoot) {
        own = await ctx.startServer(ctx.serveRoot);
        app.baseUrl = own.url;
      }
      try {
        const t0 = Date.now();
        await app.open('');
        await app.waitReady();
        const s = await app.waitFor((st) => st.offline && st.offline.cached === true,
          'status().offline.cached === true (the service worker cached this build)', 60000);
        const version = s.offline.version;
        assert(/^[0-9a-f]{16}$/.test(version), `status().offline.version = ${JSON.stringify(version)}`);
        const badge = await app.page.evaluate(() => {
          const el = document.getElementById('offline-badge');
          return el && !el.hidden ? el.textContent : null;
        });
        assert(badge && /works offline/i.test(badge), `the offline badge says ${JSON.stringify(badge)}`);
        app.log(`# offline-reload: build ${version} cached ${((Date.now() - t0) / 1000).toFixed(1)} s after opening the page`);
        await app.screenshot('offline-cached');
        if (own) {
          await own.stop();
          // The server is really gone: a request the worker does not answer (not a file of the build) fails.
          const probe = await app.page.evaluate(() => fetch('no-such-file-' + Date.now(), { cache: 'no-store' })
            .then((r) => 'HTTP ' + r.status, () => 'refused'));
          assert(probe === 'refused', `with serve.py stopped a request still got ${probe}`);
        } else {
          await app.context.setOffline(true);
        }
        // Reload with the server gone: everything comes from the worker's cache.
        const t1 = Date.now();
        await app.reload();
        const r = await app.waitReady(30000);
        assert(r.offline.version === version, `after the reload status().offline = ${JSON.stringify(r.offline)}`);
        await app.waitFor((st) => st.offline.cached === true, 'status().offline.cached after the offline reload', 15000);
        app.log(`# offline-reload: reloaded without the server, ready in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
        // Demos on the bundled data, each a fresh navigation served by the worker.
        await app.open('?run=forecast-demo');
        const f = await app.waitFor((st) => st.forecast && ['done', 'failed'].includes(st.forecast.state),
          'status().forecast.state done (offline)', 30000);
        assert(f.forecast.state === 'done' && f.forecast.series === 4 && f.forecast.accuracy.length >= 4,
          `offline forecast-demo: ${JSON.stringify({ state: f.forecast.state, series: f.forecast.series, errors: f.errors })}`);
        await app.open('?run=features-demo');
        const fe = await app.waitFor((st) => st.features && ['done', 'failed'].includes(st.features.state),
          'status().features.state done (offline)', 30000);
        assert(fe.features.state === 'done' && fe.features.ingested === 4000,
          `offline features-demo: ${fe.features.summary}; errors ${JSON.stringify(fe.errors)}`);
        await app.open('?run=anomaly-demo&speed=21600');
        const an = await app.waitFor((st) => st.anomaly && st.anomaly.windows > 0 && st.anomaly.anomalies > 0,
          'status().anomaly.anomalies > 0 (offline)', 40000);
        app.log(`# offline-reload: offline forecast-demo best ${f.forecast.best}; features-demo ${fe.features.summary}; ` +
          `anomaly-demo ${JSON.stringify(an.anomaly)}`);
        await app.waitFrames(3);
        const offlineBadge = await app.page.evaluate(() => document.getElementById('offline-badge').textContent);
        assert(/offline/i.test(offlineBadge), `the offline badge says ${JSON.stringify(offlineBadge)}`);
        await app.screenshot('offline-reload');
      } finally {
        if (own) await own.stop();
      }
    },
  },

  {
    // Issue #19 item 4: one wheel notch scrolls the panel by about ImGui's step (5 lines), in the direction a
    // browser scrolls (down = content moves up); the raw deltaY used to scroll a whole panel the wrong way.
    // Chromium's notch (100 px, DOM_DELTA_PIXEL) through the real mouse; Firefox's (3 lines) as an event.
    name: 'wheel-scroll',
    async fn(app) {
      await app.open('');
      await app.waitReady();
      // The first panel taller than the 800 px window (the gallery of every widget is).
      let ready = null;
      const heights = [];
      for (const panel of ['Widget Gallery', 'System', 'Forecasts']) {
        await app.page.evaluate((p) => window.fieldkit.openPanel(p), panel);
        await app.waitFrames(3);
        const st = await app.status();
        heights.push(`${panel} ${st.scroll.panel_max_y}`);
        if (st.panel === panel && st.scroll.panel_max_y > 150) { ready = st; break; }
      }
      assert(ready, `no panel scrolls by more than 150 px (status().scroll.panel_max_y: ${heights.join(', ')})`);
      const [x, y, w, h] = ready.items['panel.body'];
      await app.page.mouse.move(x + w / 2, y + h / 2);
      await app.waitFrames(2);
      const y0 = (await app.status()).scroll.panel_y;
      await app.page.mouse.wheel(0, 100);  // one notch down
      const s1 = await app.waitFor((st) => st.scroll.panel_y !== y0, 'the panel to scroll after one notch down', 10000);
      await app.waitFrames(3);
      const d1 = (await app.status()).scroll.panel_y - y0;
      assert(d1 > 20 && d1 < 150, `one notch down scrolled the panel by ${d1} px (expected down, 20..150 px; ` +
        `${ready.scroll.panel_max_y} px of scrolling in all)`);
      // One Firefox notch up (3 lines): back where it started.
      await app.page.evaluate(([cx, cy]) => {
        const c = document.getElementById('canvas');
        c.dispatchEvent(new WheelEvent('wheel', { deltaY: -3, deltaMode: 1, clientX: cx, clientY: cy, bubbles: true, cancelable: true }));
      }, [x + w / 2, y + h / 2]);
      await app.waitFor((st) => st.scroll.panel_y < s1.scroll.panel_y, 'the panel to scroll back after one notch up', 10000);
      await app.waitFrames(3);
      const back = (await app.status()).scroll.panel_y;
      assert(Math.abs(back - y0) < 1, `one notch down then one up left the panel at ${back} px, it started at ${y0}`);
      app.log(`# wheel-scroll: one notch (100 px, pixel mode) scrolled ${d1.toFixed(0)} px down; one notch (3 lines) ` +
        `back up to ${back.toFixed(0)} (of ${ready.scroll.panel_max_y.toFixed(0)} px)`);
      await app.screenshot('wheel-scroll');
    },
  },

  {
    // Issue #19 item 4: "Import file…" with several files picked delivered only the first (the FileList was
    // cleared before the second was read); dropping several had the same fault.
    name: 'import-several',
    async fn(app) {
      const picked = tempFiles('fk-e2e-pick-', { 'notes-a.txt': 'first file\n', 'notes-b.txt': 'second file, longer\n'.repeat(3) });
      try {
        await app.open('');
        await app.waitReady();
        await app.page.setInputFiles('#file-input', picked.paths);
        const s = await app.waitFor((st) => st.imports && st.imports.length >= 2, 'two entries in status().imports', 15000);
        const got = Object.fromEntries(s.imports.map((f) => [f.path, f.bytes]));
        assert(got['/imports/notes-a.txt'] === 11 && got['/imports/notes-b.txt'] === 60,
          `status().imports after picking two files: ${JSON.stringify(s.imports)}`);
        // Three dropped at once.
        await app.page.evaluate(() => {
          const dt = new DataTransfer();
          for (const n of ['drop-1.txt', 'drop-2.txt', 'drop-3.txt']) dt.items.add(new File([n + '\n'], n, { type: 'text/plain' }));
          window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
        });
        const s2 = await app.waitFor((st) => st.imports && st.imports.length >= 5, 'five entries in status().imports', 15000);
        const names = s2.imports.map((f) => f.path).sort();
        assert(JSON.stringify(names) === JSON.stringify(['/imports/drop-1.txt', '/imports/drop-2.txt', '/imports/drop-3.txt',
          '/imports/notes-a.txt', '/imports/notes-b.txt']), `status().imports: ${JSON.stringify(s2.imports)}`);
        await app.page.evaluate(() => window.fieldkit.openPanel('System'));
        await app.waitFrames(3);
        await app.screenshot('import-several');
      } finally {
        picked.cleanup();
      }
    },
  },
  {
    name: 'system-bench-click',
    async fn(app) {
      await app.open('');
      await app.waitReady();
      await app.click('nav.System');
      await app.waitFor((s) => s.panel === 'System', 'status().panel === "System" after clicking nav.System', 10000);
      await app.click('system.run_bench');
      const s = await app.waitFor((st) => st.bench != null, 'status().bench after clicking system.run_bench');
      checkBench(s.bench);
      await app.waitFrames(3);
      await app.screenshot('system-bench');
    },
  },

  benchCase('run-param', '?run=system-bench', (s) => s.bench, checkBench),

  {
    name: 'persistence',
    async fn(app) {
      await app.open('');
      const s0 = await app.waitReady();
      assert(s0.settings && typeof s0.settings === 'object',
        `status().settings = ${JSON.stringify(s0.settings)}, expected an object`);
      const value = `probe-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
      const hasSetter = await app.page.evaluate(() => typeof window.fieldkit.setSetting === 'function');
      assert(hasSetter, 'window.fieldkit.setSetting is not a function');
      for (const k of ['in_flight', 'pending', 'last_ok_at', 'last_error', 'failures']) {
        assert(s0.persist && k in s0.persist, `status().persist.${k} is missing: ${JSON.stringify(s0.persist)}`);
      }
      const t0 = await app.pageNow();
      await app.page.evaluate((v) => window.fieldkit.setSetting('e2e_probe', v), value);
      await app.waitFor((s) => s.settings && s.settings.e2e_probe === value,
        'status().settings.e2e_probe to show the value just set', 5000);
      // Reload only once the save is in IndexedDB (status().persist says when).
      await app.waitSaved(t0, 'the setting');
      await app.reload();
      const after = await app.waitReady();
      const got = after.settings ? after.settings.e2e_probe : undefined;
      assert(got === value,
        `after reload status().settings.e2e_probe = ${JSON.stringify(got)}, expected ${JSON.stringify(value)}`);
    },
  },

  {
    name: 'no-simd',
    allowConsole: [/SIMD/i],
    appErrors: false,
    async fn(app) {
      // Before any page script: every validate() says no, as on an engine without SIMD.
      await app.open('', {
        initScript: () => { WebAssembly.validate = () => false; },
      });
      const t0 = Date.now();
      let text = null;
      while ((text = await app.visibleErrorText()) === null && Date.now() - t0 < 15000) await sleep(100);
      assert(text !== null, '#error is not visible 15 s after loading without WebAssembly SIMD');
      assert(/SIMD/.test(text), `#error does not mention SIMD: "${text}"`);
      const s = await app.status();
      assert(!s || s.ready !== true, 'status().ready is true although the page refused to start');
    },
  },

  // The issue's contract: ?run=sparse-bench&sparsity=0,0.9 runs own-dense and own-sparse on MobileNetV2 1.0@224.
  benchCase('sparse-bench-run', '?run=sparse-bench&sparsity=0,0.9', (s) => s.sparse_bench,
    (sb) => checkSparse(sb, { sparsities: [0, 0.9], backends: ['own-dense', 'own-sparse'] }), 180000),

  {
    // Issue #17: XNNPACK (Debian trixie's 2024 source, wasm SIMD) runs in the page, dense and with its sparse
    // inference hint, on the same pruned weights as our kernels; checkSparse holds every row to the scalar
    // reference (max_rel_err <= 1e-4). The log line is the browser row of docs/BENCHMARKS.md.
    name: 'sparse-bench-xnnpack',
    async fn(app) {
      const backends = ['own-dense', 'own-sparse', 'xnnpack-dense', 'xnnpack-sparse'];
      await app.open(`?run=sparse-bench&sparsity=0,0.9&runs=20&backend=${backends.join(',')}`);
      await app.waitReady();
      const s = await app.waitFor((st) => st.sparse_bench != null, 'status().sparse_bench', 240000);
      checkSparse(s.sparse_bench, { sparsities: [0, 0.9], backends });
      const row = (b, sp) => s.sparse_bench.results.find((r) => r.backend === b && r.sparsity === sp);
      for (const sp of [0, 0.9]) {
        app.log(`# sparsity ${sp}: ` + backends.map((b) => {
          const r = row(b, sp);
          return `${b} ${r.median_ms.toFixed(2)} ms (p10 ${r.p10_ms.toFixed(2)}, err ${r.max_rel_err.toExponential(1)})`;
        }).join('; '));
      }
      const x = row('xnnpack-sparse', 0.9);
      app.log(`# xnnpack-sparse@0.9: ${x.kernel}; own-sparse/xnnpack-sparse at 0.9 = ` +
        `${(row('own-sparse', 0.9).median_ms / x.median_ms).toFixed(2)}x the time`);
      await app.waitFrames(3);
      await app.screenshot('sparse-bench-xnnpack');
    },
  },

  {
    // A user's path: open the panel (Figure 1 appears by itself), press the button, get Figure 2.
    name: 'sparse-panel-click',
    async fn(app) {
      await app.open('');
      await app.waitReady();
      await app.click('nav.Sparse Inference');
      await app.waitFor((s) => s.panel === 'Sparse Inference', 'status().panel === "Sparse Inference"', 10000);
      const s1 = await app.waitFor((s) => Array.isArray(s.sparse_sizes) && s.job.state !== 'running',
        'status().sparse_sizes (the size chart) after opening the panel', 120000);
      const last = s1.sparse_sizes[s1.sparse_sizes.length - 1];
      assert(last.sparsity === 0.9, `last size row is sparsity ${last.sparsity}, expected 0.9`);
      assert(last.dense_fp32 / last.sparse_fp16 >= 2,
        `sparse fp16 at 90% is only ${(last.dense_fp32 / last.sparse_fp16).toFixed(2)}x smaller than dense fp32`);
      await app.click('sparse.run_bench');
      await app.waitFor((s) => s.job.state === 'running' || s.sparse_bench != null, 'the benchmark job to start', 10000);
      // Sample the longest frame while the bench runs: long work must not block the page.
      let worstFrame = 0;
      const s2 = await app.waitFor((s) => {
        worstFrame = Math.max(worstFrame, s.frame_ms_max || 0);
        return s.sparse_bench != null;
      }, 'status().sparse_bench after the click', 300000);
      app.log(`# longest frame during the sparse bench: ${worstFrame.toFixed(0)} ms; longest job step ` +
        `${(s2.job.max_step_ms || 0).toFixed(0)} ms (${s2.job.max_step_detail})`);
      // The panel's default backends: ours, and XNNPACK dense (built into the page since issue #17).
      checkSparse(s2.sparse_bench, { sparsities: [0, 0.5, 0.7, 0.8, 0.9],
        backends: ['own-dense', 'own-sparse', 'xnnpack-dense'] });
      await app.waitFrames(3);
      await app.screenshot('sparse-panel');
    },
  },

  {
    // The issue's contract: ?run=sparse-real runs MediaPipe's released dense and sparse face models (fetched from
    // this page's server on first use) on the bundled picture: both match TFLite's outputs, find the same face,
    // and draw it.
    name: 'sparse-real',
    async fn(app) {
      await app.open('?run=sparse-real&model=mediapipe:face_full_sparse,mediapipe:face_full&runs=20');
      await app.waitReady();
      const s = await app.waitFor((st) => st.sparse_real != null, 'status().sparse_real', 300000);
      const r = s.sparse_real;
      assert(r.models.length === 2, `sparse_real has ${r.models.length} models, expected 2`);
      for (const m of r.models) {
        assert(m.median_ms > 0, `${m.name}: median_ms ${m.median_ms}`);
        assert(m.max_rel_err_vs_reference !== null && m.max_rel_err_vs_reference <= 1e-4,
          `${m.name}: max_rel_err_vs_reference ${m.max_rel_err_vs_reference}, expected <= 1e-4`);
        assert(m.detections.length >= 1, `${m.name}: no face found on ${r.image.name}`);
        app.log(`# sparse-real (wasm, 1 thread): ${m.name} median ${m.median_ms} ms (p10 ${m.p10_ms}, p90 ` +
          `${m.p90_ms}); all-dense ${m.dense_median_ms} ms; ${m.sparse_layers} of ${m.pointwise_layers} 1x1 layers ` +
          `on spmm; error vs TFLite ${m.max_rel_err_vs_reference}`);
      }
      const iou = boxIoU(r.models[0].detections[0].box, r.models[1].detections[0].box);
      assert(iou >= 0.9, `the dense and sparse top boxes overlap with IoU ${iou.toFixed(3)}, expected >= 0.9`);
      app.log(`# sparse-real: IoU of the two top boxes ${iou.toFixed(3)}`);
      await app.waitFrames(3);
      await app.screenshot('sparse-real');
    },
  },

  {
    // Camera mode: the harness's fake camera plays the bundled astronaut (e2e.mjs cameraPicture) through both
    // loaded models, a frame at a time, with live fps per model. Each frame must carry the picture: both models
    // find her face in the camera frame where they find it in the still picture, and agree with each other.
    name: 'sparse-camera',
    async fn(app) {
      const models = 'model=mediapipe:face_full_sparse,mediapipe:face_full';
      await app.open(`?run=sparse-real&${models}&runs=1`);
      await app.waitReady();
      const still = (await app.waitFor((st) => st.sparse_real != null, 'status().sparse_real', 300000)).sparse_real;
      assert(still.image.name === 'astronaut.png', `the still picture is ${still.image.name}`);
      assert(still.models.every((m) => m.detections.length >= 1), 'no face found in the still picture');
      await app.open(`?run=sparse-real&${models}&runs=0&camera=1`);
      await app.waitReady();
      const s = await app.waitFor((st) => st.sparse_real && st.sparse_real.camera && st.sparse_real.camera.frames >= 10,
        'status().sparse_real.camera.frames >= 10', 120000);
      const cam = s.sparse_real.camera;
      assert(cam.state === 'on', `camera state ${cam.state}`);
      assert(cam.fps.length === 2 && cam.fps.every((f) => f > 0), `camera fps ${JSON.stringify(cam.fps)}`);
      const r = s.sparse_real;
      assert(r.image.name === 'camera frame', `the picture is ${r.image.name}`);
      assert(r.image.width === CAMERA.width && r.image.height === CAMERA.height,
        `the camera frame is ${r.image.width}x${r.image.height}, the camera plays ${CAMERA.width}x${CAMERA.height}`);
      const [ox, oy] = cameraOffset(still.image.width, still.image.height);  // the still picture in the frame
      const ious = r.models.map((m, i) => {
        assert(m.detections.length >= 1, `${m.name}: no face found in the camera frame (a black frame?)`);
        const b = still.models[i].detections[0].box;
        const iou = boxIoU(m.detections[0].box, [b[0] + ox, b[1] + oy, b[2], b[3]]);
        // 4:2:0 chroma and rounding change pixels a little, not where the face is.
        assert(iou >= 0.8, `${m.name}: the camera frame's top box overlaps the still picture's with IoU ` +
          `${iou.toFixed(3)}, expected >= 0.8`);
        return iou;
      });
      // The issue's 0.9 bar holds on the still picture (case sparse-real). In the 640x480 frame the face is 20 %
      // smaller in the model's 192x192 input, both scores drop (0.94/0.91 -> 0.85/0.77) and the two boxes agree
      // less (IoU 0.87-0.88 measured), so the camera frame's bar is 0.8: a black or garbled frame finds nothing.
      const pair = boxIoU(r.models[0].detections[0].box, r.models[1].detections[0].box);
      assert(pair >= 0.8, `on the camera frame the dense and sparse top boxes overlap with IoU ${pair.toFixed(3)}`);
      app.log(`# sparse-camera: ${cam.frames} frames, fps ${cam.fps.join(' / ')} (${r.image.width}x` +
        `${r.image.height}); camera vs still IoU ${ious.map((x) => x.toFixed(3)).join(' / ')}, dense vs sparse ` +
        `${pair.toFixed(3)}`);
      await app.waitFrames(3);
      await app.screenshot('sparse-camera');
    },
  },

  {
    // Pruning-aware training in the page (issue #16): ?run=sparse-train trains the small MobileNetV2 on generated
    // shapes, then prunes it one-shot and with the 3-step strategy; every model scored, sized and timed; the page
    // keeps drawing frames throughout (one layer per job slice).
    name: 'sparse-train',
    async fn(app) {
      // No nuisances (difficulty 0) and 1,280 images: a run that learns in ~80 steps, so the case stays short.
      await app.open('?run=sparse-train&epochs=2&train_size=1280&difficulty=0&eval_limit=200&sparsity=0.9' +
        '&prune_epochs=1&finetune_epochs=1&runs=10');
      await app.waitReady();
      const s = await app.waitFor((st) => st.sparse_train && ['done', 'failed'].includes(st.sparse_train.state),
        'status().sparse_train.state done', 240000);
      const t = s.sparse_train;
      assert(t.state === 'done', `sparse_train ${t.state}: ${t.error || ''}`);
      const r = t.pruned.results;
      assert(r.length === 3, `${r.length} results, expected dense, one-shot and 3step`);
      for (const x of r) {
        for (const k of ['sparsity', 'strategy', 'accuracy', 'top1_drop', 'model_bytes', 'median_ms_dense',
          'median_ms_sparse']) assert(k in x, `result without ${k}: ${JSON.stringify(x)}`);
        assert(x.median_ms_sparse > 0 && x.model_bytes > 0, `not measured: ${JSON.stringify(x)}`);
      }
      assert(r[0].accuracy > 0.25, `the dense model reached ${r[0].accuracy} on the test images (chance 0.1)`);
      assert(s.job.max_step_ms < 250, `a job slice took ${s.job.max_step_ms} ms (${s.job.max_step_detail})`);
      app.log(`# sparse-train (wasm): ${t.dense.images_per_s} images/s; dense ${r[0].accuracy}; ` +
        r.slice(1).map((x) => `${x.strategy} ${x.sparsity}: ${x.accuracy} (${x.median_ms_dense}/${x.median_ms_sparse} ms)`)
          .join('; ') + `; longest slice ${s.job.max_step_ms.toFixed(0)} ms`);
      await app.waitFrames(3);
      await app.screenshot('sparse-train');
    },
  },

  {
    // The issue's contract: ?run=anomaly-demo streams the simulator through the pipeline (6 h of events per
    // second: the first injected anomaly, day 4 03:10, arrives after ~13 s) and status().anomaly counts it.
    name: 'anomaly-demo',
    async fn(app) {
      await app.open('?run=anomaly-demo&speed=21600');
      await app.waitReady();
      let worstFrame = 0;
      const s = await app.waitFor((st) => {
        worstFrame = Math.max(worstFrame, st.frame_ms_max || 0);
        return st.anomaly && st.anomaly.windows > 0 && st.anomaly.anomalies > 0 && st.anomaly.groups > 0;
      }, 'status().anomaly.windows > 0 and anomalies > 0', 60000);
      assert(s.panel === 'Anomalies', `status().panel = ${JSON.stringify(s.panel)}, expected "Anomalies"`);
      for (const k of ['windows', 'anomalies', 'groups', 'alerts', 'events']) {
        assert(Number.isInteger(s.anomaly[k]), `status().anomaly.${k} = ${JSON.stringify(s.anomaly[k])}`);
      }
      // The stream goes on while frames draw: counts keep growing.
      const later = await app.waitFor((st) => st.anomaly.windows > s.anomaly.windows, 'more windows', 10000);
      assert(later.frame > s.frame, 'frames did not advance while streaming');
      await app.item('anomaly.group0.no');  // the feedback button, scrolled into view if the panel is long
      app.log(`# anomaly-demo: ${JSON.stringify(later.anomaly)}; longest frame ${worstFrame.toFixed(0)} ms`);
      // Let the rest of the injected anomalies arrive for the screenshot (the week ends at ~28 s).
      await app.waitFor((st) => st.anomaly.state === 'done', 'the simulated week to end', 40000);
      await app.waitFrames(3);
      await app.screenshot('anomaly-panel');
    },
  },
  {
    // Bad input through the page: a ~20 MB JSON Lines import (more than one 8 MB import slice) with
    // broken lines is copied in, parsed in slices and scored; the broken lines are counted and named.
    name: 'anomaly-import',
    appErrors: false,  // the bad-line report is an app error on purpose; checked below
    async fn(app) {
      const file = path.join(os.tmpdir(), `fk-e2e-cams-${process.pid}.jsonl`);
      const lines = [];
      const t0 = Date.parse('2021-06-01T00:00:00Z') / 1000;
      let seed = 7;
      const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
      for (let t = t0; t < t0 + 14 * 86400; t += 1) {
        const hour = ((t - t0) % 86400) / 3600;
        if (rand() < 0.35 + 0.3 * Math.sin((hour - 6) / 24 * 2 * Math.PI)) {
          const ts = new Date(t * 1000).toISOString().slice(0, 19);
          lines.push(`{"car":${Math.floor(rand() * 1e6)},"camera_id":"cam${1 + (t % 3)}","ts":"${ts}"}`);
        }
      }
      const good = lines.length;
      lines.splice(1000, 0, '{"car": oops}');
      lines.splice(50000, 0, '{"car": 1, "ts": "not a time"}');
      lines.splice(90000, 0, 'plain text');
      writeFileSync(file, lines.join('\n') + '\n');
      try {
        await app.open('');
        await app.waitReady();
        await app.click('nav.Anomalies');
        await app.waitFor((st) => st.panel === 'Anomalies', 'status().panel === "Anomalies"', 10000);
        await app.waitFrames(300, 90000);  // a hang guard, not a speed limit; past the page-load frames in status().frame_ms_max (last 240 frames)
        const before = (await app.status()).frame_ms_max;
        await app.page.setInputFiles('#file-input', file);
        let worstFrame = 0;
        const s = await app.waitFor((st) => {
          worstFrame = Math.max(worstFrame, st.frame_ms_max || 0);
          return st.anomaly && st.anomaly.state === 'done' && st.anomaly.events > 0;
        }, 'status().anomaly.state === "done" after importing the file', 90000);
        assert(s.anomaly.events === good, `status().anomaly.events = ${s.anomaly.events}, expected ${good}`);
        assert(s.anomaly.bad_lines === 3, `status().anomaly.bad_lines = ${s.anomaly.bad_lines}, expected 3`);
        const msg = (s.errors || []).join('\n');
        assert(msg.includes(':1001: ') && msg.includes('3 bad'),
          `status().errors should name the first bad line (…:1001: …) and count 3 bad: ${msg.slice(0, 300)}`);
        app.log(`# anomaly-import: ${(statSync(file).size / 1e6).toFixed(1)} MB, ${JSON.stringify(s.anomaly)}; longest frame ${worstFrame.toFixed(0)} ms (${before.toFixed(0)} ms before the import)`);
        await app.waitFrames(3);
        await app.screenshot('anomaly-import');
      } finally {
        rmSync(file, { force: true });
      }
    },
  },
  {
    // The issue's contract: ?run=forecast-demo loads the bundled demo data (preloaded at /data/forecast),
    // prepares it per product and day and runs the backtest as a sliced job; status().forecast then holds
    // the accuracy table (wQL per quantile and average, WAPE, RMSE, MAPE, MASE per model).
    name: 'forecast-demo',
    async fn(app) {
      await app.open('?run=forecast-demo');
      await app.waitReady();
      let worstFrame = 0;
      const s = await app.waitFor((st) => {
        worstFrame = Math.max(worstFrame, st.frame_ms_max || 0);
        return st.forecast && st.forecast.state === 'done';
      }, 'status().forecast.state === "done"', 40000);
      const f = s.forecast;
      assert(s.panel === 'Forecasts', `status().panel = ${JSON.stringify(s.panel)}, expected "Forecasts"`);
      assert(Array.isArray(f.accuracy) && f.accuracy.length >= 4, `status().forecast.accuracy = ${JSON.stringify(f.accuracy)}`);
      for (const m of f.accuracy) {
        for (const k of ['avg_wql', 'wape', 'rmse', 'mape', 'mase']) {
          assert(typeof m[k] === 'number' && m[k] >= 0, `accuracy ${m.model}.${k} = ${JSON.stringify(m[k])}`);
        }
        for (const q of ['p10', 'p50', 'p90']) assert(typeof m.wql[q] === 'number', `accuracy ${m.model}.wql.${q} missing`);
      }
      const byModel = Object.fromEntries(f.accuracy.map((m) => [m.model, m]));
      assert(byModel.ets.avg_wql < byModel.snaive.avg_wql, `ets avg wQL ${byModel.ets.avg_wql} should beat seasonal naive ${byModel.snaive.avg_wql}`);
      assert(f.series === 4 && f.end_of_life === 1, `series ${f.series}, end_of_life ${f.end_of_life}`);
      app.log(`# forecast-demo: ${f.series} series, ${f.windows} windows x ${f.horizon} days in ${f.seconds.toFixed(2)} s in the page; avg wQL ${f.accuracy.map((m) => `${m.model} ${m.avg_wql.toFixed(4)}`).join(', ')}; best ${f.best}; ${f.related}; longest frame ${worstFrame.toFixed(0)} ms, longest job slice ${s.job.max_step_ms.toFixed(0)} ms (${s.job.max_step_detail})`);
      await app.waitFrames(3);
      await app.item('forecast.export');
      await app.screenshot('forecast-panel');
    },
  },
  {
    // Issue #21's contract: ?run=checkout-demo opens Edge Checkout, trains the detector on seed 1's simulated
    // product photos and streams seed 101's simulated shelf (2 shoppers, 298 frames of 320x240) through
    // checkout::Checkout in job slices; status().checkout then holds the figures `fieldkit-cli checkout run
    // --seeds 101 --sessions 2 --photos 1 --json` prints (cart accuracy, event precision / recall, ms per
    // frame, the carts) and the page's throughput (fps: frames per second of wall time, drawing included).
    name: 'checkout-demo',
    timeoutMs: 180000,
    async fn(app) {
      await app.open('?run=checkout-demo');
      await app.waitReady();
      let worstFrame = 0;
      let sawFrame = false;
      const s = await app.waitFor((st) => {
        worstFrame = Math.max(worstFrame, st.frame_ms_max || 0);
        sawFrame = sawFrame || (st.checkout && st.checkout.state === 'running' && st.checkout.frames > 0);
        return st.checkout && st.checkout.state !== 'running';
      }, 'status().checkout.state to leave "running"', 150000);  // hang guard: ~10-30 s expected
      const c = s.checkout;
      assert(s.panel === 'Edge Checkout', `status().panel = ${JSON.stringify(s.panel)}, expected "Edge Checkout"`);
      assert(c.state === 'done', `status().checkout.state = ${JSON.stringify(c.state)} (errors: ${JSON.stringify(s.errors)})`);
      const keys = ['carts', 'event_precision', 'event_recall', 'cart_accuracy', 'ms_per_frame', 'state', 'frames',
        'fps', 'width', 'height', 'hand_source', 'hand_frames', 'hand_found'];
      assert(keys.every((k) => k in c) && Object.keys(c).length === keys.length,
        `status().checkout keys ${JSON.stringify(Object.keys(c))}, expected exactly ${JSON.stringify(keys)}`);
      assert(c.hand_source === 'cue' && c.hand_frames === 0, `no hand model chosen: hand_source ${JSON.stringify(c.hand_source)}, hand_frames ${c.hand_frames}`);
      for (const k of ['cart_accuracy', 'event_precision', 'event_recall']) {
        assert(typeof c[k] === 'number' && c[k] >= 0 && c[k] <= 1, `status().checkout.${k} = ${JSON.stringify(c[k])}`);
      }
      assert(typeof c.ms_per_frame === 'number' && c.ms_per_frame > 0, `ms_per_frame = ${JSON.stringify(c.ms_per_frame)}`);
      assert(c.width === 320 && c.height === 240, `frames are ${c.width}x${c.height}, expected 320x240`);
      assert(Number.isInteger(c.frames) && c.frames > 100, `status().checkout.frames = ${JSON.stringify(c.frames)}`);
      assert(Array.isArray(c.carts) && c.carts.length >= 1, `status().checkout.carts = ${JSON.stringify(c.carts)}`);
      for (const cart of c.carts) {
        assert(Array.isArray(cart.items) && typeof cart.receipt === 'string' && typeof cart.total === 'number',
          `a cart: ${JSON.stringify(cart).slice(0, 200)}`);
      }
      // The page target: >= 15 frames/s at 320x240 on the page's one thread (training not counted).
      assert(typeof c.fps === 'number' && c.fps >= 15, `status().checkout.fps = ${JSON.stringify(c.fps)}, expected >= 15`);
      app.log(`# checkout-demo: ${c.frames} frames ${c.width}x${c.height}, ${c.fps} frames/s in the page (drawing ` +
        `included), ${c.ms_per_frame.toFixed(2)} ms per frame in the pipeline; cart accuracy ${c.cart_accuracy}, ` +
        `event precision ${c.event_precision.toFixed(3)}, recall ${c.event_recall.toFixed(3)}; live frame seen ` +
        `${sawFrame}; longest frame ${worstFrame.toFixed(0)} ms, longest job slice ` +
        `${s.job.max_step_ever.ms.toFixed(0)} ms (${s.job.max_step_ever.what})`);
      await app.waitFrames(3);
      await app.item('checkout.frame');
      await app.screenshot('checkout-panel');
    },
  },
  {
    // Edge Checkout on the camera (the harness's fake camera, as in sparse-camera): getUserMedia frames feed the
    // same pipeline, scaled to 320 px wide; no ground truth, so the figures that need it are null. "End session"
    // closes the stream: the run ends with its carts.
    name: 'checkout-camera',
    timeoutMs: 180000,
    async fn(app) {
      await app.open('?run=checkout-demo&camera=1');
      await app.waitReady();
      const s = await app.waitFor((st) => st.checkout && (st.checkout.frames >= 10 || st.checkout.state !== 'running'),
        'status().checkout.frames >= 10 from the camera', 150000);
      const c = s.checkout;
      assert(c.state === 'running', `status().checkout.state = ${JSON.stringify(c.state)} (errors: ${JSON.stringify(s.errors)})`);
      assert(c.width === 320 && c.height === Math.round(CAMERA.height * 320 / CAMERA.width),
        `camera frames reach the pipeline as ${c.width}x${c.height}`);
      await app.click('checkout.end_camera');
      const done = await app.waitFor((st) => st.checkout && st.checkout.state !== 'running', 'the run to end', 30000);
      const d = done.checkout;
      assert(d.state === 'done', `status().checkout.state = ${JSON.stringify(d.state)}`);
      for (const k of ['cart_accuracy', 'event_precision', 'event_recall']) {
        assert(d[k] === null, `without ground truth status().checkout.${k} should be null, is ${JSON.stringify(d[k])}`);
      }
      assert(typeof d.ms_per_frame === 'number' && Array.isArray(d.carts), `status().checkout = ${JSON.stringify(d).slice(0, 300)}`);
      app.log(`# checkout-camera: ${d.frames} camera frames, ${d.fps} frames/s, ${d.ms_per_frame.toFixed(2)} ms per frame`);
      await app.waitFrames(3);
      await app.screenshot('checkout-camera');
    },
  },
  {
    // The issue's contract: ?run=recommend-demo trains on the bundled data (preloaded at /data/recommend) in
    // slices; status().recommend then holds the metrics table and the top 5 for one user with and without a
    // context.
    name: 'recommend-demo',
    async fn(app) {
      await app.open('?run=recommend-demo&user=170&context=cold');
      await app.waitReady();
      let worstFrame = 0;
      const s = await app.waitFor((st) => {
        worstFrame = Math.max(worstFrame, st.frame_ms_max || 0);
        return st.recommend && st.recommend.state === 'trained';
      }, 'status().recommend.state === "trained"', 40000);
      const r = s.recommend;
      assert(s.panel === 'Recommendations', `status().panel = ${JSON.stringify(s.panel)}, expected "Recommendations"`);
      for (const m of ['popularity', 'popularity_in_context', 'item_knn', 'fm_no_context', 'fm_context']) {
        const row = r.metrics && r.metrics[m];
        assert(row, `status().recommend.metrics.${m} is missing`);
        for (const k of ['coverage', 'mean_reciprocal_rank_at_25', 'normalized_discounted_cumulative_gain_at_5',
          'normalized_discounted_cumulative_gain_at_10', 'normalized_discounted_cumulative_gain_at_25',
          'precision_at_5', 'precision_at_10', 'precision_at_25']) {
          assert(typeof row[k] === 'number' && row[k] >= 0 && row[k] <= 1, `metrics.${m}.${k} = ${JSON.stringify(row[k])}`);
        }
      }
      const ndcg = (m) => r.metrics[m].normalized_discounted_cumulative_gain_at_10;
      assert(ndcg('fm_context') > ndcg('fm_no_context') && ndcg('fm_context') > ndcg('popularity'),
        `NDCG@10: fm_context ${ndcg('fm_context')} should beat fm_no_context ${ndcg('fm_no_context')} and popularity ${ndcg('popularity')}`);
      assert(r.top.user === '170' && r.top.context === 'cold', `status().recommend.top = ${JSON.stringify(r.top)}`);
      assert(r.top.without_context.length === 5 && r.top.with_context.length === 5,
        `top-5 lists: ${JSON.stringify(r.top)}`);
      await app.waitFrames(3);  // the trained panel draws its pickers from the next frame on
      await app.item('recommend.context');
      app.log(`# recommend-demo: trained in ${r.train_seconds.toFixed(2)} s in the page; NDCG@10 fm_context ${ndcg('fm_context').toFixed(4)}, fm_no_context ${ndcg('fm_no_context').toFixed(4)}, popularity ${ndcg('popularity').toFixed(4)}; top ${JSON.stringify(r.top.without_context)} -> cold ${JSON.stringify(r.top.with_context)}; longest frame ${worstFrame.toFixed(0)} ms, longest job slice ${s.job.max_step_ms.toFixed(0)} ms (${s.job.max_step_detail})`);
      await app.waitFrames(3);
      await app.screenshot('recommend-panel');
    },
  },
  {
    // The issue's contract: ?run=labels-demo trains v1 on the bundled v1 images (preloaded at /data/logos),
    // pre-labels v2 in slices and scores v1 on the test split; status().labels holds counts and v1 F1.
    name: 'labels-demo',
    timeoutMs: 300000,  // hang guards: it takes ~26 s alone, and runs beside another case
    async fn(app) {
      await app.open('?run=labels-demo');
      await app.waitReady();
      let worstFrame = 0;
      const s = await app.waitFor((st) => {
        worstFrame = Math.max(worstFrame, st.frame_ms_max || 0);
        return st.labels && st.labels.state === 'ready';
      }, 'status().labels.state === "ready"', 240000);  // v1 trains with 3-fold calibration; the pump gets ~12 ms of each ~85 ms headless frame
      const l = s.labels;
      assert(s.panel === 'Label Review', `status().panel = ${JSON.stringify(s.panel)}, expected "Label Review"`);
      assert(l.images.v1 === 8 && l.images.v2 === 30 && l.images.test === 100, `status().labels.images = ${JSON.stringify(l.images)}`);
      assert(l.prelabeled === 30, `status().labels.prelabeled = ${l.prelabeled}, expected 30`);
      assert(l.proposals > 10, `status().labels.proposals = ${l.proposals}`);
      assert(l.v1 && l.v1.f1 > 0.5 && l.v1.f1 <= 1, `status().labels.v1 = ${JSON.stringify(l.v1)}`);
      await app.waitFrames(3);
      const s2 = await app.status();
      assert(s2.labels.texture === true, 'the image was not uploaded as a texture (status().labels.texture false)');
      await app.item('labels.canvas');
      app.log(`# labels-demo: v1 trained in ${(l.train_ms_v1 / 1000).toFixed(2)} s in the page, 30 v2 images pre-labelled in ${(l.prelabel_ms_v2 / 1000).toFixed(2)} s, test scored in ${(l.eval_ms_v1 / 1000).toFixed(2)} s; ${l.proposals} proposals; v1 test F1 ${l.v1.f1.toFixed(3)} (P ${l.v1.precision.toFixed(3)} R ${l.v1.recall.toFixed(3)}); longest frame ${worstFrame.toFixed(0)} ms, longest job slice ${s.job.max_step_ms.toFixed(0)} ms (${s.job.max_step_detail})`);
      await app.screenshot('labels-panel');

      // As a user: let the simulated reviewer fix the queue, then Export... > Ground Truth manifest; the
      // browser must receive v2_reviewed.manifest with one JSON line per reviewed image in the service's format.
      await app.click('labels.simulate');
      await app.waitFor((st) => st.labels && st.labels.reviewed === 30, 'status().labels.reviewed === 30', 30000);
      await app.click('labels.export');
      await app.item('labels.export.manifest');
      const [download] = await Promise.all([
        app.page.waitForEvent('download', { timeout: 15000 }),
        app.click('labels.export.manifest'),
      ]);
      assert(download.suggestedFilename() === 'v2_reviewed.manifest', `download named ${download.suggestedFilename()}`);
      const text = await new Promise((resolve, reject) => {
        download.createReadStream().then((rs) => {
          const parts = [];
          rs.on('data', (c) => parts.push(c));
          rs.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
          rs.on('error', reject);
        }, reject);
      });
      const lines = text.split('\n').filter((x) => x.trim());
      assert(lines.length === 30, `the exported manifest has ${lines.length} lines, expected 30`);
      let boxes = 0;
      for (const [k, line] of lines.entries()) {
        const j = JSON.parse(line);
        const attr = Object.keys(j).find((x) => x !== 'source-ref' && !x.endsWith('-metadata'));
        const meta = j[`${attr}-metadata`];
        assert(typeof j['source-ref'] === 'string' && attr && meta, `line ${k + 1}: ${line.slice(0, 200)}`);
        assert(meta.type === 'groundtruth/object-detection' && meta['human-annotated'] === 'yes' && meta['class-map'],
          `line ${k + 1} metadata: ${JSON.stringify(meta).slice(0, 200)}`);
        assert(Array.isArray(j[attr].annotations) && j[attr].image_size, `line ${k + 1} has no annotations/image_size`);
        boxes += j[attr].annotations.length;
      }
      assert(boxes > 30, `the exported manifest holds only ${boxes} boxes`);
      app.log(`# labels-demo: exported v2_reviewed.manifest through the browser download: ${lines.length} images, ${boxes} boxes`);
      await app.screenshot('labels-exported');
    },
  },
  {
    // Issue #19: a user's own Ground Truth manifest + pictures (built here from the bundled data/logos set, with
    // S3 source-refs, as Ground Truth writes them) dropped on the page: used as the v1 training set (every 5th image
    // held out as the test split), a batch dropped next is pre-labelled by v1, reviewed, exported; the exported
    // label-verification manifest dropped back marks its "needs-fix" images; v2 trains, pre-labels the next batch,
    // v3 trains. The figures (F1 per round, per label) are read through status().labels.
    name: 'labels-own-data',
    timeoutMs: 420000,
    async fn(app) {
      const src = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'data', 'logos');
      const dir = mkdtempSync(path.join(os.tmpdir(), 'fk-labels-own-'));
      const lines = (split) => readFileSync(path.join(src, `${split}.manifest`), 'utf8').split('\n').filter((x) => x.trim());
      const all = [...lines('v1').map((l) => ['v1', l]), ...lines('v2').map((l) => ['v2', l])];
      // One "user file set": the manifest (S3 refs) and its pictures, flat, as a user picks them.
      const userSet = (name, rows) => {
        const files = [];
        const out = rows.map(([split, line]) => {
          const j = JSON.parse(line);
          const file = `${split}_${path.basename(j['source-ref'])}`;
          copyFileSync(path.join(src, j['source-ref']), path.join(dir, file));
          files.push(path.join(dir, file));
          j['source-ref'] = `s3://my-bucket/photos/${file}`;
          return JSON.stringify(j);
        });
        writeFileSync(path.join(dir, name), out.join('\n') + '\n');
        return [path.join(dir, name), ...files];
      };
      const download = async (item, expectName) => {
        await app.click('labels.export');
        await app.item(item);
        const [dl] = await Promise.all([app.page.waitForEvent('download', { timeout: 15000 }), app.click(item)]);
        assert(dl.suggestedFilename() === expectName, `download named ${dl.suggestedFilename()}, expected ${expectName}`);
        const file = path.join(dir, expectName);
        await dl.saveAs(file);
        return file;
      };
      // The manifest and its pictures in one pick, as a user selects them (imported in that order).
      const pick = async (files) => {
        await app.page.setInputFiles('#file-input', files);
        await app.waitFrames(2);
      };
      const mine = userSet('mine.manifest', all.slice(0, 10));         // 10 labelled: 8 train, 2 test
      const batchA = userSet('batch_a.manifest', all.slice(10, 15));   // the next 5 to review
      const batchB = userSet('batch_b.manifest', all.slice(15, 20));   // then 5 more
      try {
        await app.open('');
        await app.waitReady();
        await app.click('nav.Label Review');
        await pick(mine);
        let s = await app.waitFor((st) => st.labels && st.labels.pending_manifest, 'the dropped manifest waits for the choice', 30000);
        assert(s.labels.pending_images === 10 && s.labels.pending_labeled === 10, `pending ${JSON.stringify(s.labels)}`);
        assert(s.labels.queue === 0, `the manifest's pictures joined the queue on their own: ${s.labels.queue}`);
        await app.screenshot('labels-own-choice');
        await app.click('labels.use_v1');
        s = await app.waitFor((st) => st.labels && st.labels.state === 'ready', 'v1 trained on the user manifest', 240000);
        let l = s.labels;
        assert(l.own_v1.endsWith('mine.manifest') && l.test_split === true, `own_v1 ${l.own_v1}, test_split ${l.test_split}`);
        assert(l.images.v1 === 8 && l.images.test === 2 && l.problems === 0, `images ${JSON.stringify(l.images)}, problems ${l.problems}`);
        assert(l.rounds.length === 1 && l.rounds[0].version === 1 && l.rounds[0].trained_on === 8, `rounds ${JSON.stringify(l.rounds)}`);
        assert(l.v1.per_label.length === 2 && l.v1.per_label[0].label === 'smile', `per_label ${JSON.stringify(l.v1.per_label)}`);

        // Batch A: pre-labelled by v1, reviewed (the simulated reviewer), exported.
        await pick(batchA);
        await app.waitFor((st) => st.labels && st.labels.pending_manifest.endsWith('batch_a.manifest'), 'batch A waits', 30000);
        await app.click('labels.use_batch');
        s = await app.waitFor((st) => st.labels && st.labels.state === 'ready' && st.labels.queue === 5, 'batch A pre-labelled', 90000);
        assert(s.labels.proposals > 0 && s.labels.last_batch_by === 1, `proposals ${s.labels.proposals}, by v${s.labels.last_batch_by}`);
        await app.click('labels.simulate');
        await app.waitFor((st) => st.labels.reviewed === 5, 'batch A reviewed', 30000);
        const reviewed = readFileSync(await download('labels.export.manifest', 'v2_reviewed.manifest'), 'utf8').split('\n').filter((x) => x.trim());
        assert(reviewed.length === 5 && reviewed.every((x) => JSON.parse(x)['source-ref'].startsWith('s3://my-bucket/')),
          `exported manifest: ${reviewed.length} lines: ${reviewed[0]}`);
        const verFile = await download('labels.export.verification', 'v2_verification.manifest');
        const verdicts = readFileSync(verFile, 'utf8').split('\n').filter((x) => x.trim()).map((x) => JSON.parse(x));
        const fixes = verdicts.filter((v) => v['verify-bounding-box'] === 1).length;
        // The verification comes back from the reviewers: its needs-fix images return to the queue, first.
        await pick([verFile]);
        s = await app.waitFor((st) => st.labels.reviewed === 5 - fixes, `the verification back: ${fixes} needs-fix`, 30000);
        assert(s.labels.needs_fix === fixes, `needs_fix ${s.labels.needs_fix}, expected ${fixes}`);
        await app.screenshot('labels-own-verification');
        await app.click('labels.simulate');
        await app.waitFor((st) => st.labels.reviewed === 5, 'the needs-fix images fixed', 30000);

        // v2 on v1 + the reviewed batch; it pre-labels batch B; v3 on everything reviewed.
        await app.click('labels.train_v2');
        s = await app.waitFor((st) => st.labels.state === 'ready' && st.labels.rounds.length === 2, 'v2 trained', 240000);
        assert(s.labels.version === 2 && s.labels.rounds[1].trained_on === 13, `rounds ${JSON.stringify(s.labels.rounds)}`);
        await pick(batchB);
        await app.waitFor((st) => st.labels.pending_manifest.endsWith('batch_b.manifest'), 'batch B waits', 30000);
        await app.click('labels.use_batch');
        s = await app.waitFor((st) => st.labels.state === 'ready' && st.labels.queue === 10, 'batch B pre-labelled by v2', 90000);
        assert(s.labels.last_batch_by === 2, `batch B was pre-labelled by v${s.labels.last_batch_by}, expected v2`);
        await app.click('labels.simulate');
        await app.waitFor((st) => st.labels.reviewed === 10, 'batch B reviewed', 30000);
        await app.click('labels.train_v2');
        s = await app.waitFor((st) => st.labels.state === 'ready' && st.labels.rounds.length === 3, 'v3 trained', 300000);
        l = s.labels;
        assert(l.version === 3 && l.rounds[2].trained_on === 18 && l.rounds[2].reviewed === 10, `rounds ${JSON.stringify(l.rounds)}`);
        for (const r of l.rounds) {
          assert(r.f1 >= 0 && r.f1 <= 1 && r.per_label.length === 2, `round ${JSON.stringify(r)}`);
        }
        await app.waitFrames(3);
        await app.item('labels.chart');
        await app.item('labels.per_label');
        const f = (r) => `v${r.version} F1 ${r.f1.toFixed(3)} (${r.per_label.map((p) => `${p.label} ${p.f1.toFixed(3)}`).join(', ')}; ${r.trained_on} images)`;
        app.log(`# labels-own-data: ${l.rounds.map(f).join(' -> ')}; test = ${l.images.test} held-out images of the user manifest; verification back: ${fixes} needs-fix of 5`);
        await app.screenshot('labels-own-rounds');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
  {
    // The issue's contract: ?run=features-demo creates the group 'customers' from the bundled
    // /data/features/customers.csv, ingests it in slices (one worker in the page; its 3 bad rows rejected with
    // reasons), writes the offline partitions and the point-in-time set for orders.csv. The store lives in
    // IndexedDB (/user/features): after the flush, a page load without ?run= finds the group and its records.
    name: 'features-demo',
    async fn(app) {
      await app.open('?run=features-demo');
      await app.waitReady();
      let worstFrame = 0;
      const s = await app.waitFor((st) => {
        worstFrame = Math.max(worstFrame, st.frame_ms_max || 0);
        return st.features && (st.features.state === 'done' || st.features.state === 'failed');
      }, 'status().features.state === "done"', 30000);
      const f = s.features;
      assert(f.state === 'done', `status().features.state = ${f.state}; errors ${JSON.stringify(s.errors)}`);
      assert(s.panel === 'Feature Store', `status().panel = ${JSON.stringify(s.panel)}, expected "Feature Store"`);
      assert(f.ingested === 4000 && f.failed === 3 && f.total === 4003,
        `status().features ingested/failed/total = ${f.ingested}/${f.failed}/${f.total}, expected 4000/3/4003`);
      assert(f.summary === 'ingested 4000 of 4003 rows (3 rejected)', `status().features.summary = ${f.summary}`);
      assert(f.workers.length === 1 && f.workers[0].done === 4003, `one worker in the page: ${JSON.stringify(f.workers)}`);
      const reasons = f.rejects.map((r) => `${r.line}: ${r.reason}`).join('; ');
      assert(f.rejects.length === 3 && reasons.includes('columns') && reasons.includes('missing record id') &&
        reasons.includes('ISO-8601'), `status().features.rejects: ${reasons}`);
      assert(f.pit.state === 'done' && f.pit.rows === 1500, `status().features.pit = ${JSON.stringify(f.pit)}`);
      const g = f.groups.find((x) => x.name === 'customers');
      assert(g && g.records === 400, `status().features.groups = ${JSON.stringify(f.groups)}`);
      app.log(`# features-demo: ${f.summary}; rejected ${reasons}; training set ${f.pit.rows} rows; longest frame ${worstFrame.toFixed(0)} ms, longest job slice ${s.job.max_step_ms.toFixed(0)} ms (${s.job.max_step_detail})`);
      await app.waitFrames(3);
      await app.screenshot('features-panel');
      // "done" is shown only once the store is in IndexedDB: load the page afresh at once.
      assert(f.interrupted.length === 0, `status().features.interrupted = ${JSON.stringify(f.interrupted)}`);
      await app.open('');
      await app.waitReady();
      const r = await app.waitFor((st) => st.features && st.features.groups.length > 0,
        'status().features.groups after the reload', 15000);
      const g2 = r.features.groups.find((x) => x.name === 'customers');
      assert(g2 && g2.records === 400, `after reload status().features.groups = ${JSON.stringify(r.features.groups)}`);
      assert(r.features.state === 'idle', `after reload nothing was re-ingested: state ${r.features.state}`);
      assert(r.features.interrupted.length === 0, `after reload an ingest is reported interrupted: ${JSON.stringify(r.features.interrupted)}`);
      app.log(`# features-demo: after a reload the group 'customers' holds ${g2.records} records (created ${g2.created})`);
    },
  },
  {
    // Issue 20: the offline store the page itself wrote, read by an outside reader. After ?run=features-demo
    // the part files are taken out of the page's file system (Module.FS, the /user tree IndexedDB persists) with
    // their year=/month=/day=/hour= folders, and DuckDB (@duckdb/node-api from tests/e2e/node_modules, as
    // tests/features/duckdb_check.mjs uses it) reads them with hive_partitioning: its row count must be the rows
    // status() says were ingested, its distinct record ids the group's online records, and its column types
    // the group's feature types as status().features.groups lists them.
    name: 'features-parquet-duckdb',
    timeoutMs: 120000,
    async fn(app) {
      let duck;
      try {
        duck = await import('@duckdb/node-api');
      } catch (e) {
        throw new CaseFailure(`@duckdb/node-api is not in tests/e2e/node_modules (make deps-test): ${e.message.split('\n')[0]}`);
      }
      await app.open('?run=features-demo');
      await app.waitReady();
      const s = await app.waitFor((st) => st.features && ['done', 'failed'].includes(st.features.state),
        'status().features.state done', 30000);
      const f = s.features;
      assert(f.state === 'done' && f.ingested > 0, `features-demo: ${f.summary}; errors ${JSON.stringify(s.errors)}`);
      const g = f.groups.find((x) => x.name === 'customers');
      assert(g && g.offline_format === 'parquet' && Array.isArray(g.features) && g.features.length > 0,
        `status().features.groups: ${JSON.stringify(f.groups)}`);
      const root = `${f.store}/offline/customers`;
      const files = await app.page.evaluate((dir) => {
        const FS = window.Module.FS;
        const out = [];
        const walk = (d) => {
          for (const n of FS.readdir(d)) {
            if (n === '.' || n === '..') continue;
            const p = `${d}/${n}`;
            if (FS.isDir(FS.stat(p).mode)) walk(p);
            else out.push({ rel: p.slice(dir.length + 1), bytes: Array.from(FS.readFile(p)) });
          }
        };
        walk(dir);
        return out;
      }, root);
      const parts = files.filter((x) => x.rel.endsWith('.parquet'));
      const others = files.filter((x) => !x.rel.endsWith('.parquet')).map((x) => x.rel);
      assert(parts.length > 0, `no .parquet files under ${root} in the page: ${others.join(', ')}`);
      assert(others.length === 1 && others[0] === '_schema.json', `files other than parts and _schema.json: ${others.join(', ')}`);
      assert(parts.every((x) => /^year=\d{4}\/month=\d{2}\/day=\d{2}\/hour=\d{2}\/part-[^/]+\.parquet$/.test(x.rel)),
        `part paths not Hive-style: ${parts.slice(0, 3).map((x) => x.rel).join(', ')}`);
      const dir = mkdtempSync(path.join(os.tmpdir(), 'fk-e2e-parquet-'));
      try {
        for (const x of files) {
          mkdirSync(path.dirname(path.join(dir, x.rel)), { recursive: true });
          writeFileSync(path.join(dir, x.rel), Buffer.from(x.bytes));
        }
        const db = await duck.DuckDBInstance.create(':memory:');
        const con = await db.connect();
        const query = async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJS()
          .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
        const src = `read_parquet('${dir}/**/*.parquet', hive_partitioning=true)`;
        const [{ n, ids }] = await query(`select count(*) as n, count(distinct "${g.record_id}") as ids from ${src}`);
        assert(n === f.ingested, `DuckDB reads ${n} rows from the page's ${parts.length} parts, status() ingested ${f.ingested}`);
        assert(ids === g.records, `DuckDB finds ${ids} distinct ${g.record_id}s, status() has ${g.records} online records`);
        const types = Object.fromEntries((await query(`describe select * from ${src}`)).map((r) => [r.column_name, r.column_type]));
        for (const c of g.features) {
          const want = c.name === g.event_time && c.type === 'String' ? 'TIMESTAMP WITH TIME ZONE'
            : { Integral: 'BIGINT', Fractional: 'DOUBLE', String: 'VARCHAR' }[c.type];
          assert(types[c.name] === want, `column ${c.name} (${c.type} in status()) is ${types[c.name]} in DuckDB, expected ${want}`);
        }
        for (const [c, want] of [['write_time', 'TIMESTAMP WITH TIME ZONE'], ['api_invocation_time', 'TIMESTAMP WITH TIME ZONE'],
          ['is_deleted', 'BOOLEAN']]) assert(types[c] === want, `${c} is ${types[c]} in DuckDB, expected ${want}`);
        for (const k of ['year', 'month', 'day', 'hour']) assert(k in types, `no partition column ${k} in DuckDB`);
        const [{ bad }] = await query(`select count(*) as bad from ${src} where "${g.record_id}" is null or is_deleted`);
        assert(bad === 0, `${bad} rows with a null record id or deleted, after an ingest only`);
        app.log(`# features-parquet-duckdb: DuckDB read the page's ${parts.length} Parquet parts: ${n} rows (status() ingested ` +
          `${f.ingested}), ${ids} record ids (${g.records} online), ${g.features.length} feature columns of the schema's types + year/month/day/hour`);
        con.closeSync?.();
        db.closeSync?.();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
  {
    // The issue's loss: reloading ~1 s after the demo said "done" brought the group back with 0 records in
    // 5 of 15 reloads. Now "done" means stored: 12 times in a row, with a busy-looping Worker in the page
    // competing for the CPU, reload 1 s after "done" and count the records that came back. (12: a loss
    // that frequent passes 12 reloads once in 130 runs; each reload costs make test ~5 s.)
    name: 'features-reload-under-load',
    // Each run's time is the page's frame rate (the job pump gets 12 ms of each frame): with a CPU burner on
    // one of 2 cores and the busy Worker, 20 runs took 153 s at load average 3-5 (~10 frames/s: demo ~3.5 s, reload
    // ~2.4 s a run), 205-233 s at 6-10 (a frame every ~300 ms); the limit leaves room for a machine that busy.
    timeoutMs: 420000,
    async fn(app) {
      const RELOADS = 12, AFTER_DONE_MS = 1000;
      // The page comes back on the panel it showed last: the Feature Store, so no other panel's job (the
      // default panel measures model sizes) runs first. Each run starts in the page the last reload brought back.
      await app.open('');
      await app.waitReady();
      const t = await app.pageNow();
      await app.page.evaluate(() => window.fieldkit.openPanel('Feature Store'));
      await app.waitSaved(t, 'the panel setting');
      await app.reload();
      await app.waitFor((st) => st.ready && st.panel === 'Feature Store', 'the page back on the Feature Store', 60000);
      const lost = [], demoMs = [], reloadMs = [];
      for (let i = 0; i < RELOADS; i++) {
        await app.burnCpu(1);
        const t0 = Date.now();
        const started = await app.page.evaluate(() => window.fieldkit.run('features-demo'));
        assert(started, `run ${i + 1}: window.fieldkit.run('features-demo') returned false`);
        const s = await app.waitFor((st) => st.features && (st.features.state === 'done' || st.features.state === 'failed'),
          `run ${i + 1}: status().features.state === "done"`, 60000);
        assert(s.features.state === 'done', `run ${i + 1}: state ${s.features.state}; errors ${JSON.stringify(s.errors)}`);
        const g = s.features.groups.find((x) => x.name === 'customers');
        assert(g && g.records === 400, `run ${i + 1}: before the reload ${JSON.stringify(s.features.groups)}`);
        demoMs.push(Date.now() - t0);
        // The scenario, not a wait for a state: the user reloads a second after "done".
        await new Promise((r) => setTimeout(r, AFTER_DONE_MS));
        const t1 = Date.now();
        await app.reload();
        const r = await app.waitFor((st) => st.ready && st.features && st.features.store !== '',
          `run ${i + 1}: the Feature Store open after the reload`, 60000);
        reloadMs.push(Date.now() - t1);
        const g2 = r.features.groups.find((x) => x.name === 'customers');
        const records = g2 ? g2.records : 0;
        if (records !== 400 || r.features.interrupted.length) lost.push(`run ${i + 1}: ${records} records, interrupted ${JSON.stringify(r.features.interrupted)}`);
      }
      const secs = (a) => `${(Math.min(...a) / 1000).toFixed(1)}..${(Math.max(...a) / 1000).toFixed(1)} s`;
      app.log(`# features-reload-under-load: ${RELOADS} reloads ${AFTER_DONE_MS} ms after "done" with a busy Worker: ` +
        `${RELOADS - lost.length} kept all 400 records; demo to "done" ${secs(demoMs)}, reload to an open store ${secs(reloadMs)}` +
        ` (per run, s: ${demoMs.map((d, k) => `${(d / 1000).toFixed(1)}+${(reloadMs[k] / 1000).toFixed(1)}`).join(' ')})`);
      assert(lost.length === 0, `records lost after ${lost.length} of ${RELOADS} reloads: ${lost.join('; ')}`);
      await app.waitFrames(3);
    },
  },
  {
    // IndexedDB refuses the writes (as on a full quota): the save is retried with backoff, the failure is in
    // status().persist and status().errors and drawn on screen; once IndexedDB works again the retry stores
    // it, the error goes, and a reload finds the value. Then a closed database: the next flush reopens it.
    name: 'persist-failure',
    async fn(app) {
      await app.open('');
      await app.waitReady();
      await app.page.evaluate(() => {
        const put = IDBObjectStore.prototype.put;
        window.__fkFailSaves = true;
        IDBObjectStore.prototype.put = function (...args) {
          if (window.__fkFailSaves) throw new DOMException('simulated: the quota is full', 'QuotaExceededError');
          return put.apply(this, args);
        };
      });
      const value = `v-${Date.now().toString(36)}`;
      const t0 = await app.pageNow();
      await app.page.evaluate((v) => window.fieldkit.setSetting('e2e_fail', v), value);
      const s = await app.waitFor((st) => st.persist.failures >= 2 && st.errors.some((e) => /NOT saved/.test(e)),
        'status().persist.failures >= 2 and the error in status().errors', 30000);
      assert(/QuotaExceededError/.test(s.persist.last_error), `status().persist.last_error = ${JSON.stringify(s.persist.last_error)}`);
      assert(s.persist.pending || s.persist.in_flight,
        `status().persist = ${JSON.stringify(s.persist)}: neither pending nor in flight while the save is not stored`);
      const err = s.errors.find((e) => /NOT saved/.test(e));
      assert(/QuotaExceededError/.test(err) && /retrying/.test(err), `the error does not say why and that it retries: ${err}`);
      const shown = await app.waitFor((st) => st.items['app.error'] && st.items['status.not_saved'],
        'the error and NOT SAVED drawn on screen (status().items app.error, status.not_saved)', 10000);
      for (const id of ['app.error', 'status.not_saved']) {
        const [x, y, w, h] = shown.items[id];
        assert(w > 0 && h > 0 && x >= 0 && y >= 0 && x + w <= 1280 && y + h <= 800, `${id} is not on screen: ${shown.items[id]}`);
      }
      await app.screenshot('persist-failure-shown');
      app.log(`# persist-failure: after ${s.persist.failures} failed flushes: ${err}`);
      // IndexedDB works again: the next retry (backoff) stores the save.
      await app.page.evaluate(() => { window.__fkFailSaves = false; });
      const ok = await app.waitSaved(t0, 'the retried save');
      assert(ok.persist.last_error === '' && !ok.errors.some((e) => /NOT saved/.test(e)),
        `after the retry: persist ${JSON.stringify(ok.persist)}, errors ${JSON.stringify(ok.errors)}`);
      // status().items is what the last drawn frame showed: wait for a frame after the save.
      await app.waitFor((st) => !st.items['app.error'] || st.errors.length > 0,
        'the error to leave the screen after the retry stored the save', 15000);
      // A closed database (what the browser does when it reclaims storage): the flush fails once, reopens it.
      const t1 = await app.pageNow();
      const closed = await app.page.evaluate(() => {
        const db = window.Module && window.Module.fkFlush && window.Module.fkFlush.db;  // the flushes' connection
        if (!db) return false;
        db.close();
        return true;
      });
      assert(closed, 'Module.fkFlush.db (the connection the flushes use) is not there to close');
      await app.page.evaluate((v) => window.fieldkit.setSetting('e2e_closed', v), value);
      await app.waitSaved(t1, 'the save after the database was closed');
      await app.reload();
      const after = await app.waitReady();
      assert(after.settings.e2e_fail === value && after.settings.e2e_closed === value,
        `after reload status().settings = ${JSON.stringify(after.settings)}`);
    },
  },
  {
    // Your own data, Recommendations: a user's Personalize CSVs (interactions with DAILY_TEMPERATURE,
    // users, items; no weather) dropped one by one go to the panel by their headers, replace the demo
    // data, and Train trains every model on them.
    name: 'recommend-own-data',
    async fn(app) {
      let inter = 'USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,DAILY_TEMPERATURE\n';
      let users = 'USER_ID,PERSONA\n';
      const items = 'ITEM_ID,CATEGORY,SIZE,NAME\nI1,cold_drink,1l,Iced tea\nI2,cold_drink,500ml,Cola\n' +
        'I3,hot_drink,250ml,Coffee\nI4,hot_drink,250ml,Cocoa\nI5,snack,100g,Crisps\nI6,snack,50g,Nuts\n';
      let ts = 1585000000;
      for (let u = 0; u < 60; u++) {
        users += `U${u},${u % 2 ? 'warm_lover' : 'cold_lover'}\n`;
        for (let k = 0; k < 14; k++) {
          const hot = k % 2 === 0;
          const item = k === 13 ? `I${5 + (u % 2)}` : hot ? `I${1 + (k % 4 === 0 ? 0 : 1)}` : `I${3 + (k % 4 === 1 ? 0 : 1)}`;
          ts += 900;
          inter += `U${u},${item},${ts},purchase,${hot ? 'hot' : 6.5}\n`;
        }
      }
      const files = [tempFile('my_interactions.csv', inter), tempFile('my_users.csv', users), tempFile('my_items.csv', items)];
      try {
        await app.open('');
        await app.waitReady();
        await app.click('nav.Recommendations');
        await app.waitFor((st) => st.panel === 'Recommendations', 'status().panel === "Recommendations"', 10000);
        for (const f of files) {
          await app.page.setInputFiles('#file-input', f);
          await app.waitFrames(3);
        }
        const loaded = await app.waitFor((st) => st.recommend && st.recommend.source === 'own' &&
          st.recommend.data && st.recommend.state === 'loaded', 'status().recommend: your files loaded', 30000);
        const d = loaded.recommend.data;
        assert(d.items === 6 && d.users === 60 && d.interactions === 60 * 14,
          `status().recommend.data = ${JSON.stringify(d)}, expected 6 items, 60 users, 840 interactions`);
        await app.click('recommend.train');
        const s = await app.waitFor((st) => st.recommend && st.recommend.state === 'trained',
          'status().recommend.state === "trained" on your files', 60000);
        const r = s.recommend;
        assert(r.source === 'own', `trained on ${r.source}, expected own`);
        for (const m of ['popularity', 'fm_context']) {
          const row = r.metrics[m];
          assert(row && row.queries > 0 && row.hits_at_10 <= row.queries, `metrics.${m} = ${JSON.stringify(row)}`);
        }
        assert(r.top.user.startsWith('U') && r.top.with_context.length > 0, `status().recommend.top = ${JSON.stringify(r.top)}`);
        app.log(`# recommend-own-data: ${d.interactions} interactions of ${d.users} users over ${d.items} items trained in ${r.train_seconds.toFixed(2)} s; NDCG@10 fm_context ${r.metrics.fm_context.normalized_discounted_cumulative_gain_at_10.toFixed(4)} over ${r.metrics.fm_context.queries} queries (${r.metrics.fm_context.hits_at_10} with a hit); bands ${JSON.stringify(d.interactions_by_band)}`);
        await app.waitFrames(3);
        await app.screenshot('recommend-own-data');
      } finally {
        for (const f of files) rmSync(f, { force: true });
      }
    },
  },
  {
    // Your own data, Forecasts: the prepared data exported in Forecast's import format (target and
    // related, the same files as `forecast prepare --out --related-out`), with 3 quantiles + mean of
    // the user's choice scored by the backtest.
    name: 'forecast-export-prepared',
    async fn(app) {
      await app.open('?run=forecast-demo&types=0.05,0.5,0.95,mean');
      await app.waitReady();
      const s = await app.waitFor((st) => st.forecast && st.forecast.state === 'done', 'status().forecast.state === "done"', 40000);
      assert(s.forecast.forecast_types === '0.05,0.5,0.95,mean', `forecast_types = ${s.forecast.forecast_types}`);
      for (const m of s.forecast.accuracy) {
        assert(['p5', 'p50', 'p95'].every((q) => typeof m.wql[q] === 'number') && Object.keys(m.wql).length === 3,
          `accuracy ${m.model}.wql = ${JSON.stringify(m.wql)}, expected p5, p50, p95`);
      }
      await app.click('forecast.tab.data');
      await app.item('forecast.export_prepared');
      const got = await clickDownloads(app, 'forecast.export_prepared', 2);
      const byName = Object.fromEntries(got.map((d) => [d.name, d.text.trim().split('\n')]));
      const target = byName['prepared_target.csv'], related = byName['prepared_related.csv'];
      assert(target && related, `downloads: ${got.map((d) => d.name).join(', ')}`);
      assert(target[0] === 'timestamp,item_id,demand', `prepared_target.csv header: ${target[0]}`);
      assert(related[0] === 'timestamp,item_id,price,promo', `prepared_related.csv header: ${related[0]}`);
      const items = new Set(target.slice(1).map((l) => l.split(',')[1]));
      assert(items.size === s.forecast.series, `${items.size} items in the target file, status says ${s.forecast.series} series`);
      assert(target.length - 1 > 4 * 600 && related.length - 1 >= target.length - 1,
        `${target.length - 1} target rows, ${related.length - 1} related rows`);
      for (const l of target.slice(1, 50)) assert(/^\d{4}-\d\d-\d\d,[^,]+,-?[\d.]*$/.test(l), `target row: ${l}`);
      app.log(`# forecast-export-prepared: prepared_target.csv ${target.length - 1} rows of ${items.size} items, prepared_related.csv ${related.length - 1} rows; wQL ${s.forecast.accuracy.map((m) => `${m.model} p5 ${m.wql.p5.toFixed(4)} p95 ${m.wql.p95.toFixed(4)}`).join(', ')}`);
      await app.screenshot('forecast-export-prepared');
    },
  },
  {
    // Forecasts with a bad file: a CSV without dates dropped on the open panel is loaded and fails with
    // the reason in the panel (no CLI flag), status().forecast.state "failed"; the demo's related file
    // is never joined to it.
    name: 'forecast-bad-file',
    appErrors: false,  // the failed load is an app error on purpose; checked below
    async fn(app) {
      const file = tempFile('no_dates.csv', 'product,sales\nA,3\nB,4\n');
      try {
        await app.open('');
        await app.waitReady();
        await app.click('nav.Forecasts');
        await app.waitFor((st) => st.panel === 'Forecasts', 'status().panel === "Forecasts"', 10000);
        await app.page.setInputFiles('#file-input', file);
        const s = await app.waitFor((st) => st.forecast && st.forecast.state === 'failed',
          'status().forecast.state === "failed"', 20000);
        const e = s.forecast.error;
        assert(/no timestamp column/.test(e) && !/--/.test(e), `status().forecast.error = ${e}`);
        await app.waitFrames(3);
        await app.item('forecast.error');
        app.log(`# forecast-bad-file: ${e}`);
        await app.screenshot('forecast-bad-file');
      } finally {
        rmSync(file, { force: true });
      }
    },
  },
  {
    // Anomalies: the groups and the feedback exported as JSON Lines and CSV (browser downloads), then a
    // user's metrics CSV whose columns match no measure: its numeric columns are offered as measures and
    // text columns as dimensions, and it runs with that choice.
    name: 'anomaly-export',
    async fn(app) {
      await app.open('?run=anomaly-demo&speed=max');
      await app.waitReady();
      const s = await app.waitFor((st) => st.anomaly && st.anomaly.state === 'done' && st.anomaly.groups > 0,
        'status().anomaly.state === "done" with groups', 60000);
      await app.click('anomaly.group0.no');
      const [jl] = await clickDownloads(app, 'anomaly.export.groups_jsonl');
      const lines = jl.text.trim().split('\n').map((l) => JSON.parse(l));
      assert(jl.name === 'anomaly_groups.jsonl' && lines.length === s.anomaly.groups,
        `${jl.name}: ${lines.length} groups, status says ${s.anomaly.groups}`);
      assert(lines[0].dimension_contributions.length > 0 && lines[0].score >= lines[lines.length - 1].score,
        `first group: ${JSON.stringify(lines[0]).slice(0, 200)}`);
      const [fb] = await clickDownloads(app, 'anomaly.export.feedback_csv');
      const rows = fb.text.trim().split('\n');
      assert(rows[0].startsWith('group_id,timestamp,score,primary_measure,feedback,series,measure') && rows.length >= 2 &&
        rows.slice(1).every((r) => r.split(',')[4] === 'no'), `anomaly_feedback.csv: ${fb.text.slice(0, 300)}`);
      app.log(`# anomaly-export: ${lines.length} groups in anomaly_groups.jsonl, ${rows.length - 1} feedback row(s) in anomaly_feedback.csv`);
      // A user's metrics: ts, host, region, cpu, mem.
      let csv = 'ts,host,region,cpu,mem\n';
      for (let i = 0; i < 3 * 288; i++) {
        const t = new Date((1622505600 + i * 300) * 1000).toISOString().slice(0, 19);
        for (const h of ['web1', 'web2']) csv += `${t},${h},eu,${(i === 500 && h === 'web2' ? 97 : 20 + (i % 7)).toFixed(1)},${50 + (i % 3)}\n`;
      }
      const file = tempFile('metrics.csv', csv);
      try {
        await app.click('nav.Anomalies');
        await app.page.setInputFiles('#file-input', file);
        const offer = await app.waitFor((st) => st.anomaly && st.anomaly.state === 'choose_columns',
          'status().anomaly.state === "choose_columns"', 15000);
        const c = offer.anomaly.columns;
        assert(JSON.stringify(c.numeric) === '["cpu","mem"]' && JSON.stringify(c.text) === '["host","region"]' &&
          c.time[0] === 'ts', `offered columns ${JSON.stringify(c)}`);
        await app.screenshot('anomaly-own-columns');
        await app.click('anomaly.columns.run');
        const r = await app.waitFor((st) => st.anomaly && (st.anomaly.state === 'done' || st.anomaly.state === 'failed'),
          'the metrics file scored', 60000);
        assert(r.anomaly.state === 'done' && r.anomaly.events === 4 * 3 * 288 && r.anomaly.series === 4,
          `status().anomaly = ${JSON.stringify(r.anomaly)}`);
        app.log(`# anomaly-export: metrics.csv scored with cpu, mem by host, region: ${JSON.stringify(r.anomaly)}`);
        await app.waitFrames(3);
        await app.screenshot('anomaly-own-metrics');
      } finally {
        rmSync(file, { force: true });
      }
    },
  },
  replayCase('labels', 'Label Review', 300000, '&test_limit=12'),  // ~70 s alone; the full replay scores 50
  replayCase('anomaly', 'Anomalies', 30000),
  replayCase('forecast', 'Forecasts', 30000),
  replayCase('recommend', 'Recommendations', 60000),
  replayCase('sparse', 'Sparse Inference', 90000),
  replayCase('features', 'Feature Store', 30000),
];

// Cases that time what the page measures (benchmarks, latency ratios, a job-slice limit, reload
// timing under a busy Worker) run alone; the others run two at a time (e2e.mjs --jobs).
export const SERIAL = new Set([
  'system-bench-click', 'sparse-bench-run', 'sparse-bench-xnnpack', 'sparse-panel-click', 'sparse-real',
  'sparse-camera', 'sparse-train', 'features-reload-under-load', 'replay-sparse', 'checkout-demo',
]);
// About how long a case takes alone on a quiet 2-core machine (s; 10 when not listed): the pool
// starts the longest first so the two lanes end together.
export const EST_SECONDS = {
  'labels-own-data': 95, 'replay-labels': 70, 'anomaly-import': 35, 'anomaly-demo': 30, 'labels-demo': 26,
  'offline-reload': 20, 'anomaly-export': 15, 'checkout-demo': 30, 'checkout-camera': 35,
};
