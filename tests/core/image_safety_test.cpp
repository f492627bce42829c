// Hostile image files through the one decoding entry point (core/image.h).
// Each JPEG is built byte by byte from a minimal valid one, so a test breaks
// exactly one thing. The first case is the fuzzer's finding: a DHT declaring
// more than 256 codes made stb_image 2.27 write past its 257-entry arrays
// while only reading the header (the size check before the 8192 px limit).
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/image.h"

using fk::DecodeImage;
using fk::Image;

namespace {

using Bytes = std::vector<uint8_t>;

void Append(Bytes* out, const Bytes& b) { out->insert(out->end(), b.begin(), b.end()); }

// FF <marker> <length> <body>: every marker segment.
Bytes Segment(uint8_t marker, const Bytes& body) {
  const size_t len = body.size() + 2;
  Bytes s = {0xFF, marker, uint8_t(len >> 8), uint8_t(len & 0xFF)};
  Append(&s, body);
  return s;
}

// One Huffman table: class (0 DC, 1 AC), id, codes per length 1..16, symbols.
Bytes HuffmanTable(int tc, int th, const std::array<int, 16>& counts, const Bytes& symbols) {
  Bytes b = {uint8_t(tc << 4 | th)};
  for (int c : counts) b.push_back(uint8_t(c));
  Append(&b, symbols);
  return b;
}

// Bits to entropy-coded bytes: padded with 1s, every 0xFF followed by a stuffed 0x00.
Bytes Entropy(const std::string& bits) {
  std::string padded = bits;
  while (padded.size() % 8) padded += '1';
  Bytes out;
  for (size_t i = 0; i < padded.size(); i += 8) {
    uint8_t v = 0;
    for (size_t k = 0; k < 8; k++) v = uint8_t(v << 1 | (padded[i + k] == '1'));
    out.push_back(v);
    if (v == 0xFF) out.push_back(0x00);
  }
  return out;
}

struct JpegParts {
  int width = 8, height = 8;
  uint8_t sof = 0xC0;          // baseline; 0xC2 progressive
  uint8_t precision = 8;
  Bytes components = {1, 0x11, 0};  // id, sampling HxV, quant table: one grey component
  Bytes dqt = [] {
    Bytes b = {0x00};
    b.resize(65, 1);  // 8-bit table 0, every step 1
    return b;
  }();
  // DC table 0: one 1-bit code for category 0; AC table 0: one 1-bit code for end-of-block.
  std::vector<Bytes> dht = {HuffmanTable(0, 0, {1}, {0x00}), HuffmanTable(1, 0, {1}, {0x00})};
  Bytes scan_header = {1, 1, 0x00, 0, 63, 0};  // one component (id 1, tables 0/0), Ss 0, Se 63, Ah/Al 0
  std::string bits = "00";                      // one 8x8 block: DC diff 0, end of block
  Bytes Build() const {
    Bytes j = {0xFF, 0xD8};
    Append(&j, Segment(0xDB, dqt));
    Bytes sof_body = {precision, uint8_t(height >> 8), uint8_t(height), uint8_t(width >> 8), uint8_t(width),
                      uint8_t(components.size() / 3)};
    Append(&sof_body, components);
    Append(&j, Segment(sof, sof_body));
    for (auto& t : dht) Append(&j, Segment(0xC4, t));
    Append(&j, Segment(0xDA, scan_header));
    Append(&j, Entropy(bits));
    Append(&j, {0xFF, 0xD9});
    return j;
  }
};

fk::Result<Image> Decode(const Bytes& b, const std::string& name = "t.jpg") { return DecodeImage(b.data(), b.size(), name); }

bool Says(const fk::Result<Image>& r, const std::string& text) {
  return !r.ok() && r.status().message().find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("core/image: the minimal JPEG the other cases break decodes to mid grey") {
  auto r = Decode(JpegParts().Build());
  REQUIRE(r.ok());
  CHECK(r->width == 8);
  CHECK(r->height == 8);
  for (uint8_t v : r->rgb) CHECK(int(v) == 128);
}

TEST_CASE("core/image: a JPEG Huffman table declaring more than 256 codes is refused, not handed to stb") {
  SUBCASE("a well-formed table of 300 nine- and ten-bit codes (a valid prefix code, too many symbols)") {
    JpegParts j;
    std::array<int, 16> counts{};
    counts[8] = 255, counts[9] = 45;
    j.dht[0] = HuffmanTable(0, 0, counts, Bytes(300, 0));
    auto r = Decode(j.Build(), "logo.jpg");
    INFO(r.status().message());
    CHECK(Says(r, "logo.jpg: corrupt JPEG at byte "));
    CHECK(Says(r, "Huffman table DC 0 declares 300 codes (at most 256)"));
  }
  SUBCASE("the fuzzer's shape: every count 0xFF and the file ending inside the table") {
    Bytes b = {0xFF, 0xD8, 0xFF, 0xC4, 0x01, 0x00, 0x01};
    for (int i = 0; i < 16; i++) b.push_back(0xFF);
    b.resize(136, 0x00);
    auto r = Decode(b, "crash.jpg");
    INFO(r.status().message());
    CHECK(Says(r, "crash.jpg: corrupt JPEG at byte 2: segment 0xC4 of 256 bytes runs past the end of the file"));
    b.resize(300, 0x00);  // the whole segment present: the count is what is refused
    r = Decode(b, "crash.jpg");
    INFO(r.status().message());
    CHECK(Says(r, "Huffman table DC 1 declares 4080 codes (at most 256)"));
  }
}

TEST_CASE("core/image: JPEG Huffman code lengths that are not a prefix code are refused") {
  JpegParts j;
  j.dht[1] = HuffmanTable(1, 0, {3}, {0x00, 0x01, 0x02});  // three 1-bit codes
  auto r = Decode(j.Build());
  INFO(r.status().message());
  CHECK(Says(r, "Huffman table AC 0: 3 codes of length 1 do not fit"));
}

TEST_CASE("core/image: a JPEG scan that uses a Huffman table no DHT defined is refused") {
  // stb would decode with an uninitialised table: indexes read from garbage.
  JpegParts j;
  j.scan_header[2] = 0x01;  // DC table 0, AC table 1 (never defined)
  auto r = Decode(j.Build());
  INFO(r.status().message());
  CHECK(Says(r, "scan uses AC Huffman table 1, which no DHT defined before it"));
  JpegParts q;
  q.components[2] = 2;  // quantisation table 2, never defined
  r = Decode(q.Build());
  INFO(r.status().message());
  CHECK(Says(r, "component 1 uses quantisation table 2, which no DQT defined before the scan"));
}

TEST_CASE("core/image: JPEG frame and scan headers out of range are refused with what is wrong") {
  struct Case {
    const char* what;
    void (*mutate)(JpegParts*);
    const char* message;
  };
  const Case cases[] = {
      {"12-bit samples", [](JpegParts* j) { j->precision = 12; }, "12-bit samples (only 8-bit JPEG is supported)"},
      {"zero width", [](JpegParts* j) { j->width = 0; }, "frame of 0x8 pixels"},
      {"two components", [](JpegParts* j) { j->components = {1, 0x11, 0, 2, 0x11, 0}; }, "2 components (1, 3 or 4)"},
      {"sampling 0", [](JpegParts* j) { j->components[1] = 0x01; }, "component 1 sampling 0x1 (1..4 each)"},
      {"sampling 3 vs 2", [](JpegParts* j) { j->components = {1, 0x22, 0, 2, 0x31, 0, 3, 0x11, 0}; },
       "component 1 sampling 2x2 does not divide the largest, 3x2"},
      {"same id twice", [](JpegParts* j) { j->components = {1, 0x11, 0, 1, 0x11, 0, 3, 0x11, 0}; },
       "component id 1 appears twice"},
      {"scan of an unknown component", [](JpegParts* j) { j->scan_header[1] = 9; }, "scan names component 9, not in the frame"},
      {"baseline scan starting at 5", [](JpegParts* j) { j->scan_header[3] = 5; }, "baseline scan with Ss 5, Ah 0, Al 0 (must be 0)"},
      {"progressive DC scan with AC", [](JpegParts* j) { j->sof = 0xC2, j->scan_header[4] = 5; },
       "progressive scan Ss 0..Se 5 mixes DC and AC"},
      {"arithmetic coding", [](JpegParts* j) { j->sof = 0xC9; }, "unsupported marker 0xC9"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    JpegParts j;
    c.mutate(&j);
    auto r = Decode(j.Build());
    INFO(r.status().message());
    CHECK(Says(r, c.message));
  }
}

TEST_CASE("core/image: a JPEG over 8192x8192 is refused from its frame header, before decoding") {
  JpegParts j;
  j.width = 9000;
  Bytes b = j.Build();
  auto r = Decode(b, "huge.jpg");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message() == "huge.jpg: image is 9000x8, larger than the 8192x8192 limit (refused before decoding)");
}

TEST_CASE("core/image: a progressive JPEG with only its DC scan decodes (no AC table needed)") {
  JpegParts j;
  j.sof = 0xC2;
  j.dht.pop_back();                      // no AC table at all
  j.scan_header = {1, 1, 0x00, 0, 0, 0};  // DC first scan
  j.bits = "0";
  auto r = Decode(j.Build());
  INFO(r.status().message());
  REQUIRE(r.ok());
  CHECK(r->width == 8);
}

TEST_CASE("core/image: DC coefficients that overflow int decode to some image, without undefined behaviour") {
  // Every block adds the largest DC difference (+32767) and the DC step is
  // 65535: stb's int arithmetic overflows at the second block (dc * step) and,
  // past 65536 blocks, in the running DC sum. core/image.cpp is compiled with
  // -fwrapv, so this is garbage pixels, not UB (the sanitizer build checks).
  JpegParts j;
  j.width = 2056, j.height = 2048;  // 257 x 256 = 65792 blocks
  j.dqt = {0x10};                   // 16-bit table 0
  for (int i = 0; i < 64; i++) j.dqt.push_back(0xFF), j.dqt.push_back(0xFF);
  j.dht[0] = HuffmanTable(0, 0, {1}, {15});  // the one DC code: category 15
  const std::string block = "0" + std::string(15, '1') + "0";  // +32767, end of block
  j.bits.clear();
  for (int b = 0; b < 257 * 256; b++) j.bits += block;
  auto r = Decode(j.Build(), "dc.jpg");
  INFO(r.status().message());
  REQUIRE(r.ok());
  CHECK(r->width == 2056);
  CHECK(r->height == 2048);
}

TEST_CASE("core/image: colour JPEGs (4:4:4 and 4:2:0, interleaved) pass the checks and decode to their colour") {
  // DC table 0: category 0 is '0', category 8 is '10'. Every block is flat: Y
  // and Cb at 128, Cr at 128 + 200/8 = 153, so every pixel is the same red-grey.
  const std::string y = "00", cb = "00", cr = "10" "11001000" "0";  // DC +200, end of block
  for (int sub : {1, 2}) {
    INFO("luma sampling " << sub << "x" << sub);
    JpegParts j;
    j.width = j.height = 16;
    j.components = {1, uint8_t(sub << 4 | sub), 0, 2, 0x11, 0, 3, 0x11, 0};
    j.dht[0] = HuffmanTable(0, 0, {1, 1}, {0, 8});
    j.scan_header = {3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0};
    j.bits.clear();
    const int mcus = sub == 1 ? 4 : 1, luma_blocks = sub * sub;
    for (int m = 0; m < mcus; m++) {
      for (int b = 0; b < luma_blocks; b++) j.bits += y;
      j.bits += cb;
      j.bits += m == 0 ? cr : "00";  // DC is coded as a difference: only the first Cr block moves it
    }
    auto r = Decode(j.Build());
    INFO(r.status().message());
    REQUIRE(r.ok());
    REQUIRE(r->width == 16);
    const int want[3] = {163, 110, 128};  // R = Y + 1.402 (Cr - 128), G = Y - 0.714 (Cr - 128), B = Y
    int worst = 0;
    for (size_t i = 0; i < r->rgb.size(); i++) worst = std::max(worst, std::abs(r->rgb[i] - want[i % 3]));
    CHECK(worst <= 2);
  }
}
