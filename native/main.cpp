// Desktop entry point: GLFW window + OpenGL 3 + ImGui backends around fk::ui::App.
//   fieldkit [--frames N] [--run NAME] [--panel NAME] [--size WxH] [--until-idle] [--status FILE]
#include <filesystem>
#include <GLFW/glfw3.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <sys/stat.h>
#include <thread>

#include "imgui.h"
#include "imgui_impl_glfw.h"
#include "imgui_impl_opengl3.h"
#include "nn/model_zoo.h"
#include "ui/app.h"
#include "ui/app_state.h"
#include "core/strings.h"

static uint64_t ResidentBytes() {
  long pages = 0, resident = 0;
  std::ifstream f("/proc/self/statm");
  if (!(f >> pages >> resident)) return 0;
  return uint64_t(resident) * uint64_t(sysconf(_SC_PAGESIZE));
}

// RGBA8 textures for pictures drawn by panels (GL 1.1 calls: in every GL header).
static uint64_t CreateTexture(const uint8_t* rgba, int width, int height) {
  GLuint tex = 0;
  glGenTextures(1, &tex);
  glBindTexture(GL_TEXTURE_2D, tex);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);  // pixels stay crisp when zoomed
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
  return tex;
}
// The page's IndexedDB flush, natively: the user dir's files are already
// written; syncfs makes their file system write them to the disk (a few ms)
// and reports a write-back error (ENOSPC, EIO) the writes themselves missed.
static void SyncUserDir(const std::string& dir, const std::function<void(bool, const std::string&)>& done) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) {
    done(false, dir + ": " + std::strerror(errno));
    return;
  }
  const int r = ::syncfs(fd);
  const int err = errno;
  ::close(fd);
  if (r != 0) done(false, dir + ": syncfs: " + std::strerror(err));
  else done(true, "");
}

static void DestroyTexture(uint64_t tex) {
  const GLuint t = GLuint(tex);
  glDeleteTextures(1, &t);
}

static const char* kHelp =
    "usage: fieldkit [--frames N] [--run NAME] [--panel NAME] [--size WxH] [--until-idle] [--status FILE]\n"
    "  --frames N    render N frames, then exit cleanly (smoke tests)\n"
    "  --run NAME[?k=v&...]  start an action on launch, as the page's ?run= (e.g. system-bench,\n"
    "                sparse-bench?sparsity=0,0.9)\n"
    "  --panel NAME  open a panel by id or title (e.g. system, \"Feature Store\")\n"
    "  --size WxH    window size (default 1280x800)\n"
    "  --until-idle  exit once no job has run for 30 frames (after --run's work; --frames still caps it)\n"
    "  --status FILE write the app's status JSON (the page's window.fieldkit.status()) to FILE on exit\n"
    "User settings live in $XDG_CONFIG_HOME/fieldkit (or ~/.config/fieldkit). The bundled data sets: ./data,\n"
    "else the checkout's data/ the program was built in, or $FIELDKIT_DATA.\n";

int main(int argc, char** argv) {
  long frames = -1;
  int width = 1280, height = 800;
  std::string run, panel, status_path;
  bool until_idle = false;
  for (int i = 1; i < argc; i++) {
    const std::string a = argv[i];
    auto next = [&](const char* what) -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "fieldkit: %s needs a value\n", what);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      std::printf("%s", kHelp);
      return 0;
    } else if (a == "--frames") {
      frames = std::atol(next("--frames").c_str());
    } else if (a == "--run") {
      run = next("--run");
    } else if (a == "--until-idle") {
      until_idle = true;
    } else if (a == "--status") {
      status_path = next("--status");
    } else if (a == "--panel") {
      panel = next("--panel");
    } else if (a == "--size") {
      if (std::sscanf(next("--size").c_str(), "%dx%d", &width, &height) != 2 || width < 320 || height < 240) {
        std::fprintf(stderr, "fieldkit: --size wants WxH, at least 320x240\n");
        return 2;
      }
    } else {
      std::fprintf(stderr, "fieldkit: unknown option %s (see --help)\n", a.c_str());
      return 2;
    }
  }

  glfwSetErrorCallback([](int code, const char* msg) { std::fprintf(stderr, "glfw error %d: %s\n", code, msg); });
  if (!glfwInit()) {
    std::fprintf(stderr, "fieldkit: cannot initialise GLFW (no display? set DISPLAY or use fieldkit-cli)\n");
    return 1;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 2);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GL_TRUE);
  GLFWwindow* window = glfwCreateWindow(width, height, "Fieldkit", nullptr, nullptr);
  if (!window) {
    std::fprintf(stderr, "fieldkit: cannot create an OpenGL 3.2 window\n");
    glfwTerminate();
    return 1;
  }
  glfwMakeContextCurrent(window);
  glfwSwapInterval(1);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // layout is fixed by the app; settings are ours
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  ImGui_ImplOpenGL3_Init("#version 150");

  fk::Platform platform;
  platform.target = "native";
  platform.hardware_threads = int(std::max(1u, std::thread::hardware_concurrency()));
  platform.threads_enabled = true;
  platform.memory_in_use = ResidentBytes;
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  const char* home = std::getenv("HOME");
  std::string user_dir = xdg ? std::string(xdg) + "/fieldkit" : std::string(home ? home : ".") + "/.config/fieldkit";
  std::string parent = user_dir.substr(0, user_dir.rfind('/'));
  mkdir(parent.c_str(), 0755);
  mkdir(user_dir.c_str(), 0755);
  platform.user_dir = user_dir;
  platform.persist = [user_dir](std::function<void(bool, const std::string&)> done) { SyncUserDir(user_dir, done); };
  platform.font_path = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
  platform.offer_download = [](const std::string& path) { std::fprintf(stderr, "fieldkit: saved %s\n", path.c_str()); };
  platform.create_texture = CreateTexture;
  {  // the bundled models and picture sit beside the program (models/, images/)
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) fk::nn::AddBundleRoot(exe.parent_path().string());
    // The bundled data sets: ./data when started from the checkout; else the checkout the program
    // was built in (build/native/fieldkit -> data/), so a replay works from any folder.
    if (const char* d = std::getenv("FIELDKIT_DATA")) {
      platform.data_dir = d;
    } else if (!std::filesystem::is_directory("data/recommend", ec) && !exe.empty()) {
      for (auto dir : {exe.parent_path() / "data", exe.parent_path().parent_path().parent_path() / "data"})
        if (std::filesystem::is_directory(dir / "recommend", ec)) {
          platform.data_dir = dir.string();
          break;
        }
    }
  }
  platform.destroy_texture = DestroyTexture;

  fk::ui::App app;
  app.Init(platform);
  if (!panel.empty() && !app.OpenPanel(panel)) std::fprintf(stderr, "fieldkit: no panel named '%s'\n", panel.c_str());
  if (!run.empty()) {  // "name" or "name?k=v&k2=v2", like the page's ?run=
    std::map<std::string, std::string> params;
    run = fk::SplitRunSpec(run, &params);
    if (!app.Run(run, params)) std::fprintf(stderr, "fieldkit: --run %s did not start (see the app's error line)\n", run.c_str());
  }

  long frame = 0, idle_frames = 0;
  while (!glfwWindowShouldClose(window) && (frames < 0 || frame < frames)) {
    glfwPollEvents();
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    if (io.DeltaTime <= 0) io.DeltaTime = 1e-4f;
    ImGui::NewFrame();
    app.Frame();
    ImGui::Render();
    int w, h;
    glfwGetFramebufferSize(window, &w, &h);
    glViewport(0, 0, w, h);
    glClearColor(0.1f, 0.1f, 0.11f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    glfwSwapBuffers(window);
    frame++;
    // Scripted runs (tests/desktop_smoke.sh): done once the work --run started, and whatever it
    // queued after, has finished. A replay runs its workflows one job after another, never idle between.
    idle_frames = app.State().jobs.Busy() ? 0 : idle_frames + 1;
    if (until_idle && frame > 30 && idle_frames >= 30) break;
  }
  if (!status_path.empty()) {
    std::ofstream out(status_path, std::ios::trunc);
    out << app.StatusJson() << "\n";
    if (!out) std::fprintf(stderr, "fieldkit: cannot write %s\n", status_path.c_str());
  }
  app.Shutdown();
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
  return 0;
}
