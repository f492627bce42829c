// Browser entry point: GLFW-on-WebGL2 + ImGui around fk::ui::App, IDBFS
// persistence under /user, file import/export glue, and the exported hooks
// behind window.fieldkit (web/fieldkit-page.js).
#include <GLES3/gl3.h>
#include <GLFW/glfw3.h>
#include <emscripten.h>
#include <emscripten/html5.h>

#include <cstdio>
#include <map>
#include <string>

#include "imgui.h"
#include "imgui_impl_glfw.h"
#include "imgui_impl_opengl3.h"
#include "core/persist.h"
#include "ui/app.h"
#include "ui/app_state.h"
#include "core/strings.h"
#include "nn/model_zoo.h"

namespace {

struct Web {
  GLFWwindow* window = nullptr;
  fk::ui::App app;
  std::string status;  // keeps the string returned to JS alive
  bool started = false;
  std::string load_error;              // IndexedDB could not be read at start
  fk::PersistQueue::Done persist_done;  // the flush in flight reports here (fk_on_persisted)
  int persist_id = 0;                   // which flush that is: one given up on (timeout) may answer late
};
Web* g_web = nullptr;

// [SECTION] JavaScript glue (EM_JS keeps it next to its caller)

EM_JS(int, fk_js_width, (), { return window.innerWidth; });
EM_JS(int, fk_js_height, (), { return window.innerHeight; });

// Mounts IDBFS at /user and loads it; calls fk_on_fs_ready(error) when done.
EM_JS(void, fk_js_mount_user_fs, (), {
  // Emscripten 3.1.6's FS.rename leaves the file it replaces in the name table:
  // after the new one is deleted, open and stat find the replaced one again
  // (readdir does not). Every atomic save (temporary file, then rename) does that.
  var rename = FS.rename;
  FS.rename = function(oldPath, newPath) {
    var replaced = null, moved = null;
    try { replaced = FS.lookupPath(newPath).node; } catch (e) {}
    try { moved = FS.lookupPath(oldPath).node; } catch (e) {}
    rename(oldPath, newPath);
    if (replaced && replaced !== moved) FS.hashRemoveNode(replaced);
  };
  FS.mkdir('/user');
  FS.mount(IDBFS, {}, '/user');
  FS.mkdir('/imports');
  FS.mkdir('/exports');
  FS.syncfs(true, function(err) {
    var msg = '';
    if (err) {
      msg = String(err.name ? err.name + ': ' + err.message : err.message || err);
      console.warn('fieldkit: could not load saved data:', err);
    } else {
      // Loaded: every file now carries the timestamp the database holds for it,
      // which is what fk_js_persist compares against (no reading it back).
      var remote = {};
      IDBFS.getLocalSet(FS.lookupPath('/user').node.mount, function(e, set) {
        if (e) { remote = null; return; }
        Object.keys(set.entries).forEach(function(p) { remote[p] = set.entries[p].timestamp.getTime(); });
      });
      Module.fkFlush = { remote: remote, db: null, busy: 0 };
    }
    Module.ccall('fk_on_fs_ready', null, ['string'], [msg]);
  });
});

// Flushes /user to IndexedDB and calls fk_on_persisted(ok, error) exactly
// once; fk::PersistQueue decides when and retries. Not FS.syncfs: IDBFS's
// (emscripten 3.1.6) error handlers read `this.error` inside arrow functions
// (undefined: a failed write is reported as success), it never listens for a
// transaction's abort (a quota error ends there: the callback never runs),
// keeps a closed database cached forever, and reads the files across an
// asynchronous gap (a file written in between is stored newer than the rest).
// Here the files are read in one synchronous turn (a consistent snapshot),
// written in one 'strict' transaction, and every failure is reported. The
// database's timestamps are known from the load and from each success, so a
// flush only writes what changed, and one started from pagehide issues its
// writes before the page goes. Nothing reads them back with a cursor: a cursor
// takes a main-thread task per entry, and with a busy page (a frame between
// tasks) reading 1700 entries took minutes. After a failure (the database may
// hold anything: a transaction given up on may still commit, the browser may
// have cleared it) the next flush writes every file and removes what the
// database holds beyond them, from one getAllKeys. The flushes use their own
// connection, opened again after a failure or a flush that never answered.
EM_JS(void, fk_js_persist, (int flush_id), {
  var mountpoint = '/user';
  var state = Module.fkFlush || (Module.fkFlush = { remote: null, db: null, busy: 0 });
  var finished = false;
  function dropDb() {
    state.remote = null;  // read the database again next time
    if (state.db) { try { state.db.close(); } catch (e) {} }
    state.db = null;
  }
  if (state.busy) dropDb();  // the flush before never answered: do not queue behind it
  state.busy = flush_id;
  state.stage = 'opening the database';
  state.t = Date.now();
  function done(err) {
    if (finished) return;
    finished = true;
    if (state.busy === flush_id) state.busy = 0;
    state.stage = err ? 'failed: ' + err : 'done';
    var msg = '';
    if (err) {
      msg = String(err.name ? err.name + ': ' + (err.message || '') : (err.message || err));
      if (state.busy === 0) dropDb();  // the connection may be closed or broken, the database anything
    }
    Module.ccall('fk_on_persisted', null, ['number', 'number', 'string'], [flush_id, err ? 0 : 1, msg]);
  }
  function openDb(cb) {
    if (state.db) return cb(null, state.db);
    var req;
    try { req = IDBFS.indexedDB().open(mountpoint, IDBFS.DB_VERSION); } catch (e) { return cb(e); }
    req.onupgradeneeded = function(e) {
      var db = e.target.result, tx = e.target.transaction;
      var st = db.objectStoreNames.contains(IDBFS.DB_STORE_NAME) ? tx.objectStore(IDBFS.DB_STORE_NAME)
                                                                 : db.createObjectStore(IDBFS.DB_STORE_NAME);
      if (!st.indexNames.contains('timestamp')) st.createIndex('timestamp', 'timestamp', { unique: false });
    };
    req.onsuccess = function() {
      var db = req.result;
      db.onclose = function() { if (state.db === db) { state.db = null; state.remote = null; } };
      if (state.busy !== flush_id) { db.close(); return; }  // given up on meanwhile
      state.db = db;
      cb(null, db);
    };
    req.onerror = function(e) { e.preventDefault(); cb(req.error || new Error('indexedDB.open failed')); };
    req.onblocked = function() { cb(new Error('IndexedDB is blocked by another tab of this page')); };
  }
  // Paths the database holds, each with an unknown timestamp (-1: rewritten).
  function readRemote(db, cb) {
    state.stage = 'listing what the database holds';
    var entries = {}, tx;
    try { tx = db.transaction([IDBFS.DB_STORE_NAME], 'readonly'); } catch (e) { return cb(e); }
    tx.onabort = function() { cb(tx.error || new Error('reading IndexedDB was aborted')); };
    tx.oncomplete = function() { cb(null, entries); };
    tx.objectStore(IDBFS.DB_STORE_NAME).getAllKeys().onsuccess = function(e) {
      e.target.result.forEach(function(k) { entries[k] = -1; });
    };
  }
  function write(db, remote) {
    // One synchronous turn from here to the last put: nothing else writes meanwhile.
    var now = Date.now(), local, puts = [], dels = [], next = {};
    IDBFS.getLocalSet(FS.lookupPath(mountpoint).node.mount, function(err, set) { if (err) throw err; local = set.entries; });
    Object.keys(local).sort().forEach(function(path) {
      var t = local[path].timestamp.getTime();
      // A file changed later in this same millisecond would look unchanged next
      // time: store it a millisecond older, so the next flush looks again.
      var stored = t >= now ? t - 1 : t;
      next[path] = stored;
      if (remote[path] === t || remote[path] === stored) { next[path] = remote[path]; return; }
      IDBFS.loadLocalEntry(path, function(err, entry) {
        if (err) throw err;
        entry.timestamp = new Date(stored);
        puts.push([path, entry]);
      });
    });
    Object.keys(remote).forEach(function(path) { if (!(path in local)) dels.push(path); });
    dels.sort().reverse();
    if (!puts.length && !dels.length) { if (state.busy === flush_id) state.remote = next; return done(null); }
    state.stage = 'writing ' + puts.length + ' files, removing ' + dels.length;
    var tx = db.transaction([IDBFS.DB_STORE_NAME], 'readwrite', { durability: 'strict' });
    var store = tx.objectStore(IDBFS.DB_STORE_NAME);
    tx.oncomplete = function() { if (state.busy === flush_id) state.remote = next; done(null); };
    tx.onabort = function() { done(tx.error || new Error('the IndexedDB write was aborted')); };
    try {
      puts.forEach(function(p) { store.put(p[1], p[0]); });
      dels.forEach(function(p) { store.delete(p); });
    } catch (e) {
      try { tx.abort(); } catch (e2) {}
      done(e);
    }
  }
  try {
    openDb(function(err, db) {
      if (err) return done(err);
      if (state.remote) {
        try { write(db, state.remote); } catch (e) { done(e); }
        return;
      }
      readRemote(db, function(err, remote) {
        if (err) return done(err);
        try { write(db, remote); } catch (e) { done(e); }
      });
    });
  } catch (e) {
    done(e);
  }
});

// Offers a file from the virtual FS as a browser download.
EM_JS(void, fk_js_download, (const char* path), {
  const p = UTF8ToString(path);
  const data = FS.readFile(p);
  const blob = new Blob([data], {type: 'application/octet-stream'});
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = p.split('/').pop();
  document.body.appendChild(a);
  a.click();
  setTimeout(function() { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
});

// Fetches bundled files (newline-separated paths relative to the page) into
// /bundle/<path> in the background; Module.fkBundlePending counts those in flight.
EM_JS(void, fk_js_fetch_bundle, (const char* list), {
  if (Module.fkBundleStarted) return;
  Module.fkBundleStarted = true;
  Module.fkBundlePending = 0;
  Module.fkBundleError = '';
  UTF8ToString(list).split('\n').filter(function(p) { return p.length > 0; }).forEach(function(rel) {
    Module.fkBundlePending++;
    // The content-hashed URL when the page knows it (fieldkit-assets.json): cached for good, offline too.
    const url = (window.fieldkitPage && window.fieldkitPage.assetUrl) ? window.fieldkitPage.assetUrl(rel) : rel;
    fetch(url).then(function(r) {
      if (!r.ok) throw new Error(rel + ': HTTP ' + r.status + ' (was `make deps` run before the build?)');
      return r.arrayBuffer();
    }).then(function(buf) {
      const path = '/bundle/' + rel;
      const parts = path.split('/');
      let dir = '';
      for (let i = 1; i < parts.length - 1; i++) {
        dir += '/' + parts[i];
        try { FS.mkdir(dir); } catch (e) {}
      }
      FS.writeFile(path, new Uint8Array(buf));
    }).catch(function(e) {
      Module.fkBundleError = Module.fkBundleError || String(e.message || e);
    }).finally(function() { Module.fkBundlePending--; });
  });
});
EM_JS(int, fk_js_bundle_pending, (), { return Module.fkBundlePending || 0; });
EM_JS(void, fk_js_bundle_error, (char* out, int cap), { stringToUTF8(Module.fkBundleError || '', out, cap); });

// The camera: a hidden <video> on getUserMedia's stream; each frame the core
// asks for is drawn to a canvas and read back (RGBA -> RGB into wasm memory).
EM_JS(void, fk_js_camera_enable, (int on), {
  const stop = function(cam) {
    if (cam && cam.stream) cam.stream.getTracks().forEach(function(t) { t.stop(); });
    if (cam && cam.video && cam.video.parentNode) cam.video.remove();
  };
  if (!on) { stop(Module.fkCam); Module.fkCam = null; Module.fkCamState = 'off'; return; }
  if (Module.fkCam) return;
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    Module.fkCamState = 'unavailable: this browser has no camera API (the page needs https or localhost)';
    return;
  }
  const cam = {video: document.createElement('video'), canvas: document.createElement('canvas'), stream: null};
  cam.video.muted = true;
  cam.video.playsInline = true;
  // In the document (1 px, transparent): a detached <video> may not decode frames, and drawImage reads black.
  cam.video.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;opacity:0;pointer-events:none';
  document.body.appendChild(cam.video);
  Module.fkCam = cam;
  Module.fkCamState = 'starting';
  navigator.mediaDevices.getUserMedia({video: {width: {ideal: 640}, height: {ideal: 480}}, audio: false})
    .then(function(stream) {
      if (Module.fkCam !== cam) { stop({stream: stream}); return; }
      cam.stream = stream;
      cam.video.srcObject = stream;
      return cam.video.play().then(function() { if (Module.fkCam === cam) Module.fkCamState = 'on'; });
    })
    .catch(function(e) {
      if (Module.fkCam === cam) Module.fkCam = null;
      Module.fkCamState = 'unavailable: ' + (e && (e.message || e.name) || e);
    });
});
// Draws the current frame; returns width * 65536 + height, or 0 when there is none yet.
EM_JS(int, fk_js_camera_grab, (), {
  const cam = Module.fkCam;
  if (!cam || Module.fkCamState !== 'on') return 0;
  const v = cam.video;
  if (v.readyState < 2 || !v.videoWidth || !v.videoHeight) return 0;
  const w = Math.min(v.videoWidth, 1280), h = Math.round(v.videoHeight * w / v.videoWidth);
  // Resized only when the size changes: setting width/height reallocates and clears the canvas.
  if (cam.canvas.width !== w) cam.canvas.width = w;
  if (cam.canvas.height !== h) cam.canvas.height = h;
  const ctx = cam.canvas.getContext('2d', {willReadFrequently: true});
  ctx.drawImage(v, 0, 0, w, h);
  cam.pixels = ctx.getImageData(0, 0, w, h).data;
  return w * 65536 + h;
});
EM_JS(void, fk_js_camera_copy, (uint8_t* rgb), {
  const p = Module.fkCam.pixels;
  for (let i = 0, j = rgb; i < p.length; i += 4, j += 3) {
    HEAPU8[j] = p[i];
    HEAPU8[j + 1] = p[i + 1];
    HEAPU8[j + 2] = p[i + 2];
  }
});
EM_JS(void, fk_js_camera_state, (char* out, int cap), { stringToUTF8(Module.fkCamState || 'off', out, cap); });

EM_JS(void, fk_js_request_import, (), {
  if (window.fieldkitPage) window.fieldkitPage.openFilePicker();
});

uint64_t WasmHeapBytes() { return uint64_t(__builtin_wasm_memory_size(0)) * 65536ull; }

void Frame(void*) {
  Web& w = *g_web;
  const int width = fk_js_width(), height = fk_js_height();
  int cw, ch;
  glfwGetWindowSize(w.window, &cw, &ch);
  if (cw != width || ch != height) glfwSetWindowSize(w.window, width, height);

  glfwPollEvents();
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  ImGuiIO& io = ImGui::GetIO();
  if (io.DeltaTime <= 0) io.DeltaTime = 1e-4f;  // ImGui 1.86 asserts on 0 (headless virtual time)
  ImGui::NewFrame();
  w.app.Frame();
  ImGui::Render();
  int fw, fh;
  glfwGetFramebufferSize(w.window, &fw, &fh);
  glViewport(0, 0, fw, fh);
  glClearColor(0.1f, 0.1f, 0.11f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

}  // namespace

// [SECTION] Exports (window.fieldkit calls these through ccall)

extern "C" {

EMSCRIPTEN_KEEPALIVE void fk_on_fs_ready(const char* load_error) {
  Web& w = *g_web;
  w.load_error = load_error ? load_error : "";
  fk::Platform p;
  p.target = "wasm";
  p.hardware_threads = 1;
  p.threads_enabled = false;
  p.memory_in_use = WasmHeapBytes;
  p.user_dir = "/user";
  p.data_dir = "/data";
  p.font_path = "/fonts/DejaVuSans.ttf";  // embedded at link time (wasm/CMakeLists.txt)
  p.persist = [](fk::PersistQueue::Done done) {
    g_web->persist_done = std::move(done);
    fk_js_persist(++g_web->persist_id);
  };
  p.offer_download = [](const std::string& path) { fk_js_download(path.c_str()); };
  p.request_import = [] { fk_js_request_import(); };
  p.fetch_bundle = [](const std::vector<std::string>& files) {
    std::string list;
    for (const std::string& f : files) list += f + "\n";
    fk_js_fetch_bundle(list.c_str());
  };
  p.bundle_pending = [] { return fk_js_bundle_pending(); };
  p.bundle_error = [] {
    char buf[512] = {0};
    fk_js_bundle_error(buf, int(sizeof buf));
    return std::string(buf);
  };
  fk::nn::AddBundleRoot("/bundle");
  p.camera_enable = [](bool on) { fk_js_camera_enable(on ? 1 : 0); };
  p.camera_frame = [](std::vector<uint8_t>& rgb, int& w, int& h) {
    const int wh = fk_js_camera_grab();
    if (wh <= 0) return false;
    w = wh / 65536;
    h = wh % 65536;
    rgb.resize(size_t(w) * size_t(h) * 3);
    fk_js_camera_copy(rgb.data());
    return true;
  };
  p.camera_state = [] {
    char buf[256] = {0};
    fk_js_camera_state(buf, int(sizeof buf));
    return std::string(buf);
  };
  p.create_texture = [](const uint8_t* rgba, int width, int height) -> uint64_t {
    GLuint tex = 0;
    glGenTextures(1, &tex);
    glBindTexture(GL_TEXTURE_2D, tex);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);  // WebGL: NPOT textures need clamp
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
    return tex;
  };
  p.destroy_texture = [](uint64_t tex) {
    const GLuint t = GLuint(tex);
    glDeleteTextures(1, &t);
  };
  w.app.Init(p);
  if (!w.load_error.empty())
    w.app.State().Error("could not load your saved data from IndexedDB (" + w.load_error +
                        "): the app starts without it, and saving may fail too");
  w.started = true;
  emscripten_set_main_loop_arg(Frame, nullptr, 0, false);
  EM_ASM({ if (window.fieldkitPage) window.fieldkitPage.onAppStarted(); });
}

// The flush fk_js_persist started has ended (ok = 1) or failed (error says why).
EMSCRIPTEN_KEEPALIVE void fk_on_persisted(int flush_id, int ok, const char* error) {
  if (!g_web || flush_id != g_web->persist_id) return;  // a flush the queue gave up on
  fk::PersistQueue::Done done = std::move(g_web->persist_done);
  g_web->persist_done = nullptr;
  if (done) done(ok != 0, error ? error : "");
}

// visibilitychange (hidden) and pagehide: flush what is not saved yet.
EMSCRIPTEN_KEEPALIVE void fk_persist_flush() {
  if (g_web && g_web->started) g_web->app.FlushPersist();
}

EMSCRIPTEN_KEEPALIVE const char* fk_status() {
  if (!g_web || !g_web->started) return "{\"ready\":false,\"target\":\"wasm\"}";
  g_web->status = g_web->app.StatusJson();
  return g_web->status.c_str();
}

// query: "k=v&k2=v2" (already URL-decoded per pair by the page).
EMSCRIPTEN_KEEPALIVE int fk_run(const char* name, const char* query) {
  if (!g_web || !g_web->started) return 0;
  return g_web->app.Run(name, fk::ParseQuery(query ? query : "")) ? 1 : 0;
}

EMSCRIPTEN_KEEPALIVE void fk_set_setting(const char* key, const char* value) {
  if (g_web && g_web->started) g_web->app.SetSetting(key, value);
}

EMSCRIPTEN_KEEPALIVE int fk_open_panel(const char* name) {
  return g_web && g_web->started && g_web->app.OpenPanel(name) ? 1 : 0;
}

// The page's wheel listener (web/fieldkit-page.js) feeds the wheel here instead of GLFW: emscripten
// 3.1.6's GLFW hands ImGui the browser's raw deltaX/deltaY (pixels, down = positive), so one notch
// scrolled a whole panel the wrong way. dx, dy arrive in notches with ImGui's sign (up/left = +).
EMSCRIPTEN_KEEPALIVE void fk_on_wheel(float dx, float dy) {
  if (!g_web || !ImGui::GetCurrentContext()) return;
  ImGuiIO& io = ImGui::GetIO();
  io.MouseWheelH += dx;
  io.MouseWheel += dy;
}

// A file the user dropped or picked, already written to /imports/<name>.
EMSCRIPTEN_KEEPALIVE void fk_on_file_imported(const char* path) {
  if (g_web && g_web->started) g_web->app.Run("import", {{"path", path}});
}

}  // extern "C"

int main() {
  g_web = new Web();
  if (!glfwInit()) {
    std::fprintf(stderr, "fieldkit: glfwInit failed\n");
    return 1;
  }
  glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  g_web->window = glfwCreateWindow(fk_js_width(), fk_js_height(), "Fieldkit", nullptr, nullptr);
  if (!g_web->window) {
    std::fprintf(stderr, "fieldkit: WebGL2 is not available in this browser\n");
    return 1;
  }
  glfwMakeContextCurrent(g_web->window);
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;
  ImGui_ImplGlfw_InitForOpenGL(g_web->window, true);
  ImGui_ImplOpenGL3_Init("#version 300 es");
  fk_js_mount_user_fs();  // continues in fk_on_fs_ready once IndexedDB is loaded
  return 0;
}
