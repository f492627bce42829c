// Page shell: checks WebAssembly SIMD, downloads the app (fieldkit.wasm, .data
// and .js, named by content hash from fieldkit-assets.json) with a progress bar
// that counts every byte, starts the module, registers the service worker
// (sw.js: the page works offline once it has cached the build), feeds the mouse
// wheel to ImGui, and exposes window.fieldkit for users' scripts and the tests:
//   fieldkit.status()            -> the app's status object (JSON-parsed), plus
//                                   offline: {cached, version} (the service worker's cache)
//   fieldkit.run(name, params)   -> same as opening the page with ?run=name&k=v
//   fieldkit.setSetting(k, v)    -> persisted in IndexedDB (survives reload);
//                                   status().persist says when a save is stored
//   fieldkit.openPanel(name)
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const page = { appStarted: false };
  window.fieldkitPage = page;

  function fail(message) {
    $('loader').hidden = true;
    $('error-text').textContent = message;
    $('error').hidden = false;
    console.warn('fieldkit:', message);
  }
  function progress(fraction, text) {
    $('loader-fill').style.width = Math.round(fraction * 100) + '%';
    $('loader-text').textContent = text;
  }

  // The smallest module using a SIMD128 instruction (v128.const + i8x16.popcnt-free
  // ops): validate() is false on engines without SIMD.
  const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10,
    10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
  function hasSimd() {
    try { return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE); } catch (e) { return false; }
  }

  // fieldkit-assets.json (scripts/web_assets.py): {version, files: {path: {hash, bytes, gzip_bytes}}}.
  // Without it (a build that skipped that step) the files load by their plain names.
  let assets = null;
  page.assetUrl = (rel) => (assets && assets.files[rel]) ? rel + '?v=' + assets.files[rel].hash : rel;
  async function loadAssets() {
    try {
      const r = await fetch('fieldkit-assets.json', { cache: 'no-cache' });
      if (r.ok) return await r.json();
    } catch (e) { /* served without it, or offline without a cache: plain names */ }
    return null;
  }

  // Downloads the files side by side; the bar counts every byte of all of them. Sizes come
  // from fieldkit-assets.json (the stream yields decoded bytes, also when the server sends
  // gzip); without it, from Content-Length when the response is not compressed.
  async function downloadAll(names) {
    const sizes = names.map((n) => (assets && assets.files[n]) ? assets.files[n].bytes : 0);
    const got = names.map(() => 0);
    const show = () => {
      const done = got.reduce((a, b) => a + b, 0), total = sizes.reduce((a, b) => a + b, 0);
      const mb = (x) => (x / 1048576).toFixed(1);
      if (total > 0 && sizes.every((x) => x > 0)) progress(0.02 + 0.93 * Math.min(1, done / total), `Downloading ${mb(done)} / ${mb(total)} MB`);
      else progress(0.5, `Downloading ${mb(done)} MB`);
    };
    return Promise.all(names.map(async (name, i) => {
      const url = page.assetUrl(name);
      const res = await fetch(url);
      if (!res.ok) throw new Error(url + ': HTTP ' + res.status);
      if (!sizes[i] && !res.headers.get('Content-Encoding')) sizes[i] = Number(res.headers.get('Content-Length')) || 0;
      if (!res.body) {
        const buf = new Uint8Array(await res.arrayBuffer());
        got[i] = buf.length;
        show();
        return buf;
      }
      const reader = res.body.getReader();
      const parts = [];
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
        got[i] += value.length;
        show();
      }
      if (sizes[i] && got[i] !== sizes[i]) throw new Error(`${url}: got ${got[i]} bytes, the build's file list says ${sizes[i]}`);
      const out = new Uint8Array(got[i]);
      let off = 0;
      for (const p of parts) { out.set(p, off); off += p.length; }
      return out;
    }));
  }

  function parseQuery() {
    const q = new URLSearchParams(location.search);
    const run = q.get('run');
    const params = [];
    for (const [k, v] of q.entries()) if (k !== 'run') params.push(k + '=' + v);
    return { run, params: params.join('&') };
  }

  const api = {
    status() {
      const s = page.appStarted ? JSON.parse(Module.ccall('fk_status', 'string', [], []))
        : { ready: false, target: 'wasm', simd: hasSimd(), bench: null };
      s.offline = { cached: offline.cached, version: offline.version };
      return s;
    },
    run(name, params) {
      const q = params ? Object.entries(params).map(([k, v]) => k + '=' + v).join('&') : '';
      return Module.ccall('fk_run', 'number', ['string', 'string'], [name, q]) === 1;
    },
    setSetting(key, value) { Module.ccall('fk_set_setting', null, ['string', 'string'], [key, String(value)]); },
    openPanel(name) { return Module.ccall('fk_open_panel', 'number', ['string'], [name]) === 1; },
  };
  window.fieldkit = api;

  // Leaving or hiding the page may be the last chance to store what is not
  // stored yet: flush now instead of at the next frame or retry (a hidden tab
  // draws no frames). The app decides whether anything is left to flush.
  function flushSaves() {
    if (page.appStarted) Module.ccall('fk_persist_flush', null, [], []);
  }
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') flushSaves(); });
  window.addEventListener('pagehide', flushSaves);

  page.onAppStarted = function () {
    page.appStarted = true;
    page.timing.started = performance.now();
    // The main loop's first frame runs in the next animation frame, before this callback.
    requestAnimationFrame(() => { page.timing.first_frame = performance.now(); });
    progress(1, 'Ready');
    $('loader').hidden = true;
    $('canvas').focus();
    const { run, params } = parseQuery();
    if (run) Module.ccall('fk_run', 'number', ['string', 'string'], [run, params]);
    // Only now: the worker's install then finds the app's files in the HTTP cache instead of
    // downloading them a second time beside the page's own downloads.
    startOffline();
  };

  // [Offline] The service worker (sw.js, generated per build) caches every file of this build in
  // "fieldkit-<version>". status().offline.cached turns true once that cache holds all of them and
  // the active worker is this build's: a reload then works with the server gone.
  const offline = { cached: false, version: null, state: 'starting' };
  page.offline = offline;
  function showOffline(text, cls, title) {
    const el = $('offline-badge');
    el.hidden = !text;
    el.textContent = text;
    el.className = cls || '';
    el.title = title || '';
  }
  async function activeWorkerVersion(reg) {
    if (!reg || !reg.active) return null;
    return new Promise((resolve) => {
      const ch = new MessageChannel();
      const timer = setTimeout(() => resolve(null), 2000);
      ch.port1.onmessage = (e) => { clearTimeout(timer); resolve(e.data && e.data.version); };
      reg.active.postMessage('fieldkit-version', [ch.port2]);
    });
  }
  async function checkOffline() {
    const name = 'fieldkit-' + assets.version;
    const want = Object.entries(assets.files).map(([p, f]) => new URL(p + '?v=' + f.hash, document.baseURI).href);
    want.push(new URL('fieldkit-assets.json?v=' + assets.version, document.baseURI).href);
    let have = 0;
    if (await caches.has(name)) {
      const keys = new Set((await (await caches.open(name)).keys()).map((r) => r.url));
      have = want.filter((u) => keys.has(u)).length;
    }
    const reg = await navigator.serviceWorker.getRegistration();
    const complete = have === want.length && (await activeWorkerVersion(reg)) === assets.version;
    offline.cached = complete;
    if (complete) {
      offline.state = 'cached';
      if (navigator.onLine) {
        showOffline('\u25CF Works offline', 'ok', `This build (${assets.version}) is saved in the browser: reloading works without the server or network.`);
      } else {
        showOffline('\u25CF Offline \u2014 running from this device', 'ok', 'No network: the page runs from the copy the browser saved.');
      }
    } else {
      offline.state = 'caching';
      showOffline(`Saving for offline\u2026 ${Math.round(100 * have / want.length)}%`, 'busy',
        'The browser is saving this build so that the page works without the server.');
    }
    return complete;
  }
  async function startOffline() {
    if (!assets || !('serviceWorker' in navigator) || !('caches' in window)) {
      offline.state = 'unavailable';
      showOffline('Online only', 'off', !assets ? 'This build has no fieldkit-assets.json (built without scripts/web_assets.py).'
        : 'This browser offers no service worker here (it needs https or localhost, and no private mode in some browsers).');
      return;
    }
    offline.version = assets.version;
    try {
      await navigator.serviceWorker.register('sw.js', { updateViaCache: 'none' });
    } catch (e) {
      // Offline, the worker script cannot be fetched to look for an update: the one installed goes on.
      if (!(await navigator.serviceWorker.getRegistration())) {
        offline.state = 'unavailable';
        showOffline('Online only', 'off', 'The service worker did not register: ' + e.message);
        console.warn('fieldkit: service worker:', e);
        return;
      }
    }
    // Polled (1 s) until complete, then on network changes: the install takes a few seconds.
    const poll = async () => {
      let done = false;
      try { done = await checkOffline(); } catch (e) { console.warn('fieldkit: offline check:', e); }
      if (!done) setTimeout(poll, 1000);
    };
    poll();
    window.addEventListener('online', () => checkOffline().catch(() => {}));
    window.addEventListener('offline', () => checkOffline().catch(() => {}));
  }

  // [Wheel] Fed to ImGui here, not through emscripten's GLFW (3.1.6 passes the raw deltaX/deltaY:
  // pixels, down = positive, so one notch scrolled a whole panel the wrong way). One notch is
  // 100 px (Chromium, Edge), 3 lines (Firefox) or a page; ImGui wants notches, up = positive.
  function wheelNotches(delta, mode) {
    const n = mode === 1 ? delta / 3 : mode === 2 ? delta : delta / 100;
    return Math.max(-10, Math.min(10, n));
  }
  window.addEventListener('wheel', (e) => {
    if (!page.appStarted || e.target !== $('canvas')) return;
    e.preventDefault();
    e.stopPropagation();  // capture phase on window: GLFW's listener on the canvas never sees it
    Module._fk_on_wheel(-wheelNotches(e.deltaX, e.deltaMode), -wheelNotches(e.deltaY, e.deltaMode));
  }, { capture: true, passive: false });

  // File import: drop anywhere or use the picker the app opens; files land in /imports.
  // Copied in 8 MB slices with an await between them, so a 200 MB file never
  // stops the app drawing frames (one arrayBuffer() + writeFile took ~5 s).
  const IMPORT_CHUNK = 8 << 20;
  // The app hears of a pick's files only once all of them are written: a manifest names its pictures,
  // and a choice made on it before the last picture had landed found that picture missing (seen in CI
  // under load: one test image of ten reported as a problem).
  async function importFiles(files) {
    const note = $('import-status');
    const written = [];
    for (const [n, f] of files.entries()) {
      const path = '/imports/' + f.name.replace(/[\/\\]/g, '_');
      try {
        const stream = Module.FS.open(path, 'w');
        try {
          // Sized once up front: MEMFS would otherwise regrow (and copy) the file as it fills.
          Module.FS.truncate(path, f.size);
          for (let off = 0; off < f.size; off += IMPORT_CHUNK) {
            const chunk = new Uint8Array(await f.slice(off, off + IMPORT_CHUNK).arrayBuffer());
            Module.FS.write(stream, chunk, 0, chunk.length);
            if (f.size > IMPORT_CHUNK || files.length > 1) {
              note.hidden = false;
              note.textContent = files.length > 1
                ? `Importing ${n + 1} of ${files.length}: ${f.name}`
                : `Importing ${f.name}: ${Math.round(100 * Math.min(1, (off + chunk.length) / f.size))}%`;
            }
          }
        } finally {
          Module.FS.close(stream);
        }
        written.push(path);
      } catch (e) {
        console.warn(`fieldkit: import of ${f.name} failed:`, e);
      }
    }
    note.hidden = true;
    for (const path of written) Module.ccall('fk_on_file_imported', null, ['string'], [path]);
  }
  // One import at a time, in order. The FileList is copied first: clearing the input (so the same
  // file can be picked again) or the end of the drop event empties it, which used to keep only the
  // first of several files (the rest were gone by the first await).
  let importQueue = Promise.resolve();
  function queueImport(fileList) {
    const files = Array.from(fileList);
    importQueue = importQueue.then(() => importFiles(files)).catch((e) => console.warn('fieldkit: import failed:', e));
  }
  page.openFilePicker = () => $('file-input').click();
  $('file-input').addEventListener('change', (e) => { queueImport(e.target.files); e.target.value = ''; });
  let dragDepth = 0;
  window.addEventListener('dragenter', (e) => { e.preventDefault(); dragDepth++; $('dropzone').hidden = false; });
  window.addEventListener('dragleave', () => { if (--dragDepth <= 0) { dragDepth = 0; $('dropzone').hidden = true; } });
  window.addEventListener('dragover', (e) => e.preventDefault());
  window.addEventListener('drop', (e) => {
    e.preventDefault(); dragDepth = 0; $('dropzone').hidden = true;
    if (page.appStarted && e.dataTransfer.files.length) queueImport(e.dataTransfer.files);
  });

  // Milliseconds since navigation start: downloaded, started (the module's main()), first_frame.
  page.timing = {};
  async function start() {
    if (!hasSimd()) {
      fail('Fieldkit needs WebAssembly SIMD (128-bit), which this browser does not support or has turned off. ' +
           'Use a current Chrome, Edge, Firefox or Safari (16.4+).');
      return;
    }
    progress(0.01, 'Downloading…');
    assets = await loadAssets();
    let wasm, data, js;
    try {
      [wasm, data, js] = await downloadAll(['fieldkit.wasm', 'fieldkit.data', 'fieldkit.js']);
    } catch (e) {
      fail('Could not download the app: ' + e.message);
      return;
    }
    page.timing.downloaded = performance.now();
    progress(0.96, 'Starting…');
    window.Module = {
      wasmBinary: wasm,
      // The bundled data (--preload-file), already downloaded above: handed over as one ArrayBuffer.
      getPreloadedPackage: (name) => {
        if (!/fieldkit\.data$/.test(name) || !data) return null;
        const buf = data.byteLength === data.buffer.byteLength ? data.buffer : data.slice().buffer;
        data = null;
        return buf;
      },
      canvas: $('canvas'),
      print: (t) => console.log(t),
      printErr: (t) => console.warn(t),
      onAbort: (what) => fail('The app stopped: ' + what),
    };
    // Run from the downloaded text (inline: no second request; relative URLs resolve from the page).
    const s = document.createElement('script');
    s.textContent = new TextDecoder().decode(js);
    document.body.appendChild(s);
  }
  start();
})();
