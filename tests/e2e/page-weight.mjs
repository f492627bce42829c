#!/usr/bin/env node
// Page weight and start (issue #19 item 5; the numbers in docs/BENCHMARKS.md "Page weight and start"):
//
//   NODE_PATH=/usr/share/nodejs node tests/e2e/page-weight.mjs [--serve build/web] [--runs 3]
//
// Serves the build with serve.py behind a proxy that counts every byte on the wire (headers included,
// the service worker's requests too), in headless Chromium with a real on-disk profile (its HTTP cache
// behaves as a user's; a test context's in-memory cache keeps no file over ~1 MB). Per run, a fresh
// profile:
//   first load   bytes until the first frame (the app), until the service worker has cached the build
//                (models included), and the time to the first frame
//   second load  a reload: bytes and time to the first frame
//   no worker    the same two loads with service workers blocked (HTTP cache, 304s and gzip only)
// Then the build's sizes from fieldkit-assets.json, raw and gzip, with and without the optional models.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, VIEWPORT, sleep, startServer } from './lib/harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');

function parseArgs(argv) {
  const o = { serve: path.join(REPO, 'build', 'web'), runs: 3 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--serve') o.serve = argv[++i];
    else if (argv[i] === '--runs') o.runs = Number(argv[++i]);
    else { console.error(`page-weight: unknown argument ${argv[i]}`); process.exit(2); }
  }
  return o;
}

/** A TCP proxy to `target` (host:port) counting the bytes each way; resolves to {url, count, reset, close}. */
function countingProxy(targetUrl) {
  const t = new URL(targetUrl);
  const counts = { down: 0, up: 0, connections: 0 };
  const sockets = new Set();
  const server = net.createServer((client) => {
    counts.connections++;
    const up = net.connect(Number(t.port), t.hostname);
    sockets.add(client); sockets.add(up);
    client.on('data', (d) => { counts.up += d.length; up.write(d); });
    up.on('data', (d) => { counts.down += d.length; client.write(d); });
    const end = () => { client.destroy(); up.destroy(); sockets.delete(client); sockets.delete(up); };
    client.on('close', end); up.on('close', end); client.on('error', end); up.on('error', end);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}/`,
    counts,
    reset() { counts.down = 0; counts.up = 0; counts.connections = 0; },
    close() { for (const s of sockets) s.destroy(); return new Promise((r) => server.close(r)); },
  })));
}

async function waitFor(page, pred, what, timeoutMs = 60000) {
  const t0 = Date.now();
  for (;;) {
    const v = await page.evaluate(pred).catch(() => null);
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const firstFrame = () => window.fieldkitPage && window.fieldkitPage.timing.first_frame;
const cached = () => window.fieldkit && window.fieldkit.status().offline.cached;

async function oneRun(proxy, { serviceWorkers }) {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'fk-weight-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: VIEWPORT, serviceWorkers,
  });
  try {
    const page = context.pages()[0] || await context.newPage();
    proxy.reset();
    await page.goto(proxy.url, { waitUntil: 'load' });
    const ff1 = await waitFor(page, firstFrame, 'the first frame');
    const appBytes = proxy.counts.down;
    let allBytes = null;
    if (serviceWorkers === 'allow') {
      await waitFor(page, cached, 'status().offline.cached', 120000);
      allBytes = proxy.counts.down;
    }
    await sleep(1000);  // anything the page still fetches after its first frame
    if (allBytes === null) allBytes = proxy.counts.down;
    proxy.reset();
    await page.reload({ waitUntil: 'load' });
    const ff2 = await waitFor(page, firstFrame, 'the first frame after the reload');
    await sleep(2000);  // the worker's update check, late requests
    return { ff1, appBytes, allBytes, ff2, secondBytes: proxy.counts.down, secondUp: proxy.counts.up };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const mb = (b) => `${(b / 1e6).toFixed(2)} MB`;
const kb = (b) => `${(b / 1e3).toFixed(1)} kB`;

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const root = path.resolve(o.serve);
  const assets = JSON.parse(readFileSync(path.join(root, 'fieldkit-assets.json'), 'utf8'));
  const files = Object.entries(assets.files);
  const optional = ([p]) => p.startsWith('models/') || p.startsWith('images/');
  const sum = (list, k) => list.reduce((a, [, f]) => a + f[k], 0);
  const app = files.filter((f) => !optional(f));
  const start = ['fieldkit.wasm', 'fieldkit.data', 'fieldkit.js', 'index.html', 'fieldkit-page.js', 'style.css']
    .map((p) => [p, assets.files[p]]);
  console.log(`# build ${assets.version}: ${files.length} files`);
  console.log(`# what the page downloads to start (${start.map(([p]) => p).join(', ')}): ${mb(sum(start, 'bytes'))} raw, ${mb(sum(start, 'gzip_bytes'))} gzip`);
  for (const [p, f] of start) console.log(`#   ${p}: ${mb(f.bytes)} raw, ${mb(f.gzip_bytes)} gzip`);
  console.log(`# the app without the optional models and picture (${app.length} files): ${mb(sum(app, 'bytes'))} raw, ${mb(sum(app, 'gzip_bytes'))} gzip`);
  console.log(`# everything the worker caches (${files.length} files): ${mb(sum(files, 'bytes'))} raw, ${mb(sum(files, 'gzip_bytes'))} gzip`);

  const server = await startServer(path.join(REPO, 'serve.py'), root);
  const proxy = await countingProxy(server.url);
  try {
    for (const sw of ['allow', 'block']) {
      const runs = [];
      for (let i = 0; i < o.runs; i++) runs.push(await oneRun(proxy, { serviceWorkers: sw }));
      const m = (k) => median(runs.map((r) => r[k]));
      console.log(`service workers ${sw === 'allow' ? 'on ' : 'off'} (median of ${runs.length}): ` +
        `first load ${mb(m('appBytes'))} to the first frame at ${m('ff1').toFixed(0)} ms` +
        (sw === 'allow' ? `, ${mb(m('allBytes'))} once the build is cached for offline` : '') +
        `; second load ${kb(m('secondBytes'))} (${kb(m('secondUp'))} sent), first frame at ${m('ff2').toFixed(0)} ms`);
      console.log(`#   runs: ${runs.map((r) => `${mb(r.appBytes)}/${(r.ff1 / 1000).toFixed(2)} s -> ${kb(r.secondBytes)}/${(r.ff2 / 1000).toFixed(2)} s`).join('; ')}`);
    }
  } finally {
    await proxy.close();
    await server.stop();
  }
}

main().catch((e) => { console.error(`page-weight: ${e.stack || e}`); process.exit(1); });
