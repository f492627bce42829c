// Page shell: checks WebAssembly SIMD, downloads fieldkit.wasm with a real
// progress bar, starts the module, and exposes window.fieldkit for users'
// scripts and the browser tests:
//   fieldkit.status()            -> the app's status object (JSON-parsed)
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

  async function fetchWithProgress(url, label) {
    const res = await fetch(url);
    if (!res.ok) throw new Error(url + ': HTTP ' + res.status);
    const total = Number(res.headers.get('Content-Length')) || 0;
    if (!res.body || !total) return new Uint8Array(await res.arrayBuffer());
    const reader = res.body.getReader();
    const out = new Uint8Array(total);
    let got = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (got + value.length > out.length) throw new Error(url + ': more bytes than Content-Length');
      out.set(value, got);
      got += value.length;
      progress(0.9 * got / total, label + ' ' + (got / 1048576).toFixed(1) + ' / ' + (total / 1048576).toFixed(1) + ' MB');
    }
    return out.subarray(0, got);
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
      if (!page.appStarted) return { ready: false, target: 'wasm', simd: hasSimd(), bench: null };
      return JSON.parse(Module.ccall('fk_status', 'string', [], []));
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
    progress(1, 'Ready');
    $('loader').hidden = true;
    $('canvas').focus();
    const { run, params } = parseQuery();
    if (run) Module.ccall('fk_run', 'number', ['string', 'string'], [run, params]);
  };

  // File import: drop anywhere or use the picker the app opens; files land in /imports.
  // Copied in 8 MB slices with an await between them, so a 200 MB file never
  // stops the app drawing frames (one arrayBuffer() + writeFile took ~5 s).
  const IMPORT_CHUNK = 8 << 20;
  async function importFiles(files) {
    const note = $('import-status');
    for (const f of files) {
      const path = '/imports/' + f.name.replace(/[\/\\]/g, '_');
      const stream = Module.FS.open(path, 'w');
      // Sized once up front: MEMFS would otherwise regrow (and copy) the file as it fills.
      Module.FS.truncate(path, f.size);
      try {
        for (let off = 0; off < f.size; off += IMPORT_CHUNK) {
          const chunk = new Uint8Array(await f.slice(off, off + IMPORT_CHUNK).arrayBuffer());
          Module.FS.write(stream, chunk, 0, chunk.length);
          if (f.size > IMPORT_CHUNK) {
            note.hidden = false;
            note.textContent = `Importing ${f.name}: ${Math.round(100 * Math.min(1, (off + chunk.length) / f.size))}%`;
          }
        }
      } finally {
        Module.FS.close(stream);
        note.hidden = true;
      }
      Module.ccall('fk_on_file_imported', null, ['string'], [path]);
    }
  }
  page.openFilePicker = () => $('file-input').click();
  $('file-input').addEventListener('change', (e) => { importFiles(e.target.files); e.target.value = ''; });
  let dragDepth = 0;
  window.addEventListener('dragenter', (e) => { e.preventDefault(); dragDepth++; $('dropzone').hidden = false; });
  window.addEventListener('dragleave', () => { if (--dragDepth <= 0) { dragDepth = 0; $('dropzone').hidden = true; } });
  window.addEventListener('dragover', (e) => e.preventDefault());
  window.addEventListener('drop', (e) => {
    e.preventDefault(); dragDepth = 0; $('dropzone').hidden = true;
    if (page.appStarted && e.dataTransfer.files.length) importFiles(e.dataTransfer.files);
  });

  async function start() {
    if (!hasSimd()) {
      fail('Fieldkit needs WebAssembly SIMD (128-bit), which this browser does not support or has turned off. ' +
           'Use a current Chrome, Edge, Firefox or Safari (16.4+).');
      return;
    }
    progress(0.02, 'Downloading…');
    let wasm;
    try {
      wasm = await fetchWithProgress('fieldkit.wasm', 'Downloading');
    } catch (e) {
      fail('Could not download the app: ' + e.message);
      return;
    }
    progress(0.93, 'Compiling…');
    window.Module = {
      wasmBinary: wasm,
      canvas: $('canvas'),
      print: (t) => console.log(t),
      printErr: (t) => console.warn(t),
      onAbort: (what) => fail('The app stopped: ' + what),
    };
    const s = document.createElement('script');
    s.src = 'fieldkit.js';
    s.onerror = () => fail('Could not load fieldkit.js');
    document.body.appendChild(s);
  }
  start();
})();
