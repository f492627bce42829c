#include "labels/image.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <utility>

// stb is compiled here once, for the core only, and only this file calls it:
// DecodeImage is the one way in, and it hands stb nothing it has not checked.
// This file is compiled with -fwrapv (shared/CMakeLists.txt): stb's JPEG
// decoder sums and scales DC coefficients from the file in int, which a
// crafted file overflows; wrapping makes that garbage pixels instead of UB.
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_NO_STDIO
#define STBI_MAX_DIMENSIONS 8192  // = kMaxImageSide; a second line behind the header check
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

static_assert(STBI_MAX_DIMENSIONS == kMaxImageSide, "stb's limit is the loader's");

namespace {

uint32_t Be16(const uint8_t* p) { return uint32_t(p[0]) << 8 | p[1]; }
uint32_t Be32(const uint8_t* p) { return Be16(p) << 16 | Be16(p + 2); }

std::string Hex(unsigned v) {
  char b[8];
  std::snprintf(b, sizeof b, "0x%02X", v & 0xFFu);
  return b;
}

// PNG: the signature, then IHDR (stb refuses any other first chunk).
Status PngSize(const uint8_t* p, size_t n, const std::string& name, uint32_t* w, uint32_t* h) {
  if (n < 24 || Be32(p + 8) != 13 || std::memcmp(p + 12, "IHDR", 4) != 0)
    return Status::Error(name + ": corrupt PNG: no IHDR chunk after the signature");
  *w = Be32(p + 16);
  *h = Be32(p + 20);
  return Status::Ok();
}

// stb_image 2.27 copies an IDAT chunk's data with memcpy even when it is
// empty, into a buffer it allocates only for a non-empty one: an empty first
// IDAT is memcpy(NULL, p, 0), undefined behaviour (a fuzzer's file). An empty
// IDAT carries no data, so a copy of the file without such chunks decodes to
// the same pixels. Returns false (no copy) when the file has none.
bool WithoutEmptyIdat(const uint8_t* p, size_t n, std::vector<uint8_t>* out) {
  std::vector<std::pair<size_t, size_t>> keep;  // byte ranges to copy
  size_t pos = 8, from = 0;
  while (n - pos >= 12) {
    const uint32_t len = Be32(p + pos);
    if (len > n - pos - 12) break;  // truncated: stb reports it
    if (len == 0 && std::memcmp(p + pos + 4, "IDAT", 4) == 0) {
      keep.emplace_back(from, pos);
      from = pos + 12;
    }
    if (std::memcmp(p + pos + 4, "IEND", 4) == 0) break;
    pos += 12 + size_t(len);
  }
  if (keep.empty()) return false;
  keep.emplace_back(from, n);
  out->clear();
  for (auto [a, b] : keep) out->insert(out->end(), p + a, p + b);
  return true;
}

// Walks a JPEG's segments the way stb_image 2.27 reads them and checks what
// stb trusts: every segment fits in the file; each Huffman table has at most
// 256 codes that form a prefix code (more overflow stb's 257-entry arrays: a
// fuzzer's 136-byte file did); frame and scan headers are in range; and every
// Huffman/quantisation table a scan uses was defined before it (stb would read
// an uninitialised table). Entropy-coded bytes are skipped as stb skips them:
// up to the first 0xFF that is not stuffing (0xFF00), fill or a restart marker.
Status CheckJpeg(const uint8_t* p, size_t n, const std::string& name, uint32_t* width, uint32_t* height) {
  auto bad = [&](size_t at, const std::string& what) {
    return Status::Error(name + ": corrupt JPEG at byte " + std::to_string(at) + ": " + what);
  };
  bool dc_defined[4] = {}, ac_defined[4] = {}, q_defined[4] = {};
  bool frame = false, progressive = false;
  int ncomp = 0, ids[4] = {}, quant[4] = {};
  size_t pos = 2;  // after SOI
  for (;;) {
    if (pos >= n) {
      // stb reports a missing scan or EOI itself; a file that ends before the
      // frame header has no size to check.
      if (!frame) return bad(pos, "the file ends before the frame header (SOF)");
      return Status::Ok();
    }
    if (p[pos] != 0xFF) {
      // stb skips padding between segments before the frame header, and nowhere else.
      if (frame) return bad(pos, "expected a marker, found " + Hex(p[pos]));
      pos++;
      continue;
    }
    const size_t at = pos;
    while (pos < n && p[pos] == 0xFF) pos++;  // fill bytes
    if (pos >= n) return frame ? Status::Ok() : bad(at, "the file ends inside a marker");
    const unsigned m = p[pos++];
    if (m == 0xD9) {  // EOI: stb stops reading here
      if (!frame) return bad(at, "end of image before the frame header (SOF)");
      return Status::Ok();
    }
    if (m == 0x00 || m == 0x01 || (m >= 0xD0 && m <= 0xD8))
      return bad(at, "unexpected marker " + Hex(m) + " outside a scan");
    if (n - pos < 2) return bad(at, "segment " + Hex(m) + " has no length");
    const size_t len = Be16(p + pos);
    if (len < 2) return bad(at, "segment " + Hex(m) + " length " + std::to_string(len) + " (at least 2)");
    if (len > n - pos) return bad(at, "segment " + Hex(m) + " of " + std::to_string(len) + " bytes runs past the end of the file");
    const uint8_t* b = p + pos + 2;
    const size_t blen = len - 2, next = pos + len;
    switch (m) {
      case 0xC4: {  // DHT: one or more tables
        size_t i = 0;
        while (i < blen) {
          if (blen - i < 17) return bad(at, "Huffman table header cut short by the segment's length");
          const unsigned tc = b[i] >> 4, th = b[i] & 15u;
          if (tc > 1 || th > 3) return bad(at, "Huffman table class " + std::to_string(tc) + " id " + std::to_string(th) + " (class 0..1, id 0..3)");
          const std::string table = std::string("Huffman table ") + (tc ? "AC " : "DC ") + std::to_string(th);
          uint32_t total = 0, code = 0;
          for (int k = 0; k < 16; k++) total += b[i + 1 + size_t(k)];
          if (total > 256) return bad(at, table + " declares " + std::to_string(total) + " codes (at most 256)");
          // Canonical codes: the codes of each length must fit in that many bits.
          for (int k = 0; k < 16; k++) {
            const uint32_t count = b[i + 1 + size_t(k)];
            code += count;
            if (code > (1u << (k + 1)))
              return bad(at, table + ": " + std::to_string(count) + " codes of length " + std::to_string(k + 1) +
                                 " do not fit (not a prefix code)");
            code <<= 1;
          }
          if (blen - i - 17 < total) return bad(at, table + ": its " + std::to_string(total) + " symbols run past the segment");
          (tc ? ac_defined : dc_defined)[th] = true;
          i += 17 + total;
        }
        break;
      }
      case 0xDB: {  // DQT
        size_t i = 0;
        while (i < blen) {
          const unsigned pq = b[i] >> 4, tq = b[i] & 15u;
          if (pq > 1 || tq > 3) return bad(at, "quantisation table precision " + std::to_string(pq) + " id " + std::to_string(tq) + " (0..1, 0..3)");
          const size_t size = pq ? 128 : 64;
          if (blen - i - 1 < size) return bad(at, "quantisation table " + std::to_string(tq) + " cut short by the segment's length");
          q_defined[tq] = true;
          i += 1 + size;
        }
        break;
      }
      case 0xDD:  // DRI
        if (len != 4) return bad(at, "restart interval segment of " + std::to_string(len) + " bytes (4)");
        break;
      case 0xDC:  // DNL: stb reads it only after the frame header
        if (!frame || len != 4) return bad(at, "unexpected DNL segment");
        break;
      case 0xC0:
      case 0xC1:
      case 0xC2: {  // SOF: baseline, extended, progressive Huffman
        if (frame) return bad(at, "a second frame header");
        if (blen < 6) return bad(at, "frame header of " + std::to_string(len) + " bytes");
        if (b[0] != 8) return bad(at, std::to_string(b[0]) + "-bit samples (only 8-bit JPEG is supported)");
        *height = Be16(b + 1);
        *width = Be16(b + 3);
        if (*width == 0 || *height == 0)
          return bad(at, "frame of " + std::to_string(*width) + "x" + std::to_string(*height) + " pixels (a DNL height is not supported)");
        ncomp = b[5];
        if (ncomp != 1 && ncomp != 3 && ncomp != 4) return bad(at, "frame with " + std::to_string(ncomp) + " components (1, 3 or 4)");
        if (blen != 6 + 3 * size_t(ncomp)) return bad(at, "frame header of " + std::to_string(len) + " bytes for " + std::to_string(ncomp) + " components");
        unsigned hmax = 1, vmax = 1, hs[4], vs[4];
        for (int c = 0; c < ncomp; c++) {
          const uint8_t* d = b + 6 + 3 * c;
          ids[c] = d[0];
          hs[c] = d[1] >> 4, vs[c] = d[1] & 15u;
          quant[c] = d[2];
          for (int k = 0; k < c; k++)
            if (ids[k] == ids[c]) return bad(at, "component id " + std::to_string(ids[c]) + " appears twice");
          if (hs[c] < 1 || hs[c] > 4 || vs[c] < 1 || vs[c] > 4)
            return bad(at, "component " + std::to_string(ids[c]) + " sampling " + std::to_string(hs[c]) + "x" + std::to_string(vs[c]) + " (1..4 each)");
          if (quant[c] > 3) return bad(at, "component " + std::to_string(ids[c]) + " quantisation table " + std::to_string(quant[c]) + " (0..3)");
          hmax = std::max(hmax, hs[c]), vmax = std::max(vmax, vs[c]);
        }
        // stb resamples by whole factors only.
        for (int c = 0; c < ncomp; c++)
          if (hmax % hs[c] || vmax % vs[c])
            return bad(at, "component " + std::to_string(ids[c]) + " sampling " + std::to_string(hs[c]) + "x" +
                               std::to_string(vs[c]) + " does not divide the largest, " + std::to_string(hmax) + "x" + std::to_string(vmax));
        frame = true;
        progressive = m == 0xC2;
        break;
      }
      case 0xDA: {  // SOS, then entropy-coded data
        if (!frame) return bad(at, "a scan before the frame header");
        const int ns = blen ? b[0] : 0;
        if (ns < 1 || ns > ncomp) return bad(at, "scan of " + std::to_string(ns) + " components (frame has " + std::to_string(ncomp) + ")");
        if (blen != 4 + 2 * size_t(ns)) return bad(at, "scan header of " + std::to_string(len) + " bytes for " + std::to_string(ns) + " components");
        const unsigned ss = b[1 + 2 * ns], se = b[2 + 2 * ns], ah = b[3 + 2 * ns] >> 4, al = b[3 + 2 * ns] & 15u;
        if (progressive) {
          if (ss > 63 || se > 63 || ss > se || ah > 13 || al > 13)
            return bad(at, "progressive scan Ss " + std::to_string(ss) + " Se " + std::to_string(se) + " Ah " + std::to_string(ah) + " Al " + std::to_string(al) + " out of range");
          if (ss == 0 && se != 0) return bad(at, "progressive scan Ss 0..Se " + std::to_string(se) + " mixes DC and AC");
          if (ss > 0 && ns != 1) return bad(at, "progressive AC scan of " + std::to_string(ns) + " components (1)");
        } else if (ss != 0 || ah != 0 || al != 0) {
          return bad(at, "baseline scan with Ss " + std::to_string(ss) + ", Ah " + std::to_string(ah) + ", Al " + std::to_string(al) + " (must be 0)");
        }
        // Which tables stb's decoder reads for this scan.
        const bool uses_dc = !progressive || (ss == 0 && ah == 0), uses_ac = !progressive || ss > 0;
        bool seen[4] = {};
        for (int s = 0; s < ns; s++) {
          const int id = b[1 + 2 * s];
          const unsigned td = b[2 + 2 * s] >> 4, ta = b[2 + 2 * s] & 15u;
          int c = 0;
          while (c < ncomp && ids[c] != id) c++;
          if (c == ncomp) return bad(at, "scan names component " + std::to_string(id) + ", not in the frame");
          if (seen[c]) return bad(at, "scan names component " + std::to_string(id) + " twice");
          seen[c] = true;
          if (td > 3 || ta > 3) return bad(at, "scan Huffman table ids " + std::to_string(td) + "/" + std::to_string(ta) + " (0..3)");
          if (uses_dc && !dc_defined[td]) return bad(at, "scan uses DC Huffman table " + std::to_string(td) + ", which no DHT defined before it");
          if (uses_ac && !ac_defined[ta]) return bad(at, "scan uses AC Huffman table " + std::to_string(ta) + ", which no DHT defined before it");
          if (!q_defined[quant[c]])
            return bad(at, "component " + std::to_string(id) + " uses quantisation table " + std::to_string(quant[c]) + ", which no DQT defined before the scan");
        }
        size_t i = next;
        while (i < n) {
          if (p[i] != 0xFF) { i++; continue; }
          if (i + 1 >= n) break;
          const uint8_t c = p[i + 1];
          if (c == 0x00 || (c >= 0xD0 && c <= 0xD7)) i += 2;  // stuffed 0xFF, restart marker
          else if (c == 0xFF) i++;                             // fill
          else break;                                          // the marker after the scan
        }
        pos = i;
        continue;
      }
      default:
        if ((m >= 0xE0 && m <= 0xEF) || m == 0xFE) break;  // APPn, COM: stb reads at most its JFIF/Adobe tags inside
        if (m >= 0xC3 && m <= 0xCF)
          return bad(at, "unsupported marker " + Hex(m) + " (a lossless, hierarchical or arithmetic-coded JPEG)");
        return bad(at, "unsupported marker " + Hex(m));
    }
    pos = next;
  }
}

}  // namespace

Result<Image> DecodeImage(const uint8_t* bytes, size_t size, const std::string& name) {
  if (size == 0) return Status::Error(name + ": empty file");
  if (size > size_t(1) << 30) return Status::Error(name + ": file larger than 1 GiB");
  static const uint8_t kPng[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  uint32_t w = 0, h = 0;
  // The header is ours to read: stb sees a file only once its size, and for a
  // JPEG every table and header it will trust, have been checked.
  Status st;
  if (size >= 8 && std::memcmp(bytes, kPng, 8) == 0) st = PngSize(bytes, size, name, &w, &h);
  else if (size >= 2 && bytes[0] == 0xFF && bytes[1] == 0xD8) st = CheckJpeg(bytes, size, name, &w, &h);
  else return Status::Error(name + ": not a PNG or JPEG image (unknown signature)");
  if (!st) return st;
  if (w == 0 || h == 0) return Status::Error(name + ": image has no pixels");
  if (w > uint32_t(kMaxImageSide) || h > uint32_t(kMaxImageSide)) {
    return Status::Error(name + ": image is " + std::to_string(w) + "x" + std::to_string(h) +
                         ", larger than the " + std::to_string(kMaxImageSide) + "x" +
                         std::to_string(kMaxImageSide) + " limit (refused before decoding)");
  }
  std::vector<uint8_t> png;
  if (bytes[0] == 0x89 && WithoutEmptyIdat(bytes, size, &png)) bytes = png.data(), size = png.size();
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
