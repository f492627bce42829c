// Training data a user lists: a CSV of path,label[,split] through LoadImageCsv
// (what `sparse dataset --data FILE.csv` and the trainer's --data run), over
// pictures the harness writes itself: a.png (3x2), b.png (1x1), c.jpg (a PNG
// named .jpg: decoded by content) and bad.png (not a picture).
#include <fstream>

#include "../fuzz_target.h"
#include "core/image.h"
#include "nn/dataset.h"

namespace fk::fuzz {

namespace {

void WritePictures() {
  Image a(3, 2), b(1, 1);
  a.At(1, 1)[0] = 255;
  b.At(0, 0)[2] = 200;
  const std::vector<uint8_t> pa = EncodePng(a), pb = EncodePng(b);
  WriteScratchFile("nn_dataset_csv/a.png", std::string_view(reinterpret_cast<const char*>(pa.data()), pa.size()));
  WriteScratchFile("nn_dataset_csv/b.png", std::string_view(reinterpret_cast<const char*>(pb.data()), pb.size()));
  WriteScratchFile("nn_dataset_csv/c.jpg", std::string_view(reinterpret_cast<const char*>(pb.data()), pb.size()));
  WriteScratchFile("nn_dataset_csv/bad.png", "\x89PNG\r\n\x1a\n not really");
}

}  // namespace

Outcome NnDatasetCsv(const uint8_t* data, size_t size) {
  Outcome o;
  const std::string text(reinterpret_cast<const char*>(data), size);
  // The harness reads only its own files: a '/' could name /dev/stdin or a
  // FIFO and block, which is no finding.
  if (text.find('/') != std::string::npos) {
    o.message = "fuzz: paths with '/' are not followed";
    return o;
  }
  WritePictures();  // every time: another target may have emptied the scratch folder
  const std::string csv = WriteScratchFile("nn_dataset_csv/list.csv", text);
  nn::ImageSetOptions opts;
  opts.image_size = 8;
  opts.max_images = 64;
  opts.max_file_bytes = 1 << 20;
  auto ds = nn::LoadImageCsv(csv, opts);
  nn::ImageSetOptions strict_opts = opts;
  strict_opts.skip_bad_images = false;
  auto strict = nn::LoadImageCsv(csv, strict_opts);
  o.Check(!strict.ok() || ds.ok(), "a CSV read strictly is refused when bad pictures may be skipped");
  if (!ds) {
    o.Set(ds.status());
    return o;
  }
  o.Check(ds->NumClasses() >= 2, "a data set with fewer than 2 classes was accepted");
  int total = 0;
  std::vector<int> per_class(size_t(std::max(0, ds->NumClasses())), 0);
  std::vector<float> x(size_t(ds->ValuesPerImage()));
  for (nn::Split s : {nn::Split::kTrain, nn::Split::kVal, nn::Split::kTest}) {
    total += ds->Size(s);
    const std::vector<int> counts = ds->ClassCounts(s);
    int sum = 0;
    for (int c : counts) sum += c;
    o.Check(sum == ds->Size(s), "class counts do not add up to the split's size");
    for (int i = 0; i < ds->Size(s); i++) {
      int label = -1;
      ds->FillBatch(s, &i, 1, x.data(), &label);
      o.Check(label >= 0 && label < ds->NumClasses(), "a label out of range");
      if (label >= 0 && label < ds->NumClasses()) per_class[size_t(label)]++;
      for (float v : x)
        if (!(v >= 0.f && v <= 1.f)) {
          o.Check(false, "a pixel outside [0, 1]");
          break;
        }
    }
  }
  for (size_t c = 0; c < per_class.size(); c++)
    o.Check(per_class[c] > 0, "class '" + ds->ClassName(int(c)) + "' has no pictures but was accepted");
  o.Check(total >= 1 && total <= opts.max_images, "a data set of " + std::to_string(total) + " pictures");
  o.Check(!strict.ok() || (ds->skipped() == 0 && strict->Size(nn::Split::kTrain) == ds->Size(nn::Split::kTrain)),
          "the strict and the skipping loads differ on a CSV without bad pictures");
  o.ok = true;
  return o;
}

}  // namespace fk::fuzz
