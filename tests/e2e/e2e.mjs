#!/usr/bin/env node
// Fieldkit browser end-to-end tests: headless Chromium (/usr/bin/chromium via
// playwright-core) against the static page.
//
//   node tests/e2e/e2e.mjs [--serve build/web] [--url http://127.0.0.1:PORT/]
//                          [--out build/e2e] [--only name[,name...]] [--list] [--isolate] [--jobs N]
//
// Cases that time what the page measures (cases.mjs SERIAL) run first, alone; then the
// others run N at a time (default 2: one page per core), each in its own browser context,
// the longest first. A case's `#` lines are printed together with its result.
// Default: starts `python3 serve.py --port 0 --root <repo>/build/web` itself and
// writes to <repo>/build/e2e; paths given as arguments are relative to the
// current directory. --url tests an already running server.
// Prints `ok - name` / `not ok - name: reason` (+ `#` detail lines), saves
// <out>/<name>.png per case, ends with `e2e: N passed, N failed`; exit 1 on failure.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EST_SECONDS, SERIAL, cases } from './cases.mjs';
import { cameraFrame, decodePng, writeY4m } from './lib/y4m.mjs';
import {
  AppPage, CaseFailure, VIEWPORT, describeStatus, launchBrowser, startServer,
} from './lib/harness.mjs';
import { CPU_TRACE_CATEGORIES, describeCpuTrace, summariseCpuTrace } from './lib/cputrace.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const CASE_TIMEOUT_MS = 150000;

function usage(code) {
  const out = code ? console.error : console.log;
  out('usage: node tests/e2e/e2e.mjs [--serve DIR | --url URL] [--out DIR] [--only a,b] [--list] [--isolate]');
  out('  --serve DIR  start serve.py on a free port for DIR (default build/web)');
  out('  --url URL    test a page that is already served (no serve.py started)');
  out('  --out DIR    screenshots go here (default build/e2e)');
  out('  --only LIST  run only these cases (comma-separated; repeatable)');
  out('  --list       print the case names and exit');
  out('  --isolate    pass --isolate to serve.py (COOP/COEP headers)');
  out('  --jobs N     cases outside SERIAL run N at a time (default 2; 1 runs every case alone)');
  out('  --cpu-trace  trace each case (implies --jobs 1) and print its frames\' main-thread CPU time');
  out(`cases: ${cases.map((c) => c.name).join(', ')}`);
  process.exit(code);
}

function parseArgs(argv) {
  // Defaults are inside the repository; paths given on the command line are from the current directory.
  const opts = {
    serve: path.join(REPO, 'build', 'web'), url: null, out: path.join(REPO, 'build', 'e2e'),
    only: [], list: false, isolate: false, jobs: 2, cpuTrace: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) { console.error(`e2e: ${a} needs a value`); usage(2); }
      return argv[++i];
    };
    if (a === '--serve') opts.serve = value();
    else if (a === '--url') opts.url = value();
    else if (a === '--out') opts.out = value();
    else if (a === '--only') opts.only.push(...value().split(',').filter(Boolean));
    else if (a === '--list') opts.list = true;
    else if (a === '--isolate') opts.isolate = true;
    else if (a === '--cpu-trace') opts.cpuTrace = true;
    else if (a === '--jobs') {
      opts.jobs = Number(value());
      if (!Number.isInteger(opts.jobs) || opts.jobs < 1) { console.error('e2e: --jobs needs a whole number >= 1'); usage(2); }
    }
    else if (a === '--help' || a === '-h') usage(0);
    else { console.error(`e2e: unknown argument ${a}`); usage(2); }
  }
  if (opts.cpuTrace) opts.jobs = 1;  // one trace at a time: a trace is browser-wide
  return opts;
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new CaseFailure(`${what} did not finish within ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function runCase(browser, baseUrl, outDir, tc, ctx) {
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  const app = new AppPage(context, baseUrl, outDir, { allowConsole: tc.allowConsole || [] });
  let failure = null;
  let tracing = false;
  if (ctx.cpuTrace) {
    try {
      await browser.startTracing(undefined, { categories: CPU_TRACE_CATEGORIES });
      tracing = true;
    } catch (e) {
      app.log(`# ${tc.name}: cpu trace not started: ${e.message.split('\n')[0]}`);
    }
  }
  try {
    await withTimeout(tc.fn(app, ctx), tc.timeoutMs || CASE_TIMEOUT_MS, `case ${tc.name}`);
    await app.checkClean({ appErrors: tc.appErrors !== false });
  } catch (e) {
    failure = e;
  }
  if (app.page) {
    try {
      await app.screenshot(tc.name);
    } catch (e) {
      if (!failure) failure = new CaseFailure(`screenshot failed: ${e.message.split('\n')[0]}`);
    }
    if (failure) await app.status().catch(() => {});
  }
  if (tracing) {
    try {
      app.log(describeCpuTrace(tc.name, summariseCpuTrace(await browser.stopTracing())));
    } catch (e) {
      app.log(`# ${tc.name}: cpu trace failed: ${e.message.split('\n')[0]}`);
    }
  }
  await context.close().catch(() => {});
  // The longest frame seen while a job ran (status().frame_ms_max_busy, over every status() read): printed per
  // case, so the 200 ms bar of issue #19 can be read from the log.
  if (app.busyFrameMax > 0) {
    app.log(`# ${tc.name}: longest frame with a job running ${app.busyFrameMax.toFixed(0)} ms, ` +
            `of it our code ${(app.busyWorkMax || 0).toFixed(0)} ms; longest ?run=/import call ` +
            `${app.runMax ? app.runMax.ms.toFixed(0) + ' ms (' + app.runMax.what + ')' : '-'}; longest job slice ` +
            `${app.stepMax ? app.stepMax.ms.toFixed(0) + ' ms (' + app.stepMax.what + ')' : '-'}`);
  }
  if (!failure) return { ok: true, lines: app.lines };
  const details = [];
  if (!(failure instanceof CaseFailure)) details.push(...(failure.stack || '').split('\n').slice(1, 4));
  details.push(...(failure.details || []));
  details.push(`last status(): ${describeStatus(app.lastStatus)}`);
  if (app.consoleErrors.length && !(failure.details || []).some((d) => d.startsWith('console:'))) {
    details.push(...app.consoleErrors.map((e) => `console: ${e}`));
  }
  const tail = app.consoleLog.slice(-8);
  if (tail.length) details.push('last console lines:', ...tail.map((l) => `  ${l}`));
  details.push(`screenshot: ${path.join(outDir, tc.name + '.png')}`);
  const reason = (failure.message || String(failure)).split('\n')[0];
  return { ok: false, reason, details, lines: app.lines };
}

// The fake camera plays the bundled astronaut (make deps puts it in third_party/images and the build
// copies it beside the page), so the camera case can check that both face models find her face in
// the frames they get. Null (synthetic pattern) when the picture is missing.
function cameraPicture(opts, outDir) {
  const candidates = [path.join(REPO, 'third_party', 'images', 'astronaut.png')];
  if (!opts.url) candidates.push(path.join(path.resolve(opts.serve), 'images', 'astronaut.png'));
  const png = candidates.find((f) => existsSync(f));
  if (!png) return null;
  const file = path.join(outDir, 'camera-astronaut.y4m');
  writeY4m(file, cameraFrame(decodePng(png)));
  return file;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.list) { for (const c of cases) console.log(c.name); return 0; }

  const names = new Set(cases.map((c) => c.name));
  const unknown = opts.only.filter((n) => !names.has(n));
  if (unknown.length) {
    console.error(`e2e: unknown case(s) ${unknown.join(', ')}; known: ${[...names].join(', ')}`);
    return 2;
  }
  const selected = opts.only.length ? cases.filter((c) => opts.only.includes(c.name)) : cases;
  const outDir = path.resolve(opts.out);
  mkdirSync(outDir, { recursive: true });

  let server = null;
  let baseUrl = opts.url;
  if (!baseUrl) {
    const root = path.resolve(opts.serve);
    server = await startServer(path.join(REPO, 'serve.py'), root, opts.isolate ? ['--isolate'] : []);
    baseUrl = server.url;
    console.log(`# serving ${root} at ${baseUrl}`);
  } else {
    if (!baseUrl.endsWith('/')) baseUrl += '/';
    console.log(`# testing ${baseUrl}`);
  }

  // What a case may need beyond its page: a server of its own it can stop (offline-reload). Null
  // root with --url (the page is served by someone else).
  const ctx = {
    cpuTrace: opts.cpuTrace,
    serveRoot: opts.url ? null : path.resolve(opts.serve),
    startServer: (root) => startServer(path.join(REPO, 'serve.py'), root, opts.isolate ? ['--isolate'] : []),
  };

  let passed = 0, failed = 0;
  let launched = null;
  try {
    launched = await launchBrowser({ cameraFile: cameraPicture(opts, outDir) });
    console.log(`# chromium ${launched.browser.version()}, ${selected.length} case(s), screenshots in ${outDir}`);
    const run = async (tc) => {
      const t0 = Date.now();
      const r = await runCase(launched.browser, baseUrl, outDir, tc, ctx);
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      for (const l of r.lines) console.log(l);
      if (r.ok) {
        passed++;
        console.log(`ok - ${tc.name} (${secs} s)`);
      } else {
        failed++;
        console.log(`not ok - ${tc.name}: ${r.reason}`);
        for (const d of r.details) console.log(`#   ${d}`);
      }
    };
    const serial = selected.filter((c) => SERIAL.has(c.name) || opts.jobs === 1);
    const pool = selected.filter((c) => !serial.includes(c))
      .sort((a, b) => (EST_SECONDS[b.name] || 10) - (EST_SECONDS[a.name] || 10));
    const tAlone = Date.now();
    for (const tc of serial) await run(tc);
    const tPool = Date.now();
    await Promise.all(Array.from({ length: Math.min(opts.jobs, pool.length) }, async () => {
      while (pool.length) await run(pool.shift());
    }));
    console.log(`# ${serial.length} case(s) alone in ${((tPool - tAlone) / 1000).toFixed(0)} s, ` +
      `${selected.length - serial.length} ${opts.jobs} at a time in ${((Date.now() - tPool) / 1000).toFixed(0)} s`);
  } catch (e) {
    failed++;
    console.log(`not ok - harness: ${e.message.split('\n')[0]}`);
  } finally {
    if (launched) await launched.close();
    if (server) await server.stop();
  }
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => {
  console.log(`not ok - harness: ${e.message}`);
  console.log('e2e: 0 passed, 1 failed');
  process.exit(1);
});
