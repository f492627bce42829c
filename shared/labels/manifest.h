// SageMaker Ground Truth manifests (JSON Lines), read and written:
//  - object-detection output: {"source-ref", "<label>": {"image_size":[{width,height,depth}],
//    "annotations":[{class_id,left,top,width,height}]}, "<label>-metadata": {"objects":[{confidence}],
//    "class-map", "type":"groundtruth/object-detection", "human-annotated", "creation-date", "job-name"}}
//    Reviewed boxes that a person moved/resized/reclassified carry "adjusted": true in their
//    objects[] entry, and the metadata "adjustment-status" says whether any box changed.
//  - label-verification output (one verdict per image) and COCO (instances JSON).
// Bad lines are reported one message each (file:line: field) and skipped; the rest is kept.
//
//   std::vector<std::string> problems;
//   fk::Result<Manifest> m = fk::labels::ReadManifest("data/logos/test.manifest", &problems);
#pragma once
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "labels/box.h"

namespace fk::labels {

struct LabeledImage {
  std::string source_ref;  // as written in the manifest (relative to it, or absolute)
  int width = 0, height = 0, depth = 3;
  std::vector<Box> boxes;
  bool human_annotated = true;
  std::string creation_date;  // ISO 8601, e.g. 2026-11-28T15:00:00.000000
  std::string job_name;
  bool labeled = true;  // false: a bare {"source-ref"} line (an input manifest; read with allow_unlabeled)
};

struct Manifest {
  std::string label_attribute = "bounding-box";  // the "<label>" key
  std::map<int, std::string> class_map;          // class_id -> name
  std::vector<LabeledImage> images;
  std::string dir;  // folder of the manifest file: source-refs are relative to it
  std::string ResolvePath(const std::string& source_ref) const;
};

// Reads a manifest. Fails only if the file cannot be read at all; each bad line,
// box outside the image (clipped, or dropped when nothing is left) or unknown
// class id becomes one message in *problems.
// label_attribute "" = find the key that has a "<key>-metadata" sibling.
// allow_unlabeled: a line with only "source-ref" (Ground Truth's input manifest: an image
// still to label) is an image with labeled = false and its size 0x0 until decoded.
Result<Manifest> ReadManifest(const std::string& path, std::vector<std::string>* problems,
                              const std::string& label_attribute = "", bool allow_unlabeled = false);
Result<Manifest> ParseManifest(const std::string& text, const std::string& name, std::vector<std::string>* problems,
                               const std::string& label_attribute = "", bool allow_unlabeled = false);
std::string ManifestToString(const Manifest& m);
Status WriteManifest(const Manifest& m, const std::string& path);

// Label-verification job output: per image, "<attr>" = class 0 ("correct") or
// 1 ("needs-fix") with "<attr>-metadata" {class-name, confidence, type:
// "groundtruth/label-verification", job-name, human-annotated, creation-date}.
struct Verification {
  std::string source_ref;
  bool correct = true;
  float confidence = 1.f;
};
std::string VerificationToString(const std::vector<Verification>& v, const std::string& attribute,
                                 const std::string& job_name, const std::string& creation_date);
// Reads a label-verification output back (what VerificationToString writes, or
// Ground Truth's own): the attribute is the key whose "-metadata" says
// "groundtruth/label-verification"; its value 0 or class-name "correct" is a
// yes. Bad lines are reported (name:line: field) and skipped.
std::vector<Verification> ParseVerification(const std::string& text, const std::string& name,
                                            std::vector<std::string>* problems);
// What kind of Ground Truth output a manifest's first usable line is, from its
// "-metadata" type: "object-detection", "label-verification", "input" (a bare
// source-ref line), or "" (not a Ground Truth manifest; *why says what is wrong).
std::string ManifestKind(const std::string& text, std::string* why);

// COCO instances JSON ({images, annotations [bbox x,y,w,h, category_id, score], categories}).
std::string CocoToString(const Manifest& m);

// "2026-11-28T15:04:05.000000" for now (UTC).
std::string NowIso8601();

}  // namespace fk::labels
