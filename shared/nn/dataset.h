// Image-classification data for training in the app: one interface, two
// sources.
//
//  - GeneratedShapes: 10 classes of shapes (circle, ring, triangle, square,
//    star, cross, arrow, crescent, heart, hexagon) rendered with analytic
//    anti-aliasing, each image a pure function of (seed, split, index): no
//    storage, identical natively and in wasm (float +,-,*,/,sqrt only; our own
//    sin/cos polynomial, no libm). Nuisances: colours (sometimes low contrast),
//    position, scale, aspect, rotation, filled or outlined with a random stroke,
//    background texture (gradient, stripes, value noise, blobs, checks), faint
//    clutter shapes of other classes, partial occlusion, blur, pixel noise.
//    The label is always the class that was drawn (no label noise).
//  - ImageFolderDataset: a user's labelled PNG/JPEG pictures, folder-per-class
//    (LoadImageFolder) or a CSV of path,label[,split] (LoadImageCsv), decoded
//    once and held as RGB8 at the net's input size.
//
// Both give examples as float NCHW batches in [0, 1] (pixel / 255; no mean or
// std applied: the trainer standardises if it wants), RGB channel order.
//
//   fk::nn::GeneratedShapes gen(fk::nn::GenOptions{});          // 20000 / 2000 / 5000, 32x32
//   std::vector<float> x(size_t(64) * gen.ValuesPerImage());  std::vector<int> y(64);
//   gen.FillBatch(fk::nn::Split::kTrain, idx.data(), 64, x.data(), y.data());
//
//   auto ds = fk::nn::LoadImageFolder("photos/", fk::nn::ImageSetOptions{});   // photos/<class>/*.png
//   if (!ds) return ds.status();   // "photos/cat: no .png/.jpg/.jpeg pictures in the class folder"
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace fk::nn {

// Train fits weights, val chooses hyper-parameters, test is reported.
enum class Split { kTrain = 0, kVal = 1, kTest = 2 };
constexpr int kNumSplits = 3;
const char* SplitName(Split s);  // "train", "val", "test"

// [SECTION] The interface the trainer reads

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual int NumClasses() const = 0;
  virtual std::string ClassName(int c) const = 0;
  virtual int Size(Split s) const = 0;
  // Images are square RGB: ImageSize() x ImageSize() x 3.
  virtual int ImageSize() const = 0;
  int ValuesPerImage() const { return 3 * ImageSize() * ImageSize(); }
  // The label of example `index` of a split, 0 <= index < Size(s) (cheap).
  virtual int Label(Split s, int index) const = 0;
  // One example as RGB8, row-major HWC (ImageSize()^2 * 3 bytes); *label if non-null.
  virtual void GetRgb8(Split s, int index, uint8_t* hwc, int* label) const = 0;
  // n examples (indices into the split, repeats allowed) as float NCHW in
  // [0, 1]: nchw holds n * ValuesPerImage() floats, labels n ints (may be null).
  // Out-of-range indices are a programming error (asserted by the callers' tests).
  virtual void FillBatch(Split s, const int* indices, int n, float* nchw, int* labels) const;
  // Per split, the number of examples of each class.
  std::vector<int> ClassCounts(Split s) const;
};

// [SECTION] Procedurally rendered shapes

struct GenOptions {
  uint64_t seed = 1;
  int image_size = 32;   // 16..96 (32 or 48 are the intended sizes)
  int train = 20000;     // examples per split (each split is its own stream:
  int val = 2000;        // val is not carved from train, so growing train
  int test = 5000;       // never moves an example between splits)
  // 0..1: scales every nuisance (noise, clutter, occlusion, low-contrast odds,
  // texture strength, rotation range). 1 is the data set; 0 draws a centred,
  // upright, filled, high-contrast shape on a flat background (tests).
  float difficulty = 1.f;
  Status Validate() const;
};

class GeneratedShapes : public Dataset {
 public:
  static constexpr int kNumClasses = 10;
  explicit GeneratedShapes(GenOptions o);  // o must Validate(); invalid values are clamped
  const GenOptions& options() const { return o_; }

  int NumClasses() const override { return kNumClasses; }
  std::string ClassName(int c) const override;
  int Size(Split s) const override;
  int ImageSize() const override { return o_.image_size; }
  // Exactly balanced: every block of 10 consecutive indices holds each class
  // once, in a seeded order.
  int Label(Split s, int index) const override;
  void GetRgb8(Split s, int index, uint8_t* hwc, int* label) const override;
  // Float CHW in [0, 1] of one example (the same pixels as GetRgb8 / 255).
  void Render(Split s, int index, float* chw, int* label) const;
  // Renders class `label` with the nuisances of (seed, split, index): for
  // tests that need a chosen class.
  void RenderClass(Split s, int index, int label, uint8_t* hwc) const;

 private:
  GenOptions o_;
};

// The shape classes by index ("circle", "ring", ...).
const std::vector<std::string>& ShapeClassNames();

// [SECTION] A user's own pictures

struct ImageSetOptions {
  int image_size = 32;           // the net's input side; pictures are stretched to a square
  uint64_t seed = 1;             // of the split hash
  double val_fraction = 0.1;     // without a split column: 80 / 10 / 10 by a seeded hash
  double test_fraction = 0.1;    // of the path (as listed), stable when files are added
  int max_images = 200000;       // more is refused before anything is decoded
  bool skip_bad_images = true;   // an undecodable or missing picture: skipped and counted
                                 // (warnings name it) or, when false, the load fails
  uint64_t max_file_bytes = uint64_t(256) << 20;  // a bigger picture file is a bad picture
  Status Validate() const;
};

// One picture as listed: the path to read, how it is named in messages, its class.
struct ImageSource {
  std::string path;     // what is opened
  std::string key;      // path relative to the folder / as written in the CSV (the split hash's input)
  std::string where;    // "photos/cat/1.png" or "list.csv:12"
  int label = 0;
  int split = -1;       // an explicit split (CSV column), or -1 for the hash
};

class ImageFolderDataset : public Dataset {
 public:
  int NumClasses() const override { return int(classes_.size()); }
  std::string ClassName(int c) const override { return classes_.at(size_t(c)); }
  int Size(Split s) const override { return int(items_[int(s)].size()); }
  int ImageSize() const override { return size_; }
  int Label(Split s, int index) const override { return items_[int(s)][size_t(index)].label; }
  void GetRgb8(Split s, int index, uint8_t* hwc, int* label) const override;
  // The file an example came from (messages, the CLI's summary).
  const std::string& Source(Split s, int index) const { return items_[int(s)][size_t(index)].where; }

  // Pictures skipped (undecodable or missing, skip_bad_images); files ignored
  // because they are not .png/.jpg/.jpeg; the first 20 warnings of each kind,
  // naming the file ("x.bmp: only PNG and JPEG pictures are read (ignored)").
  int skipped() const { return skipped_; }
  int ignored_files() const { return ignored_; }
  const std::vector<std::string>& warnings() const { return warnings_; }
  size_t BytesPerImage() const { return size_t(size_) * size_t(size_) * 3; }
  size_t PixelBytes() const { return pixels_.size(); }

 private:
  friend class ImageSetLoader;
  struct Item {
    size_t offset;  // into pixels_
    int label;
    std::string where;
  };
  int size_ = 0;
  std::vector<std::string> classes_;
  std::vector<Item> items_[kNumSplits];
  std::vector<uint8_t> pixels_;
  int skipped_ = 0, ignored_ = 0;
  std::vector<std::string> warnings_;
};

// Loads in slices so a panel can show progress and cancel: the listing (a
// folder's files, or the CSV's lines) is read and checked up front, then
// Step decodes and resizes pictures.
//   auto l = ImageSetLoader::Folder("photos", opts);  if (!l) ...;
//   while (!l->Step(50)) show(l->Progress());   if (!l->status()) ...;  auto ds = l->Take();
class ImageSetLoader {
 public:
  // dir/<class>/<picture>; classes sorted by name; other files are ignored
  // (counted). Fails on: a missing folder, no class folders, a class folder
  // without pictures, more than max_images pictures.
  static Result<ImageSetLoader> Folder(const std::string& dir, const ImageSetOptions& o);
  // A header line naming columns `path` and `label` (any order, case-
  // insensitive) and optionally `split` (train, val|validation, test); paths
  // relative to the CSV's folder unless absolute; labels are class names,
  // sorted. Fails naming the line and field on: a missing file, no header, a
  // missing column, a malformed line, an empty path or label, an unknown split.
  static Result<ImageSetLoader> Csv(const std::string& csv_path, const ImageSetOptions& o);
  // The pictures, classes and options as listed (for tests and fuzzing: no files read).
  static Result<ImageSetLoader> FromSources(std::vector<ImageSource> sources, std::vector<std::string> classes,
                                            const ImageSetOptions& o, const std::string& name);

  // Decodes up to max_images more pictures; true when done (or failed).
  bool Step(int max_images);
  float Progress() const { return sources_.empty() ? 1.f : float(next_) / float(sources_.size()); }
  const Status& status() const { return status_; }
  // The data set once Step returned true with an ok status; fails if a class
  // lost all its pictures to skipping, or the load failed.
  Result<ImageFolderDataset> Take();

 private:
  ImageSetOptions o_;
  std::string name_;
  std::vector<ImageSource> sources_;
  size_t next_ = 0;
  Status status_;
  ImageFolderDataset ds_;
};

Result<ImageFolderDataset> LoadImageFolder(const std::string& dir, const ImageSetOptions& o = {});
Result<ImageFolderDataset> LoadImageCsv(const std::string& csv_path, const ImageSetOptions& o = {});

// The CLI's and the panel's --data: "generated" (GeneratedShapes with `gen`),
// a path ending in .csv (LoadImageCsv), anything else a folder (LoadImageFolder).
Result<std::unique_ptr<Dataset>> OpenDataset(const std::string& spec, const GenOptions& gen,
                                             const ImageSetOptions& images);

// An RGB8 picture resized to dst_w x dst_h: area averaging on
// an axis that shrinks, bilinear on one that grows (pixel centres aligned).
void ResizeRgb8(const uint8_t* src, int src_w, int src_h, uint8_t* dst, int dst_w, int dst_h);

// A hash of the bytes (FNV-1a 64) for pinning rendered pixels in tests.
uint64_t HashBytes(const uint8_t* data, size_t n, uint64_t h = 0xcbf29ce484222325ull);

}  // namespace fk::nn
