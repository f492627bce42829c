// RGB8 images: decode PNG/JPEG (stb_image) with the size checked from the
// header before any pixel is decoded, write PNG, and a few drawing/sampling
// helpers (the label workflow's generator and detector, the real-model inputs).
// DecodeImage/LoadImage are the only way the repo decodes an image: they read
// the header themselves and, for a JPEG, check every segment stb would trust
// (Huffman and quantisation tables, frame and scan headers) before stb runs.
//
//   fk::Result<fk::Image> r = fk::LoadImage("data/logos/v1/0000.png");
//   if (!r) puts(r.status().message().c_str());
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace fk {

constexpr int kMaxImageSide = 8192;  // px; larger images are refused before decoding

struct Image {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;  // width*height*3, row-major
  Image() = default;
  Image(int w, int h) : width(w), height(h), rgb(size_t(w) * size_t(h) * 3, 0) {}
  uint8_t* At(int x, int y) { return &rgb[(size_t(y) * size_t(width) + size_t(x)) * 3]; }
  const uint8_t* At(int x, int y) const { return &rgb[(size_t(y) * size_t(width) + size_t(x)) * 3]; }
  bool empty() const { return width <= 0 || height <= 0; }
};

// `name` is only used in messages ("v1/0003.png: truncated or corrupt PNG ...").
Result<Image> DecodeImage(const uint8_t* bytes, size_t size, const std::string& name);
Result<Image> LoadImage(const std::string& path);
Status SavePng(const Image& img, const std::string& path);
// PNG bytes in memory (for the page's downloads and tests).
std::vector<uint8_t> EncodePng(const Image& img);

// Grey level (0..1) of every pixel: the detector's input.
std::vector<float> ToGray(const Image& img);

}  // namespace fk

namespace fk {
// A 1-px rectangle outline (debug views, `fieldkit-cli labels draw`).
void DrawRect(Image* img, float left, float top, float width, float height, uint8_t r, uint8_t g, uint8_t b);
}  // namespace fk
