// Writes the committed seed corpora (tests/fuzz/corpus/<harness>/) from the
// repo's own generators and the bundled data/ files, a few small valid inputs
// per harness. Run by hand after a format changes:
//   build/fuzz/bin/fuzz_make_seeds tests/fuzz/corpus
// Deterministic: the same sources give the same bytes.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <stb/stb_image_write.h>

#include "checkout/events.h"
#include "checkout/sim.h"
#include "core/image.h"
#include "core/parquet.h"
#include "core/settings.h"
#include "features/store.h"
#include "../nn/tflite_builder.h"
#include "fuzz_target.h"
#include "labels/manifest.h"
#include "nn/model_file.h"
#include "nn/net_file.h"
#include "stream/input.h"
#include "stream/simulator.h"
#include "stream/time.h"
#include "targets/fuzz_fixtures.h"
#include "../nn/tiny_net.h"

namespace fs = std::filesystem;
using namespace fk;

namespace {

std::string g_out;
int g_files = 0;

void Write(const std::string& harness, const std::string& name, std::string_view bytes) {
  const fs::path p = fs::path(g_out) / harness / name;
  fs::create_directories(p.parent_path());
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), std::streamsize(bytes.size()));
  if (!f) {
    std::fprintf(stderr, "%s: cannot write\n", p.c_str());
    std::exit(1);
  }
  g_files++;
}

std::string Data(const std::string& rel) {
  std::ifstream f(std::string(FIELDKIT_SOURCE_DIR) + "/data/" + rel, std::ios::binary);
  if (!f) {
    std::fprintf(stderr, "data/%s: cannot read\n", rel.c_str());
    std::exit(1);
  }
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The first n lines (header included) of a data/ file.
std::string Head(const std::string& rel, size_t n) {
  std::istringstream in(Data(rel));
  std::string out, line;
  for (size_t i = 0; i < n && std::getline(in, line); i++) out += line + "\n";
  return out;
}

// Several files as one input (fuzz_target.h: SplitParts).
std::string Join(std::initializer_list<std::string> parts) {
  std::string out;
  for (auto it = parts.begin(); it != parts.end(); ++it) {
    if (it != parts.begin()) out += fuzz::kPartSeparator;
    out += *it;
  }
  return out;
}

void StreamSeeds() {
  stream::SimulatorOptions so;
  so.duration_s = 3600;
  so.cameras = 2;
  so.start = 1622527200;  // 06:00: a few events a minute
  stream::Schema schema;
  stream::CameraSimulator sim(so, &schema);
  std::vector<stream::Event> ev;
  sim.Generate(40, &ev);
  std::string jsonl, csv = "ts,camera_id,car,person\n";
  for (auto& e : ev) {
    jsonl += sim.ToJsonLine(e) + "\n";
    const bool car = schema.MeasureName(e.measure) == "car";
    csv += stream::FormatTime(e.time) + "," + schema.DimsValues(e.dims)[0].second + "," + (car ? "1" : "") + "," +
           (car ? "" : "1") + "\n";
  }
  Write("stream_jsonl", "simulator.jsonl", jsonl);
  Write("stream_jsonl", "window_records.jsonl",
        "{\"person\":12,\"car\":56,\"camera_id\":\"cam1\",\"hop_time\":\"2021-06-05T16:55:00\"}\n"
        "{\"person\":3,\"car\":7,\"camera_id\":\"cam2\",\"locality\":\"north\",\"hop_time\":\"2021-06-05T17:00:00\"}\n"
        "{\"car\":17,\"time\":1622911920,\"camera_id\":\"cam1\"}\n"
        "{\"car\":18,\"timestamp\":1622911920123}\n");
  Write("stream_csv", "simulator.csv", csv);
  Write("stream_csv", "epoch.csv",
        "time,camera_id,locality,speed,count\r\n"
        "1622911920,cam1,north,48.5,3\r\n"
        "1622912220,cam2,\"south, east\",,1\r\n"
        "2021-06-05 16:57:00,cam1,north,51,2\r\n");
}

void ForecastSeeds() {
  Write("forecast_target", "sales_head.csv", Head("forecast/sales.csv", 40));
  std::string monthly = "date,item_id,demand\n";
  for (int m = 0; m < 24; m++) {
    char row[64];
    std::snprintf(row, sizeof row, "%04d-%02d,%s,%d\n", 1991 + m / 12, 1 + m % 12, m % 3 ? "A" : "B", 100 + m * 7 % 23);
    monthly += row;
  }
  Write("forecast_target", "monthly.csv", monthly);
  std::string hourly = "timestamp,target_value,store,country\n";
  for (int h = 0; h < 30; h++) {
    char row[80];
    std::snprintf(row, sizeof row, "2022-03-01 %02d:%s,%s,Store-1,US\n", h % 24, h < 24 ? "00:00" : "30",
                  h % 7 == 3 ? "" : std::to_string(h * 3 % 11).c_str());
    hourly += row;
  }
  Write("forecast_target", "hourly.csv", hourly);
  Write("forecast_target", "day_month.csv", "timestamp,sales\n01-Jan,3\n02-Jan,5\n04-Jan,-1\n05-Jan,0\n05-Jan,2\n");
  Write("forecast_related", "related_head.csv", Head("forecast/related.csv", 30));
  Write("forecast_related", "product_only.csv",
        "timestamp,product,price,promo,holiday\n2022-01-01,mug,4.5,1,yes\n2022-01-02,mug,,0,no\n"
        "2022-02-10,bed-sheet,30,1,no\n2022-03-01,bath-towel,12,0,no\n");
  Write("forecast_metadata", "items.csv", Data("forecast/items.csv"));
  Write("forecast_metadata", "extra_fields.csv",
        "item_id,category,brand,color\nmug,kitchen,acme,red\nbed-sheet,bedding,acme,white\nnew-item,kitchen,,red\n");
}

void LabelsSeeds() {
  Write("labels_manifest", "object_detection.manifest", Head("logos/v1.manifest", 3));
  labels::Manifest m;
  m.class_map = {{0, "smile"}, {1, "cloud"}};
  labels::LabeledImage img;
  img.source_ref = "v2/0001.png";
  img.width = 160;
  img.height = 120;
  img.boxes = {{10, 12, 30, 20, 0, 0.83f, true}, {140, 100, 40, 40, 1, 0.4f, false}};  // the second is clipped
  img.creation_date = "2026-11-28T00:00:00.000000";
  img.job_name = "labeling-job/logos-v2";
  m.images = {img};
  Write("labels_manifest", "adjusted.manifest", labels::ManifestToString(m));
  Write("labels_manifest", "verification.manifest",
        labels::VerificationToString({{"v2/0001.png", true, 0.97f}, {"v2/0002.png", false, 0.5f}}, "verify-boxes",
                                     "labeling-job/verify", "2026-11-28T00:00:00.000000"));

  auto logo = LoadImage(std::string(FIELDKIT_SOURCE_DIR) + "/data/logos/v1/0000.png");
  if (!logo) {
    std::fprintf(stderr, "%s\n", logo.status().message().c_str());
    std::exit(1);
  }
  // A 32x24 crop around the first box (44,16 72x35): small, and not flat.
  Image crop(32, 24);
  for (int y = 0; y < 24; y++)
    for (int x = 0; x < 32; x++) std::copy(logo->At(60 + x, 20 + y), logo->At(60 + x, 20 + y) + 3, crop.At(x, y));
  const std::vector<uint8_t> png = EncodePng(crop);
  Write("labels_image", "logo_crop.png", std::string_view(reinterpret_cast<const char*>(png.data()), png.size()));
  std::string jpg;
  auto append = [](void* ctx, void* data, int size) { static_cast<std::string*>(ctx)->append(static_cast<char*>(data), size_t(size)); };
  stbi_write_jpg_to_func(append, &jpg, crop.width, crop.height, 3, crop.rgb.data(), 60);
  Write("labels_image", "logo_crop.jpg", jpg);
  Image tiny(3, 2);
  tiny.At(1, 1)[0] = 255;
  const std::vector<uint8_t> tpng = EncodePng(tiny);
  Write("labels_image", "tiny.png", std::string_view(reinterpret_cast<const char*>(tpng.data()), tpng.size()));
}

// A small net with every layer kind and storage: first conv, depthwise, a
// pruned 1x1 (CSR), a residual add, pooling, a classifier and softmax.
nn::Model TinyModel(int block) {
  nn::Model m;
  m.arch = "fuzz_tiny";
  m.width = 0.25f;
  m.in_h = m.in_w = 8;
  m.in_c = 3;
  auto conv = [&](const char* name, int input, int in_c, int out_c, int k, int s, int groups, bool relu) {
    nn::Layer l;
    l.name = name;
    l.input = input;
    l.in_c = in_c, l.out_c = out_c, l.kernel = k, l.stride = s, l.groups = groups;
    l.act = relu ? nn::Activation::Relu6 : nn::Activation::None;
    l.weights.resize(l.WeightCount());
    for (size_t i = 0; i < l.weights.size(); i++) l.weights[i] = float(int(i * 7 % 13) - 6) * 0.05f;
    l.bias.assign(size_t(out_c), 0.01f);
    m.layers.push_back(l);
  };
  conv("conv0", -1, 3, 8, 3, 2, 1, true);
  conv("dw1", 0, 8, 8, 3, 1, 8, true);
  conv("pw2", 1, 8, 8, 1, 1, 1, false);
  nn::Layer& pw = m.layers.back();
  pw.sparse = true;
  pw.block = block;
  for (size_t i = 0; i < pw.weights.size(); i++)
    if ((i / 8 / size_t(block)) % 2 == (i % 8) % 2) pw.weights[i] = 0.f;  // half pruned, the same per block
  nn::Layer add;
  add.name = "add3";
  add.kind = nn::LayerKind::Add;
  add.input = 2, add.input2 = 0, add.in_c = add.out_c = 8;
  m.layers.push_back(add);
  nn::Layer pool;
  pool.name = "pool4";
  pool.kind = nn::LayerKind::GlobalAvgPool;
  pool.input = 3, pool.in_c = pool.out_c = 8;
  m.layers.push_back(pool);
  nn::Layer fc;
  fc.name = "fc5";
  fc.kind = nn::LayerKind::FullyConnected;
  fc.input = 4, fc.in_c = 8, fc.out_c = 4;
  fc.weights.assign(32, 0.125f);
  fc.bias.assign(4, 0.f);
  m.layers.push_back(fc);
  nn::Layer sm;
  sm.name = "softmax6";
  sm.kind = nn::LayerKind::Softmax;
  sm.input = 5, sm.in_c = sm.out_c = 4;
  m.layers.push_back(sm);
  Status st = m.InferShapes();
  if (!st) {
    std::fprintf(stderr, "tiny model: %s\n", st.message().c_str());
    std::exit(1);
  }
  return m;
}

// CSVs of labelled pictures over the files the nn_dataset_csv target writes
// (a.png, b.png, c.jpg, bad.png; no '/': the target follows no paths).
void DatasetSeeds() {
  Write("nn_dataset_csv", "path_label.csv", "path,label\na.png,red\nb.png,blue\nc.jpg,blue\n");
  Write("nn_dataset_csv", "split_column.csv",
        "Label,Split,Path\r\nred,train,a.png\r\nblue,test,b.png\r\nblue,validation,\"c.jpg\"\r\nred,,a.png\r\n");
  Write("nn_dataset_csv", "bad_and_missing.csv", "file,class\na.png,x\nbad.png,y\nmissing.png,y\nb.png,y\n");
}

void ModelSeeds() {
  struct Variant {
    const char* name;
    int block;
    nn::SaveOptions opt;
  };
  const Variant variants[] = {{"sparse_fp32.fks", 1, {false, true, 0}},
                              {"sparse_fp16_idx16.fks", 1, {true, true, 16}},
                              {"sparse_block2.fks", 2, {false, true, 8}},
                              {"dense_fp16.fks", 1, {true, false, 0}}};
  for (const Variant& v : variants) {
    auto bytes = nn::SaveModelBytes(TinyModel(v.block), v.opt);
    if (!bytes) {
      std::fprintf(stderr, "%s: %s\n", v.name, bytes.status().message().c_str());
      std::exit(1);
    }
    Write("nn_model_file", v.name, std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
  }
}

// Small .tflite models from the tests' writer (tests/nn/tflite_builder.h): every
// operator the importer lowers, fp16 / int8 / sparse constants behind
// DEQUANTIZE and DENSIFY.
void TfliteSeeds() {
  namespace tfl = fk::test::tfl;
  auto vals = [](size_t n, float scale) {
    std::vector<float> v(n);
    for (size_t i = 0; i < n; i++) v[i] = float(int(i * 7 % 11) - 5) * scale;
    return v;
  };
  auto write = [](const char* name, const tfl::ModelBuilder& b) {
    const std::vector<uint8_t> bytes = b.Build();
    Write("nn_tflite", name, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  };
  {  // conv, PAD + depthwise, sparse-able 1x1, ADD, MEAN, FULLY_CONNECTED, LOGISTIC
    tfl::ModelBuilder b;
    int x = b.Input({1, 8, 8, 3});
    int c1 = b.Tensor({1, 4, 4, 4});
    b.Op(tfl::kConv2D, {x, b.Constant({4, 3, 3, 3}, vals(108, 0.1f)), b.Constant({4}, vals(4, 0.05f))}, {c1},
         tfl::Conv2D(tfl::kSame, 2, 2, tfl::kRelu_));
    int p = b.Tensor({1, 6, 6, 4});
    b.Op(tfl::kPad, {c1, b.ConstantInt32({4, 2}, {0, 0, 1, 1, 1, 1, 0, 0})}, {p});
    int d = b.Tensor({1, 4, 4, 4});
    b.Op(tfl::kDepthwiseConv2D, {p, b.Constant({1, 3, 3, 4}, vals(36, 0.2f)), -1}, {d},
         tfl::DepthwiseConv2D(tfl::kValid, 1, 1, 1));
    int r = b.Tensor({1, 4, 4, 4});
    b.Op(tfl::kRelu6, {d}, {r});
    int e = b.Tensor({1, 4, 4, 4});
    b.Op(tfl::kConv2D, {r, b.Constant({4, 1, 1, 4}, vals(16, 0.3f)), -1}, {e}, tfl::Conv2D(tfl::kValid, 1, 1));
    int s = b.Tensor({1, 4, 4, 4});
    b.Op(tfl::kAdd, {e, c1}, {s}, tfl::AddOpt(tfl::kRelu_));
    int m = b.Tensor({1, 4});
    b.Op(tfl::kMean, {s, b.ConstantInt32({2}, {1, 2})}, {m}, tfl::Reducer(false));
    int f = b.Tensor({1, 2});
    b.Op(tfl::kFullyConnected, {m, b.Constant({2, 4}, vals(8, 0.5f)), b.Constant({2}, {0.1f, -0.1f})}, {f},
         tfl::FullyConnected());
    int y = b.Tensor({1, 2});
    b.Op(tfl::kLogistic, {f}, {y});
    b.Output(y);
    write("conv_dw_fc.tflite", b);
  }
  {  // the detector's head: RESHAPE + CONCATENATION, pools, resize, depth-to-space, channel concat
    tfl::ModelBuilder b;
    int x = b.Input({1, 4, 4, 4});
    int mp = b.Tensor({1, 2, 2, 4}), ap = b.Tensor({1, 4, 4, 4});
    b.Op(tfl::kMaxPool2D, {x}, {mp}, tfl::Pool2D(tfl::kValid, 2, 2, 2, 2));
    b.Op(tfl::kAveragePool2D, {x}, {ap}, tfl::Pool2D(tfl::kSame, 1, 1, 3, 3));
    int rs = b.Tensor({1, 4, 4, 4});
    b.Op(tfl::kResizeBilinear, {mp, b.ConstantInt32({2}, {4, 4})}, {rs}, tfl::ResizeBilinear(false, true));
    int cc = b.Tensor({1, 4, 4, 8});
    b.Op(tfl::kConcatenation, {rs, ap}, {cc}, tfl::Concatenation(3));
    int ds = b.Tensor({1, 8, 8, 2});
    b.Op(tfl::kDepthToSpace, {cc}, {ds}, tfl::DepthToSpace(2));
    int r1 = b.Tensor({1, 64, 2}), r2 = b.Tensor({1, 32, 2});
    b.Op(tfl::kReshape, {ds, b.ConstantInt32({3}, {1, 64, 2})}, {r1});
    b.Op(tfl::kReshape, {ap, b.ConstantInt32({3}, {1, 32, 2})}, {r2});
    int y = b.Tensor({1, 96, 2});
    b.Op(tfl::kConcatenation, {r1, r2}, {y}, tfl::Concatenation(1));
    b.Output(y);
    int z = b.Tensor({1, 4, 4, 4});
    b.Op(tfl::kMul, {ap, b.Constant({4}, {1.f, 2.f, 0.5f, -1.f})}, {z});
    b.Output(z);
    write("detector_head.tflite", b);
  }
  {  // weights stored FLOAT16, per-channel INT8 and sparse (uint8 and uint16 indices)
    tfl::ModelBuilder b;
    int x = b.Input({1, 3, 3, 6});
    int wh = b.ConstantF16({1, 3, 3, 6}, vals(54, 0.25f));
    int wf = b.Tensor({1, 3, 3, 6});
    b.Op(tfl::kDequantize, {wh}, {wf});
    int a = b.Tensor({1, 3, 3, 6});
    b.Op(tfl::kDepthwiseConv2D, {x, wf, -1}, {a}, tfl::DepthwiseConv2D(tfl::kSame, 1, 1, 1));
    std::vector<int8_t> q(36);
    for (size_t i = 0; i < q.size(); i++) q[i] = int8_t(int(i * 29 % 255) - 127);
    int wq = b.ConstantInt8({6, 1, 1, 6}, q, {0.01f, 0.02f, 0.03f, 0.04f, 0.05f, 0.06f}, {0, 0, 0, 0, 0, 0}, 0);
    int wqf = b.Tensor({6, 1, 1, 6});
    b.Op(tfl::kDequantize, {wq}, {wqf});
    int c = b.Tensor({1, 3, 3, 6});
    b.Op(tfl::kConv2D, {a, wqf, -1}, {c}, tfl::Conv2D(tfl::kValid, 1, 1));
    std::vector<float> sp = vals(48, 0.5f);
    for (size_t i = 0; i < sp.size(); i++)
      if (i % 3) sp[i] = 0.f;
    int ws = b.Add(tfl::SparseFloat({8, 1, 1, 6}, sp, 3));
    int wsf = b.Tensor({8, 1, 1, 6});
    b.Op(tfl::kDensify, {ws}, {wsf});
    int e = b.Tensor({1, 3, 3, 8});
    b.Op(tfl::kConv2D, {c, wsf, -1}, {e}, tfl::Conv2D(tfl::kValid, 1, 1));
    int wf2 = b.Add(tfl::SparseFloat({2, 72}, vals(144, 0.1f), 2));
    int wf2d = b.Tensor({2, 72});
    b.Op(tfl::kDensify, {wf2}, {wf2d});
    int y = b.Tensor({1, 2});
    b.Op(tfl::kFullyConnected, {e, wf2d, -1}, {y}, tfl::FullyConnected(tfl::kRelu6_));
    b.Output(y);
    write("stored_fp16_int8_sparse.tflite", b);
  }
}

// A .fks version 2 file (an imported network): tests/nn/tiny_net.h, every operator, one CSR layer.
void NetSeeds() {
  nn::SaveOptions so;
  so.fp16 = true;
  auto bytes = nn::SaveNetBytes(test::TinyNet(), so);
  if (!bytes) {
    std::fprintf(stderr, "net_v2_fp16.fks: %s\n", bytes.status().message().c_str());
    std::exit(1);
  }
  Write("nn_model_file", "net_v2_fp16.fks", std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
}

void FeaturesSeeds() {
  for (const char* h : {"features_schema", "features_ingest"}) {
    Write(h, "customers_head.csv", Head("features/customers.csv", 16));
    Write(h, "orders_head.csv", Head("features/orders.csv", 16));
    Write(h, "unix_time.csv",
          ",user_id,ts,score,note\n0,7,1700000000.5,0.25,\"a, quoted\"\n1,8,1700000100,1e3,\n2,7,1700000200,-2,x\n");
  }
  // A real store's log: puts, a later put over one id, a soft and a hard delete.
  const std::string dir = fuzz::ScratchDir() + "/seed-store";
  fs::remove_all(dir);
  features::StoreOptions so;
  so.now = [] { return fuzz::kFuzzStoreNow; };
  so.fsync = false;
  std::string log;
  {
    auto store = features::FeatureStore::Open(dir, so);
    if (!store) {
      std::fprintf(stderr, "%s\n", store.status().message().c_str());
      std::exit(1);
    }
    features::FeatureStore& s = **store;
    features::FeatureGroup g = fuzz::FuzzGroup();
    Status st = s.CreateGroup(g);
    auto def = s.DescribeGroup(g.name);
    if (!st || !def || def->uid != g.uid) {
      std::fprintf(stderr, "the fixed group's uid is not what CreateGroup gives: fix FuzzGroup()\n");
      std::exit(1);
    }
    const char* rows[][5] = {{"C0001", "2024-03-01T10:24:59Z", "41", "Seattle", "303.06"},
                             {"C0002", "2024-03-01T11:00:00Z", "", "Denver", ""},
                             {"C0001", "2024-03-01T11:30:00Z", "42", "Seattle", "310.5"},
                             {"C0003", "2024-02-28T23:59:59.250Z", "19", "", "0"}};
    for (auto& r : rows)
      if (!(st = s.Put(g.name, {{"customer_id", r[0]}, {"event_time", r[1]}, {"age", r[2]}, {"city", r[3]},
                               {"spend_30d", r[4]}}, features::PutOptions{r[0][4] == '3' ? 3600.0 : 0.0}))) {
        std::fprintf(stderr, "put: %s\n", st.message().c_str());
        std::exit(1);
      }
    s.Delete(g.name, "C0002", 1709294000, features::DeleteMode::Soft);
    s.Delete(g.name, "C0003", 1709294000, features::DeleteMode::Hard);
  }
  std::ifstream f(dir + "/wal/000001.log", std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  log = ss.str();
  fs::remove_all(dir);
  if (log.empty()) {
    std::fprintf(stderr, "the seed store wrote no log\n");
    std::exit(1);
  }
  Write("features_wal", "log.bin", std::string(1, '\x01') + log);                             // frames repaired (none need it)
  Write("features_wal", "torn_tail.bin", std::string(1, '\0') + log.substr(0, log.size() - 9));  // a crash mid-append
}

// Parquet files as the feature store writes them: every type, nulls, a
// dictionary and deltas (the default), PLAIN only, and Snappy pages.
void ParquetSeeds() {
  using namespace fk::parquet;
  for (int plain = 0; plain < 3; plain++) {  // dictionary and deltas, PLAIN, Snappy
    WriterOptions o;
    o.page_rows = 8;
    o.dictionary = o.delta = plain != 1;
    o.snappy = plain == 2;
    ParquetWriter w({{"id", ColumnType::String, false}, {"n", ColumnType::Int64}, {"x", ColumnType::Double},
                     {"b", ColumnType::Boolean}, {"t", ColumnType::Timestamp, false}, {"s", ColumnType::String}}, o);
    for (int i = 0; i < 20; i++) {
      w.AppendString(0, "u" + std::to_string(i));
      if (i % 3) w.AppendInt64(1, 1000 + i * 7);
      else w.AppendNull(1);
      if (i % 4) w.AppendDouble(2, i * 0.5);
      else w.AppendNull(2);
      w.AppendBool(3, i % 2);
      w.AppendInt64(4, 1700000000000000 + (i / 8) * 1000000);
      if (i % 5) w.AppendString(5, i % 2 ? "red" : "");
      else w.AppendNull(5);
    }
    auto b = w.Finish();
    if (!b) {
      std::fprintf(stderr, "parquet seed: %s\n", b.status().message().c_str());
      std::exit(1);
    }
    Write("core_parquet", plain == 2 ? "snappy.parquet" : plain ? "plain.parquet" : "dictionary.parquet", *b);
  }
  // A partition part as the Parquet window sink writes it (stream/sink.h): measures as doubles, the
  // dimension as a string (null where a record lacks it), hop_time a REQUIRED microsecond timestamp.
  ParquetWriter w({{"person", ColumnType::Double}, {"car", ColumnType::Double}, {"camera_id", ColumnType::String},
                   {"hop_time", ColumnType::Timestamp, false}});
  for (int i = 0; i < 12; i++) {
    w.AppendDouble(0, i % 4);
    if (i == 5) w.AppendNull(1);
    else w.AppendDouble(1, 10 + i);
    if (i == 7) w.AppendNull(2);
    else w.AppendString(2, i % 2 ? "cam2" : "cam1");
    w.AppendInt64(3, (1622908800 + 300 * (i / 2 + 1)) * int64_t(1000000));
  }
  auto b = w.Finish();
  if (!b) {
    std::fprintf(stderr, "parquet seed: %s\n", b.status().message().c_str());
    std::exit(1);
  }
  Write("core_parquet", "sink_records.parquet", *b);
}

void MiscSeeds() {
  {
    Settings s;
    s.Set("theme", "dark");
    s.Set("panel", "Forecasts");
    s.Set("forecast.freq", "W");
    const std::string p = fuzz::ScratchDir() + "/settings.json";
    s.Save(p);
    std::ifstream f(p, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    Write("core_settings", "settings.json", ss.str());
    Write("core_settings", "escapes.json", "{\"path\": \"C:\\\\data\\\\x.csv\", \"name\": \"caf\\u00e9 \\ud83d\\ude00\"}\n");
  }
  {
    // Personalize CSVs: the first items, users and days, and the bundled
    // interactions between them.
    const std::string items = Head("recommend/items.csv", 21), users = Head("recommend/users.csv", 21),
                      weather = Head("recommend/weather_data.csv", 12);
    std::set<std::string> item_ids, user_ids;
    auto ids = [](const std::string& csv, std::set<std::string>* out) {
      std::istringstream in(csv);
      std::string line;
      std::getline(in, line);
      while (std::getline(in, line)) out->insert(line.substr(0, line.find(',')));
    };
    ids(items, &item_ids);
    ids(users, &user_ids);
    std::istringstream in(Data("recommend/interactions.csv"));
    std::string line, inter, ml_train, ml_test;
    std::getline(in, line);
    inter = line + "\n";
    size_t n = 0;
    while (n < 30 && std::getline(in, line)) {
      const size_t a = line.find(','), b = line.find(',', a + 1);
      if (!user_ids.count(line.substr(0, a)) || !item_ids.count(line.substr(a + 1, b - a - 1))) continue;
      inter += line + "\n";
      // The same events as MovieLens ratings (user, item, rating 1-5, time).
      const size_t c = line.find(',', b + 1);
      std::string& ml = n % 4 == 3 ? ml_test : ml_train;
      ml += line.substr(0, a) + "\t" + line.substr(a + 1, b - a - 1) + "\t" + std::to_string(1 + n % 5) + "\t" +
            line.substr(b + 1, c - b - 1) + "\n";
      n++;
    }
    if (n < 10) {
      std::fprintf(stderr, "too few bundled interactions between the first users and items\n");
      std::exit(1);
    }
    Write("recommend_data", "bundled_head.txt", Join({items, users, weather, inter}));
    Write("recommend_data", "temperatures.txt",
          Join({"ITEM_ID,CATEGORY\n1,tea\n2,water\n", "USER_ID\n10\n11\n", "date,avg_temp_c\n2020-03-25,23.0\n",
                "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,DAILY_TEMPERATURE\n10,1,1585132098,view,very_hot\n"
                "11,2,1585132099,purchase,4.5\n10,2,1585132100,add,\n"}));
    Write("recommend_movielens", "split.txt", Join({ml_train, ml_test}));
    Write("recommend_movielens", "colons.txt", Join({"1::10::5::978300760\n2::10::3::978302109\n", "1::20::4::978301968\n"}));
  }
  {
    std::string csv = "timestamp,value\n";
    for (int i = 0; i < 40; i++) {
      char row[64];
      std::snprintf(row, sizeof row, "2014-04-01 %02d:%02d:00,%g\n", i * 5 / 60, i * 5 % 60, i == 30 ? 95.5 : 20.0 + i % 4);
      csv += row;
    }
    Write("anomaly_nab", "one_window.txt",
          Join({"{\"fuzz/f.csv\": [[\"2014-04-01 02:20:00.000000\", \"2014-04-01 02:40:00.000000\"]]}\n", csv}));
    Write("anomaly_nab", "no_labels.txt", Join({"{}\n", csv.substr(0, 200)}));
  }
}

// The harnesses of a user's own files: an event file's columns, a landing
// folder's two part files, one Personalize CSV of each kind, the forecast types.
void OwnDataSeeds() {
  Write("stream_inspect", "metrics.csv",
        "when,host,region,cpu,mem\n2021-06-05 16:55:00,web-1,eu,0.52,312\n"
        "2021-06-05 17:00:00,web-2,us,0.61,298\n1622912400,web-1,eu,,305\n");
  Write("stream_inspect", "metrics.jsonl",
        "{\"ts\":\"2021-06-05T16:55:00\",\"host\":\"web-1\",\"cpu\":0.52,\"up\":true}\n"
        "{\"ts\":1622912100,\"host\":\"web-2\",\"cpu\":0.61,\"mem\":null}\n\n"
        "{\"ts\":\"2021-06-05T17:05:00\",\"host\":\"web-1\",\"mem\":301}\n");
  Write("anomaly_landing", "two_buckets.txt",
        Join({"{\"person\":12,\"car\":56,\"camera_id\":\"cam1\",\"hop_time\":\"2021-06-05T16:55:00\"}\n"
              "{\"person\":3,\"car\":7,\"camera_id\":\"cam2\",\"hop_time\":\"2021-06-05T16:55:00\"}\n"
              "{\"person\":14,\"car\":52,\"camera_id\":\"cam1\",\"hop_time\":\"2021-06-05T17:00:00\"}\n",
              "{\"person\":2,\"car\":9,\"camera_id\":\"cam2\",\"hop_time\":\"2021-06-05T17:00:00\"}\n"
              "{\"car\":87,\"camera_id\":\"cam1\",\"hop_time\":\"2021-06-05T17:05:00\"}\n"}));
  Write("anomaly_landing", "epoch_and_bad.txt",
        Join({"{\"car\":1,\"camera_id\":\"cam1\",\"hop_time\":1622911800}\n"
              "{\"car\":\"x\",\"camera_id\":\"cam1\",\"hop_time\":\"2021-06-05T16:55:00\"}\n",
              "{\"car\":3,\"camera_id\":\"cam1\"}\n{\"person\":1,\"hop_time\":\"2021-06-05 17:00:00\"}\n"}));
  Write("recommend_personalize", "interactions.csv",
        "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,DAILY_TEMPERATURE\r\n10,1,1585132098,view,very_hot\r\n"
        "11,2,1585132099,purchase,4.5\r\n10,3,1585132100,add,\r\n");
  Write("recommend_personalize", "users.csv", "\xef\xbb\xbfuser_id,persona\n10,tea_lover\n11,soup_lover\n12,\n");
  Write("recommend_personalize", "items.csv",
        "ITEM_ID,CATEGORY,SIZE,NAME\n1,tea,small,\"Green tea, loose\"\n2,water,large,Still water\n3,soup,,Tomato soup\n");
  Write("recommend_personalize", "weather.csv", "location_id,date,avg_temp_c\nST650,2020-03-25,23.0\nST650,2020-03-26,4.5\n");
  Write("forecast_types", "default.txt", "0.1,0.5,0.9,mean");
  Write("forecast_types", "percent.txt", "p10, 50%, 0.9 ,MEAN");
  Write("forecast_types", "five.txt", "0.05,0.25,0.5,0.75,0.95,mean");
}

}  // namespace

// events.jsonl as `checkout simulate` writes it (a short stream), and as the pipeline writes its own (with confidence).
void CheckoutSeeds() {
  checkout::SimOptions o;
  o.seed = 1;
  o.sessions = 2;
  Write("checkout_events", "simulated.jsonl", checkout::EventsToJsonl(checkout::ShelfSim(o).events()));
  std::vector<checkout::Event> pred(3);
  pred[0] = {40, checkout::EventType::kTake, "smile", 0, -1, 0.92f};
  pred[1] = {77, checkout::EventType::kPutBack, "smile", 0, -1, 0.41f};
  pred[2] = {130, checkout::EventType::kTake, "cloud", 1, 4, 0.88f};
  Write("checkout_events", "predicted.jsonl", checkout::EventsToJsonl(pred, true));
  Write("checkout_events", "blank_lines.jsonl", "\n{\"frame\":3,\"type\":\"take\",\"item\":\"x\",\"session\":0}\r\n\n");
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_make_seeds <repo>/tests/fuzz/corpus\n");
    return 2;
  }
  g_out = argv[1];
  StreamSeeds();
  ForecastSeeds();
  LabelsSeeds();
  DatasetSeeds();
  ModelSeeds();
  TfliteSeeds();
  NetSeeds();
  FeaturesSeeds();
  MiscSeeds();
  ParquetSeeds();
  OwnDataSeeds();
  CheckoutSeeds();
  // Every seed must be accepted by its target as it stands.
  int bad = 0;
  for (const fuzz::Target& t : fuzz::Targets()) {
    const fs::path d = fs::path(g_out) / t.name;
    if (!fs::is_directory(d)) {
      std::fprintf(stderr, "%s: no seeds\n", t.name);
      bad++;
      continue;
    }
    for (auto& e : fs::directory_iterator(d)) {
      std::ifstream f(e.path(), std::ios::binary);
      std::stringstream ss;
      ss << f.rdbuf();
      const std::string s = ss.str();
      const fuzz::Outcome o = t.fn(reinterpret_cast<const uint8_t*>(s.data()), s.size());
      std::printf("%-20s %-28s %6zu B  %s\n", t.name, e.path().filename().c_str(), s.size(),
                  o.ok ? "ok" : o.message.c_str());
      for (auto& b : o.broken) std::printf("    BROKEN: %s\n", b.c_str());
      bad += int(!o.broken.empty());
    }
  }
  std::printf("%d files written to %s\n", g_files, g_out.c_str());
  return bad ? 1 : 0;
}
