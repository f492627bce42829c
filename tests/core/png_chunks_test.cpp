// PNG chunk layouts stb_image mishandles, through DecodeImage. The fuzzer's
// finding: an empty first IDAT made stb memcpy into a buffer it had not
// allocated yet (memcpy(NULL, p, 0), undefined behaviour).
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "core/image.h"

using fk::DecodeImage;
using fk::EncodePng;
using fk::Image;

namespace {

using Bytes = std::vector<uint8_t>;

// An empty chunk of the given type, CRC included (stb does not check it; the
// value is the real one so other readers agree).
Bytes EmptyChunk(const char* type, uint32_t crc) {
  return {0, 0, 0, 0, uint8_t(type[0]), uint8_t(type[1]), uint8_t(type[2]), uint8_t(type[3]),
          uint8_t(crc >> 24), uint8_t(crc >> 16), uint8_t(crc >> 8), uint8_t(crc)};
}

Image Pattern() {
  Image img(5, 3);
  for (int y = 0; y < 3; y++)
    for (int x = 0; x < 5; x++) img.At(x, y)[0] = uint8_t(40 * x), img.At(x, y)[1] = uint8_t(80 * y), img.At(x, y)[2] = 7;
  return img;
}

// Where the first IDAT chunk starts (after the signature, IHDR and anything else).
size_t FirstIdat(const Bytes& png) {
  size_t pos = 8;
  while (pos + 8 <= png.size()) {
    const uint32_t len = uint32_t(png[pos]) << 24 | uint32_t(png[pos + 1]) << 16 | uint32_t(png[pos + 2]) << 8 | png[pos + 3];
    if (png[pos + 4] == 'I' && png[pos + 5] == 'D' && png[pos + 6] == 'A' && png[pos + 7] == 'T') return pos;
    pos += 12 + len;
  }
  return 0;
}

}  // namespace

TEST_CASE("core/image: empty IDAT chunks (first, between, last) decode to the same pixels, with no UB") {
  const Image img = Pattern();
  const Bytes png = EncodePng(img);
  const size_t idat = FirstIdat(png);
  REQUIRE(idat > 0);
  const Bytes empty = EmptyChunk("IDAT", 0x35AF061Eu);  // CRC-32 of "IDAT"
  size_t idat_len = size_t(png[idat]) << 24 | size_t(png[idat + 1]) << 16 | size_t(png[idat + 2]) << 8 | png[idat + 3];
  const size_t after = idat + 12 + idat_len;
  for (size_t at : {idat, after}) {
    Bytes b(png.begin(), png.begin() + long(at));
    b.insert(b.end(), empty.begin(), empty.end());
    b.insert(b.end(), png.begin() + long(at), png.end());
    auto r = DecodeImage(b.data(), b.size(), "empty_idat.png");
    INFO("empty IDAT at byte " << at << ": " << (r ? "" : r.status().message()));
    REQUIRE(r.ok());
    CHECK(r->width == 5);
    CHECK(r->height == 3);
    CHECK(r->rgb == img.rgb);
  }
  // Only empty IDATs: no image data at all is an error with a message.
  Bytes none(png.begin(), png.begin() + long(idat));
  none.insert(none.end(), empty.begin(), empty.end());
  none.insert(none.end(), png.begin() + long(after), png.end());
  auto r = DecodeImage(none.data(), none.size(), "no_data.png");
  REQUIRE(!r.ok());
  CHECK(r.status().message().find("no_data.png: ") == 0);
}
