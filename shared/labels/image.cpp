#include "labels/image.h"

#include <cstdio>
#include <fstream>
#include <iterator>

// stb is compiled here once, for the core only; everything else includes the API.
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_NO_STDIO
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#endif
#include <stb/stb_image.h>
#include <stb/stb_image_write.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace fk::labels {

Result<Image> DecodeImage(const uint8_t* bytes, size_t size, const std::string& name) {
  if (size == 0) return Status::Error(name + ": empty file");
  if (size > size_t(1) << 30) return Status::Error(name + ": file larger than 1 GiB");
  int w = 0, h = 0, comp = 0;
  // Header only: the size check happens before a single pixel is decoded.
  if (!stbi_info_from_memory(bytes, int(size), &w, &h, &comp)) {
    return Status::Error(name + ": not a PNG or JPEG image (" + stbi_failure_reason() + ")");
  }
  if (w <= 0 || h <= 0) return Status::Error(name + ": image has no pixels");
  if (w > kMaxImageSide || h > kMaxImageSide) {
    return Status::Error(name + ": image is " + std::to_string(w) + "x" + std::to_string(h) +
                         ", larger than the " + std::to_string(kMaxImageSide) + "x" +
                         std::to_string(kMaxImageSide) + " limit (refused before decoding)");
  }
  int dw = 0, dh = 0, dc = 0;
  uint8_t* px = stbi_load_from_memory(bytes, int(size), &dw, &dh, &dc, 3);
  if (!px) return Status::Error(name + ": truncated or corrupt image (" + stbi_failure_reason() + ")");
  Image img(dw, dh);
  std::copy(px, px + size_t(dw) * size_t(dh) * 3, img.rgb.begin());
  stbi_image_free(px);
  return img;
}

Result<Image> LoadImage(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::Error(path + ": cannot open");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return DecodeImage(bytes.data(), bytes.size(), path);
}

static void AppendBytes(void* ctx, void* data, int size) {
  auto* out = static_cast<std::vector<uint8_t>*>(ctx);
  const auto* p = static_cast<const uint8_t*>(data);
  out->insert(out->end(), p, p + size);
}

std::vector<uint8_t> EncodePng(const Image& img) {
  std::vector<uint8_t> out;
  stbi_write_png_compression_level = 9;  // the bundle is small; favour size over speed
  stbi_write_png_to_func(AppendBytes, &out, img.width, img.height, 3, img.rgb.data(), img.width * 3);
  return out;
}

Status SavePng(const Image& img, const std::string& path) {
  const std::vector<uint8_t> bytes = EncodePng(img);
  if (bytes.empty()) return Status::Error(path + ": PNG encoding failed");
  std::ofstream f(path, std::ios::binary);
  if (!f) return Status::Error(path + ": cannot write");
  f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  if (!f) return Status::Error(path + ": write failed");
  return Status::Ok();
}

std::vector<float> ToGray(const Image& img) {
  std::vector<float> g(size_t(img.width) * size_t(img.height));
  for (size_t i = 0; i < g.size(); i++) {
    const uint8_t* p = &img.rgb[i * 3];
    g[i] = (0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2]) * (1.0f / 255.0f);
  }
  return g;
}

}  // namespace fk::labels

namespace fk::labels {
void DrawRect(Image* img, float left, float top, float width, float height, uint8_t r, uint8_t g, uint8_t b) {
  const int x0 = int(left), y0 = int(top), x1 = int(left + width), y1 = int(top + height);
  auto put = [&](int x, int y) {
    if (x < 0 || y < 0 || x >= img->width || y >= img->height) return;
    uint8_t* p = img->At(x, y);
    p[0] = r;
    p[1] = g;
    p[2] = b;
  };
  for (int x = x0; x <= x1; x++) {
    put(x, y0);
    put(x, y1);
  }
  for (int y = y0; y <= y1; y++) {
    put(x0, y);
    put(x1, y);
  }
}
}  // namespace fk::labels
