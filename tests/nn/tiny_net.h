// A small imported-style network (net.h) with one of every operator the
// importer lowers, built by hand so tests and fuzz seeds get a .fks v2 file of
// a few KB: a 16x16 1x1 convolution with 75% zero weights (stored CSR), PAD
// before a depthwise 3x3, ADD, MAX/AVERAGE_POOL, RESIZE_BILINEAR,
// CONCATENATION, DEPTH_TO_SPACE, MUL by a per-channel constant, MEAN,
// FULLY_CONNECTED, LOGISTIC, RELU6, RESHAPE (two outputs), and one constant
// no operator reads (as the fp16 originals behind DEQUANTIZE are).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "nn/net.h"

namespace fk::test {

inline fk::nn::Net TinyNet() {
  using fk::nn::NetOp;
  using fk::nn::NetOpType;
  fk::nn::Net n;
  n.name = "tiny.tflite";
  n.file_version = 3;
  n.file_bytes = 12345;
  auto add = [&](const std::string& name, std::vector<int> shape) {
    fk::nn::NetTensor t;
    t.name = name;
    t.shape = std::move(shape);
    n.tensors.push_back(t);
    return int(n.tensors.size() - 1);
  };
  uint32_t seed = 7;
  auto value = [&]() {  // deterministic, exactly representable in fp16
    seed = seed * 1103515245u + 12345u;
    return float(int((seed >> 16) % 64) - 32) / 32.f;
  };
  auto constant = [&](const std::string& name, std::vector<int> shape, double zero_share) {
    int t = add(name, std::move(shape));
    fk::nn::NetTensor& c = n.tensors[size_t(t)];
    c.constant = true;
    c.stored_type = "float16";
    c.data.resize(c.Count());
    for (size_t i = 0; i < c.data.size(); ++i) c.data[i] = (i * 37 % 100) < zero_share * 100 ? 0.f : value();
    c.stored_bytes = c.data.size() * 2;
    return t;
  };
  auto ints = [&](const std::string& name, std::vector<int> shape, std::vector<int32_t> v) {
    int t = add(name, std::move(shape));
    n.tensors[size_t(t)].constant = true;
    n.tensors[size_t(t)].stored_type = "int32";
    n.tensors[size_t(t)].ints = std::move(v);
    return t;
  };
  auto op = [&](NetOpType type, std::vector<int> in, int out) -> NetOp& {
    NetOp o;
    o.type = type;
    o.file_index = int(n.ops.size()) * 2;
    o.inputs = std::move(in);
    o.outputs = {out};
    n.ops.push_back(o);
    return n.ops.back();
  };
  const int x = add("input", {1, 6, 6, 16});
  add("unused_fp16_original", {4});
  n.tensors.back().constant = true;
  n.tensors.back().data = {1.f, 2.f, 3.f, 4.f};
  const int w1 = constant("pw/weights", {16, 1, 1, 16}, 0.75), b1 = constant("pw/bias", {16}, 0);
  const int a1 = add("pw", {1, 6, 6, 16});
  op(NetOpType::Conv2D, {x, w1, b1}, a1).act = fk::nn::NetAct::Relu;
  const int pads = ints("paddings", {4, 2}, {0, 0, 1, 1, 1, 1, 0, 0});
  const int a2 = add("pad", {1, 8, 8, 16});
  op(NetOpType::Pad, {a1, pads}, a2).axes = {0, 0, 1, 1, 1, 1, 0, 0};
  const int w3 = constant("dw/weights", {1, 3, 3, 16}, 0), b3 = constant("dw/bias", {16}, 0);
  const int a3 = add("dw", {1, 6, 6, 16});
  NetOp& dw = op(NetOpType::DepthwiseConv2D, {a2, w3, b3}, a3);
  dw.filter_h = dw.filter_w = 3;
  const int a4 = add("add", {1, 6, 6, 16});
  op(NetOpType::Add, {a3, a1}, a4);
  const int a5 = add("maxpool", {1, 3, 3, 16});
  NetOp& mp = op(NetOpType::MaxPool2D, {a4}, a5);
  mp.filter_h = mp.filter_w = mp.stride_h = mp.stride_w = 2;
  const int size = ints("size", {2}, {6, 6});
  const int a6 = add("resize", {1, 6, 6, 16});
  op(NetOpType::ResizeBilinear, {a5, size}, a6).half_pixel_centers = true;
  const int a7 = add("concat", {1, 6, 6, 32});
  op(NetOpType::Concatenation, {a6, a4}, a7).axis = 3;
  const int a8 = add("d2s", {1, 12, 12, 8});
  op(NetOpType::DepthToSpace, {a7}, a8).block_size = 2;
  const int a9 = add("avgpool", {1, 6, 6, 8});
  NetOp& ap = op(NetOpType::AveragePool2D, {a8}, a9);
  ap.filter_h = ap.filter_w = ap.stride_h = ap.stride_w = 2;
  const int scale = constant("scale", {8}, 0);
  const int a10 = add("mul", {1, 6, 6, 8});
  op(NetOpType::Mul, {a9, scale}, a10);
  const int axes = ints("axes", {2}, {1, 2});
  const int a11 = add("mean", {1, 8});
  op(NetOpType::Mean, {a10, axes}, a11).axes = {1, 2};
  const int w12 = constant("fc/weights", {3, 8}, 0), b12 = constant("fc/bias", {3}, 0);
  const int a12 = add("fc", {1, 3});
  op(NetOpType::FullyConnected, {a11, w12, b12}, a12);
  const int a13 = add("scores", {1, 3});
  op(NetOpType::Logistic, {a12}, a13);
  const int a14 = add("clipped", {1, 6, 6, 16});
  op(NetOpType::Relu6, {a4}, a14);
  const int a15 = add("flat", {1, 576});
  op(NetOpType::Reshape, {a14}, a15);
  n.inputs = {x};
  n.outputs = {a13, a15};
  n.file_ops = {{"CONV_2D", 1}, {"DEQUANTIZE", 6}, {"PAD", 1}};
  return n;
}

}  // namespace fk::test
