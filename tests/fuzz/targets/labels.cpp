// Label Review inputs: Ground Truth manifests (object-detection output, and
// label-verification output, which the same reader must refuse line by line)
// through ParseManifest, what ReadManifest and `labels check` run, and through
// ParseVerification and ManifestKind, what a drop on Label Review runs; images
// (dropped PNG/JPEG, manifest pictures) through DecodeImage, the loader that
// refuses sizes over kMaxImageSide before decoding.
#include "../fuzz_target.h"
#include "core/image.h"
#include "labels/manifest.h"

namespace fk::fuzz {

Outcome LabelsManifest(const uint8_t* data, size_t size) {
  Outcome o;
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> problems;
  auto m = labels::ParseManifest(text, "fuzz.manifest", &problems);
  if (!m) {
    o.Set(m.status());
    return o;
  }
  for (const labels::LabeledImage& img : m->images) {
    o.Check(img.width >= 1 && img.height >= 1 && img.width <= kMaxImageSide &&
                img.height <= kMaxImageSide,
            "an image of size " + std::to_string(img.width) + "x" + std::to_string(img.height) + " was accepted");
    for (const labels::Box& b : img.boxes)
      o.Check(m->class_map.count(b.class_id) && b.width > 0 && b.height > 0 && b.left >= 0 && b.top >= 0 &&
                  b.left + b.width <= float(img.width) + 1e-3f && b.top + b.height <= float(img.height) + 1e-3f,
              "a box that is empty, outside its image or of an unknown class was kept");
  }
  // What the app writes it must read back: the same images and classes.
  std::vector<std::string> again_problems;
  auto again = labels::ParseManifest(labels::ManifestToString(*m), "written.manifest", &again_problems,
                                     m->label_attribute);
  o.Check(again.ok() && again->images.size() == m->images.size() && again->class_map == m->class_map,
          "a written manifest does not read back with the same images and classes");
  labels::CocoToString(*m);
  // Asked for a given label attribute (as `labels eval` does).
  labels::ParseManifest(text, "fuzz.manifest", nullptr, "bounding-box");
  // A dropped file is sorted by its first line, and a verification manifest read back (Label
  // Review's own-data loop); what is read writes and reads back the same.
  std::string why;
  labels::ManifestKind(text.substr(0, text.find('\n')), &why);
  std::vector<std::string> vproblems;
  const std::vector<labels::Verification> v = labels::ParseVerification(text, "fuzz.manifest", &vproblems);
  if (!v.empty()) {
    std::vector<std::string> vagain_problems;
    const auto vagain = labels::ParseVerification(
        labels::VerificationToString(v, "verify-bounding-box", "fuzz-job", "2026-01-01T00:00:00"), "written.manifest",
        &vagain_problems);
    o.Check(vagain.size() == v.size() && vagain_problems.empty(),
            "a written verification manifest does not read back with the same images");
  }
  o.ok = problems.empty();
  if (!o.ok) o.message = problems.front();
  return o;
}

Outcome LabelsImage(const uint8_t* data, size_t size) {
  Outcome o;
  auto img = DecodeImage(data, size, "fuzz.img");
  if (!img) {
    o.Set(img.status());
    return o;
  }
  o.Check(img->width >= 1 && img->height >= 1 && img->width <= kMaxImageSide &&
              img->height <= kMaxImageSide,
          "decoded an image of size " + std::to_string(img->width) + "x" + std::to_string(img->height));
  o.Check(img->rgb.size() == size_t(img->width) * size_t(img->height) * 3, "pixel buffer of the wrong size");
  if (!o.broken.empty()) return o;
  const std::vector<float> gray = ToGray(*img);
  o.Check(gray.size() == size_t(img->width) * size_t(img->height), "ToGray of the wrong size");
  // Small pictures: what we save as PNG decodes to the same pixels.
  if (size_t(img->width) * size_t(img->height) <= 64 * 64) {
    const std::vector<uint8_t> png = EncodePng(*img);
    auto back = DecodeImage(png.data(), png.size(), "fuzz.png");
    o.Check(back.ok() && back->width == img->width && back->height == img->height && back->rgb == img->rgb,
            "an image saved as PNG does not decode to the same pixels");
  }
  o.ok = true;
  return o;
}

}  // namespace fk::fuzz
