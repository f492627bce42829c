// Pieces the browser tests are made of: serve.py as a child process, headless
// Chromium (the system's /usr/bin/chromium through playwright-core), and
// AppPage, a page wrapper that speaks the app's test contract:
//   window.fieldkit.status() -> { ready, target, simd, bench, panel, frame, errors, items, settings, ... }
//   items[id] = [x, y, w, h] in CSS pixels of the page (canvas at 0,0, not scaled), drawn in the last
//   frame with the centre on screen; items_offscreen[id] the same for widgets scrolled out of the panel.
// Usage (see cases.mjs):
//   await app.open('?run=system-bench'); await app.waitReady();
//   await app.click('nav.System'); const s = await app.waitFor((s) => s.bench, 'bench result');
//   const t = await app.pageNow(); ...a save...; await app.waitSaved(t);   // it is in IndexedDB now
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { chromium } from 'playwright-core';

export const VIEWPORT = { width: 1280, height: 800 };
export const CHROMIUM = process.env.FIELDKIT_CHROMIUM || '/usr/bin/chromium';
// From shared TOOLCHAIN.md: WebGL2 through SwiftShader, no network side traffic.
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
  // A synthetic camera, allowed without a prompt (the Sparse panel's camera mode).
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  `--window-size=${VIEWPORT.width},${VIEWPORT.height}`,
];

// Console noise that is not the app's fault (TOOLCHAIN.md "Harmless noise").
export const HARMLESS = [
  /favicon\.ico/i,
  /GPU stall due to ReadPixels/i,
];

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A failure whose message is the one-line reason; `details` are extra lines. */
export class CaseFailure extends Error {
  constructor(message, details = []) { super(message); this.details = details; }
}

export function assert(cond, message) {
  if (!cond) throw new CaseFailure(message);
}

/** Starts `python3 serve.py --port 0 --root <root>`; resolves to { url, stop() }. */
export function startServer(serveScript, root, extraArgs = []) {
  const python = process.env.PYTHON || 'python3';
  const child = spawn(python, [serveScript, '--port', '0', '--root', root, ...extraArgs],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`serve.py printed no banner within 10 s; stderr: ${stderr.trim()}`));
    }, 10000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve.py exited with ${code}: ${stderr.trim()}`));
    });
    lines.once('line', (line) => {
      clearTimeout(timer);
      const m = /^Serving .* at (http:\/\/\S+\/)$/.exec(line);
      if (!m) { child.kill(); reject(new Error(`unexpected serve.py banner: ${line}`)); return; }
      child.removeAllListeners('exit');
      resolve({
        url: m[1],
        stop: () => new Promise((done) => {
          if (child.exitCode !== null) { done(); return; }
          child.once('exit', () => done());
          child.kill('SIGTERM');
        }),
      });
    });
  });
}

/**
 * Launches headless Chromium. playwright's launch() gives every run a fresh
 * temporary profile (user-data-dir) and deletes it on close; each case then
 * gets its own context, so storage and IndexedDB never leak between cases.
 */
/** `cameraFile`: a .y4m the fake camera plays (see y4m.mjs); without it Chromium's synthetic pattern. */
export async function launchBrowser({ cameraFile = null } = {}) {
  let browser;
  const args = cameraFile ? [...CHROMIUM_ARGS, `--use-file-for-fake-video-capture=${cameraFile}`] : CHROMIUM_ARGS;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args });
  } catch (e) {
    throw new Error(`could not launch ${CHROMIUM}: ${e.message.split('\n')[0]}`);
  }
  return { browser, close: () => browser.close().catch(() => {}) };
}

/** One browser context (own storage, own IndexedDB) and page for one test case. */
export class AppPage {
  constructor(context, baseUrl, outDir, { allowConsole = [] } = {}) {
    this.context = context;
    this.baseUrl = baseUrl;
    this.outDir = outDir;
    this.allowConsole = [...HARMLESS, ...allowConsole];
    this.page = null;
    this.consoleErrors = [];  // unexpected ones only
    this.consoleLog = [];     // everything, for failure reports
    this.lines = [];          // the case's own `#` lines (app.log), printed with its result
    this.lastStatus = null;
  }

  /** Opens baseUrl + query in this case's page; `initScript` runs before the page's own scripts. */
  async open(query = '', { initScript } = {}) {
    if (!this.page) {
      this.page = await this.context.newPage();
      this.page.on('console', (msg) => {
        const text = msg.text();
        this.consoleLog.push(`[${msg.type()}] ${text}`);
        if (msg.type() === 'error') this.#consoleError(`console.error: ${text}`);
      });
      this.page.on('pageerror', (err) => this.#consoleError(`page error: ${err.message}`));
    }
    if (initScript) await this.page.addInitScript(initScript);
    const url = new URL(query, this.baseUrl).toString();
    const res = await this.page.goto(url, { waitUntil: 'load', timeout: 30000 });
    assert(res && res.ok(), `GET ${url} answered ${res ? res.status() : 'nothing'}`);
    return this.page;
  }

  #consoleError(text) {
    if (this.allowConsole.some((re) => re.test(text))) return;
    this.consoleErrors.push(text);
  }

  async reload() {
    const res = await this.page.reload({ waitUntil: 'load', timeout: 30000 });
    assert(res && res.ok(), `reload answered ${res ? res.status() : 'nothing'}`);
  }

  /** window.fieldkit.status(), or null before the page shell defines it. */
  async status() {
    const s = await this.page.evaluate(() => (window.fieldkit && window.fieldkit.status)
      ? window.fieldkit.status() : null);
    if (s) {
      this.lastStatus = s;
      // Issue #19's bar: no frame over 200 ms while a job runs (status() keeps the last 240 frames).
      if (typeof s.frame_ms_max_busy === 'number') this.busyFrameMax = Math.max(this.busyFrameMax || 0, s.frame_ms_max_busy);
      // What our own code held the thread for: a frame's draw + job slices while a job ran, and the
      // longest ?run= / file import call (frame_ms above also holds the browser's own time, screenshots).
      if (typeof s.work_ms_max_busy === 'number') this.busyWorkMax = Math.max(this.busyWorkMax || 0, s.work_ms_max_busy);
      if (s.run_ms_max && s.run_ms_max.ms > (this.runMax ? this.runMax.ms : -1)) this.runMax = s.run_ms_max;
      // The longest job slice since the page loaded (status().job.max_step_ever).
      if (s.job && s.job.max_step_ever && s.job.max_step_ever.ms > (this.stepMax ? this.stepMax.ms : 0)) {
        this.stepMax = s.job.max_step_ever;
      }
    }
    return s;
  }

  /**
   * Polls status() until pred(status) is truthy; returns that status.
   * Fails early when the page shows its #error element (the app cannot start).
   */
  async waitFor(pred, what, timeoutMs = 60000) {
    const t0 = Date.now();
    for (;;) {
      let s = null;
      try {
        s = await this.status();
      } catch (e) {
        // A reload in flight destroys the execution context; try again.
        if (!/context was destroyed|navigat/i.test(e.message)) throw e;
      }
      if (s && pred(s)) return s;
      const err = await this.visibleErrorText();
      if (err !== null) throw new CaseFailure(`page shows #error while waiting for ${what}: ${err}`);
      if (Date.now() - t0 > timeoutMs) {
        throw new CaseFailure(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
      }
      await sleep(100);
    }
  }

  waitReady(timeoutMs = 60000) {
    return this.waitFor((s) => s.ready === true, 'status().ready', timeoutMs);
  }

  /** The page's clock (Date.now(), ms), to compare with status().persist.last_ok_at. */
  pageNow() {
    return this.page.evaluate(() => Date.now());
  }

  /**
   * Waits until everything saved since `sinceMs` (page clock) is in IndexedDB:
   * a flush succeeded after it and none is in flight or pending (a flush that
   * was in flight at the save leaves the save pending, so this never passes early).
   */
  waitSaved(sinceMs, what = 'the save', timeoutMs = 30000) {
    return this.waitFor((s) => s.persist && !s.persist.in_flight && !s.persist.pending &&
      s.persist.failures === 0 && s.persist.last_ok_at >= sinceMs,
    `${what} to reach IndexedDB (status().persist: no flush in flight or pending, last_ok_at >= ${sinceMs})`, timeoutMs);
  }

  /**
   * Starts `n` busy-looping Workers in the page (CPU load that competes with the
   * app for the machine's cores); they end with the page.
   */
  async burnCpu(n = 1) {
    await this.page.evaluate((count) => {
      const url = URL.createObjectURL(new Blob(['for (;;) {}'], { type: 'text/javascript' }));
      window.__fkBurners = (window.__fkBurners || []).concat(Array.from({ length: count }, () => new Worker(url)));
    }, n);
  }

  /** Waits until the app has drawn `n` more frames (so the last change is on screen). */
  async waitFrames(n = 3, timeoutMs = 10000) {
    const f0 = (await this.status()).frame;
    assert(typeof f0 === 'number', `status().frame is ${JSON.stringify(f0)}, expected a number`);
    return this.waitFor((s) => s.frame >= f0 + n, `${n} more frames after frame ${f0}`, timeoutMs);
  }

  /** The #error element's text if it is visible, else null. */
  async visibleErrorText() {
    return this.page.evaluate(() => {
      const el = document.getElementById('error');
      if (!el || el.hidden) return null;
      const st = getComputedStyle(el);
      if (st.display === 'none' || st.visibility === 'hidden') return null;
      return el.textContent.replace(/\s+/g, ' ').trim();
    });
  }

  /** A line for the test log, printed with the case's result (cases run two at a time). */
  log(line) {
    this.lines.push(line);
  }

  /**
   * Waits for widget `id` on screen and returns its [x, y, w, h]. A widget the
   * app drew but scrolled out of the panel (status().items_offscreen) is
   * scrolled into view the way a user does it: mouse-wheel notches over the
   * panel until its centre is inside (status().items).
   */
  async item(id, timeoutMs = 10000) {
    let s = await this.waitFor((st) => st.items && (Array.isArray(st.items[id]) ||
      (st.items_offscreen && Array.isArray(st.items_offscreen[id]))),
      `widget "${id}" in status().items or status().items_offscreen`, timeoutMs);
    for (let notch = 0; !s.items[id] && notch < 40; notch++) {
      const r = s.items_offscreen && s.items_offscreen[id], body = s.items['panel.body'];
      assert(r && body, `widget "${id}" is neither on screen nor in the panel (status().items_offscreen)`);
      const dy = (r[1] + r[3] / 2) - (body[1] + body[3] / 2);
      await this.page.mouse.move(body[0] + body[2] / 2, body[1] + body[3] / 2);
      await this.page.mouse.wheel(0, dy > 0 ? 100 : -100);
      await this.waitFrames(2);
      s = await this.status();
      if (!s.items[id] && !(s.items_offscreen && s.items_offscreen[id])) {
        s = await this.waitFor((st) => st.items && (st.items[id] || (st.items_offscreen && st.items_offscreen[id])),
          `widget "${id}" while scrolling to it`, timeoutMs);
      }
    }
    const r = s.items[id];
    assert(r, `widget "${id}" stayed off screen after 40 wheel notches: ${JSON.stringify(s.items_offscreen[id])}, ` +
      `panel ${JSON.stringify(s.items['panel.body'])}, scroll ${JSON.stringify(s.scroll)}`);
    assert(r.length === 4 && r[2] > 0 && r[3] > 0, `widget "${id}" has an empty rect ${JSON.stringify(r)}`);
    return r;
  }

  /**
   * Clicks a widget with the real mouse at its centre. Move, down and up each
   * wait for the app to draw frames, so ImGui's GLFW backend sees them in
   * different frames however slow the frames are (a loaded machine).
   */
  async click(id) {
    const [x, y, w, h] = await this.item(id);
    const cx = x + w / 2, cy = y + h / 2;
    assert(cx >= 0 && cy >= 0 && cx < VIEWPORT.width && cy < VIEWPORT.height,
      `widget "${id}" centre (${cx}, ${cy}) is outside the ${VIEWPORT.width}x${VIEWPORT.height} viewport`);
    await this.page.mouse.move(cx, cy);
    await this.waitFrames(2);
    await this.page.mouse.down();
    await this.waitFrames(2);
    await this.page.mouse.up();
    await this.waitFrames(2);
  }

  async screenshot(name) {
    const file = path.join(this.outDir, name.endsWith('.png') ? name : `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Throws if the page logged an unexpected console error or the app reported errors. */
  async checkClean({ appErrors = true } = {}) {
    if (this.consoleErrors.length) {
      throw new CaseFailure(`${this.consoleErrors.length} console error(s): ${this.consoleErrors[0]}`,
        this.consoleErrors.map((e) => `console: ${e}`));
    }
    if (appErrors && this.page) {
      const s = await this.status().catch(() => null);
      if (s && Array.isArray(s.errors) && s.errors.length) {
        throw new CaseFailure(`the app logged ${s.errors.length} error(s): ${s.errors[0]}`,
          s.errors.map((e) => `app error: ${e}`));
      }
    }
  }
}

/** status() as one line for failure reports; items shortened to their ids. */
export function describeStatus(s, max = 4000) {
  if (s === null || s === undefined) return 'null (window.fieldkit.status() never answered)';
  let text = JSON.stringify(s);
  if (text.length > max && s.items) {
    text = JSON.stringify({ ...s, items: `{${Object.keys(s.items).length} ids: ${Object.keys(s.items).join(', ')}}` });
  }
  return text.length > max ? text.slice(0, max) + '…' : text;
}
