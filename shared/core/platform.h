// What the platform entry point (native/ or wasm/) tells the core and UI about
// the machine. The core never includes platform headers; it reads this struct.
//
//   fk::Platform p;  p.memory_in_use = &ReadRss;  p.hardware_threads = 2;
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace fk {

struct Platform {
  std::string target = "native";                     // "native" | "wasm"
  int hardware_threads = 1;                          // usable for worker threads
  bool threads_enabled = false;                      // jobs may run on a worker thread
  std::function<uint64_t()> memory_in_use;           // bytes (RSS or wasm heap); may be empty
  // Files: natively a path on disk; in the page a file in the virtual FS that
  // the browser then downloads. Empty when not supported (headless tests).
  std::function<void(const std::string& path)> offer_download;
  std::function<void()> request_import;              // open the browser file picker
  // Flushes user data (the user dir) to durable storage: IDBFS -> IndexedDB in
  // the page, syncfs natively. Calls done(ok, error) exactly once, possibly
  // before returning; never called again before that (fk::PersistQueue, in
  // core/persist.h, owns the when and the retries). Empty: nothing to flush.
  std::function<void(std::function<void(bool ok, const std::string& error)> done)> persist;
  std::string data_dir = "data";                     // bundled data sets and models
  std::string font_path;                             // UI font (TTF); empty or missing = ImGui's built-in
  std::string user_dir = ".";                        // persisted settings / user data
  // Pictures drawn by panels (Label Review): uploads RGBA8 pixels as a texture
  // the ImGui renderer can draw and returns its ImTextureID (a GL texture name);
  // 0 or empty when there is no renderer (headless tests draw no picture).
  std::function<uint64_t(const uint8_t* rgba, int width, int height)> create_texture;
  std::function<void(uint64_t texture)> destroy_texture;
  // Bundled files (real models, their reference outputs, the sample picture;
  // nn/model_zoo.h) the page fetches from its server on first use into its
  // virtual FS: fetch_bundle(paths relative to the page) starts it (idempotent),
  // bundle_pending() counts files still in flight, bundle_error() says why one
  // failed. Empty natively: the files are on disk beside the program.
  std::function<void(const std::vector<std::string>& relative_paths)> fetch_bundle;
  std::function<int()> bundle_pending;
  std::function<std::string()> bundle_error;
  // A camera (the page's getUserMedia; the browser asks the user first):
  // camera_enable(true/false) starts or stops it; camera_frame(rgb, w, h) copies
  // the current video frame (RGB8) and is false when there is none yet;
  // camera_state() says "off", "starting", "on" or "unavailable: why".
  // Empty where there is no camera support (the desktop app, headless tests).
  std::function<void(bool on)> camera_enable;
  std::function<bool(std::vector<uint8_t>& rgb, int& width, int& height)> camera_frame;
  std::function<std::string()> camera_state;
};

}  // namespace fk
