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
#include "ui/app.h"

namespace {

struct Web {
  GLFWwindow* window = nullptr;
  fk::ui::App app;
  std::string status;  // keeps the string returned to JS alive
  bool started = false;
};
Web* g_web = nullptr;

// [SECTION] JavaScript glue (EM_JS keeps it next to its caller)

EM_JS(int, fk_js_width, (), { return window.innerWidth; });
EM_JS(int, fk_js_height, (), { return window.innerHeight; });

// Mounts IDBFS at /user and loads it; calls fk_on_fs_ready() when done.
EM_JS(void, fk_js_mount_user_fs, (), {
  FS.mkdir('/user');
  FS.mount(IDBFS, {}, '/user');
  FS.mkdir('/imports');
  FS.mkdir('/exports');
  FS.syncfs(true, function(err) {
    if (err) console.warn('fieldkit: could not load saved data:', err);
    Module._fk_on_fs_ready();
  });
});

// Flushes /user to IndexedDB; reports completion so tests can wait for it.
EM_JS(void, fk_js_persist, (), {
  FS.syncfs(false, function(err) {
    if (err) { console.warn('fieldkit: could not save to IndexedDB:', err); return; }
    Module._fk_on_persisted();
  });
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

EMSCRIPTEN_KEEPALIVE void fk_on_fs_ready() {
  Web& w = *g_web;
  fk::Platform p;
  p.target = "wasm";
  p.hardware_threads = 1;
  p.threads_enabled = false;
  p.memory_in_use = WasmHeapBytes;
  p.user_dir = "/user";
  p.data_dir = "/data";
  p.font_path = "/fonts/DejaVuSans.ttf";  // embedded at link time (wasm/CMakeLists.txt)
  p.persist = [] { fk_js_persist(); };
  p.offer_download = [](const std::string& path) { fk_js_download(path.c_str()); };
  p.request_import = [] { fk_js_request_import(); };
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
  w.started = true;
  emscripten_set_main_loop_arg(Frame, nullptr, 0, false);
  EM_ASM({ if (window.fieldkitPage) window.fieldkitPage.onAppStarted(); });
}

EMSCRIPTEN_KEEPALIVE void fk_on_persisted() {
  // persisted_at is set when the save is issued; this marks the IndexedDB flush.
  EM_ASM({ if (window.fieldkitPage) window.fieldkitPage.persistedAt = Date.now(); });
}

EMSCRIPTEN_KEEPALIVE const char* fk_status() {
  if (!g_web || !g_web->started) return "{\"ready\":false,\"target\":\"wasm\"}";
  g_web->status = g_web->app.StatusJson();
  return g_web->status.c_str();
}

// query: "k=v&k2=v2" (already URL-decoded per pair by the page).
EMSCRIPTEN_KEEPALIVE int fk_run(const char* name, const char* query) {
  if (!g_web || !g_web->started) return 0;
  std::map<std::string, std::string> params;
  std::string q = query ? query : "", item;
  size_t start = 0;
  while (start <= q.size()) {
    size_t amp = q.find('&', start);
    if (amp == std::string::npos) amp = q.size();
    item = q.substr(start, amp - start);
    const size_t eq = item.find('=');
    if (!item.empty()) params[item.substr(0, eq)] = eq == std::string::npos ? "" : item.substr(eq + 1);
    start = amp + 1;
  }
  return g_web->app.Run(name, params) ? 1 : 0;
}

EMSCRIPTEN_KEEPALIVE void fk_set_setting(const char* key, const char* value) {
  if (g_web && g_web->started) g_web->app.SetSetting(key, value);
}

EMSCRIPTEN_KEEPALIVE int fk_open_panel(const char* name) {
  return g_web && g_web->started && g_web->app.OpenPanel(name) ? 1 : 0;
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
