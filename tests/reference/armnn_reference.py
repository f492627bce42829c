#!/usr/bin/python3
"""Reference outputs of the bundled MediaPipe models from a second, native runtime: Arm NN 20.08
(Debian 12's libarmnn22) through its TfLiteParser, CpuRef backend (the plain C++ reference kernels).

    /usr/bin/python3 tests/reference/armnn_reference.py                 all five models
    /usr/bin/python3 tests/reference/armnn_reference.py --models face_full,hand_lite

For each model: load the file as it is with Arm NN's TfLiteParser. Arm NN 20.08 refuses every bundled
model (the exact message is printed): its CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED need constant
weights, and these models compute their weights at run time from fp16 constants (DEQUANTIZE) and,
in the sparse model, from sparse constants (DENSIFY). So the script then folds those constant
subgraphs itself (fp16 -> fp32 is exact; DENSIFY only places the stored values) into an fp32 copy of
the model (in a temp dir, never kept), and Arm NN parses, optimizes and runs that copy on CpuRef: every
arithmetic operator is Arm NN's. The folded copy is written by prepending new Model/SubGraph/Tensor
tables and buffers to the original flatbuffer (flatbuffer offsets only point forward, so everything
after the prefix stays valid byte for byte). The sparse face model still fails (Arm NN 20.08 has no
DEPTH_TO_SPACE). A model with a half-pixel RESIZE_BILINEAR (face_full) gets no fixture: this Arm NN's
parser drops half_pixel_centers, so its outputs are not TFLite's; the script measures that on the first
such resize and prints it.

Input: the TFLite-web fixtures' x[i] = f32((i*7919 % 1000)/500 - 1). Output:
tests/reference/fixtures/<short>.armnn.json in the format of make_reference.mjs's fixtures (same
stride sampling), with "runtime" naming Arm NN and "transform" naming the folding. Each run prints
Arm NN's max_rel_err against the TFLite-web fixture <short>.json (max|armnn - web| / max|web| per
output over the sampled values, the worst output: shared/nn/reference.cpp's definition).

Needs: apt-get install python3-pyarmnn libarmnn-cpuref-backend22 libarmnntfliteparser22 (pulls
python3-numpy), and `make deps` for third_party/models. Run it with Debian's /usr/bin/python3 (the
package installs into its dist-packages). See tests/reference/README.md.
"""
import argparse
import hashlib
import json
import math
import os
import struct
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MODELS_DIR = os.path.join(ROOT, 'third_party', 'models')
FIXTURES = os.path.join(HERE, 'fixtures')
MAX_SAMPLES = 2048
PATTERN = 'x[i] = f32((i*7919 % 1000)/500 - 1)'
MODELS = [
    ('face_full', 'face_detection_full_range.tflite'),
    ('face_full_sparse', 'face_detection_full_range_sparse.tflite'),
    ('face_short', 'face_detection_short_range.tflite'),
    ('hand_lite', 'hand_landmark_lite.tflite'),
    ('hand_full', 'hand_landmark_full.tflite'),
]
# TFLite schema.fbs: builtin operator codes and tensor types used here.
DEQUANTIZE, DENSIFY = 6, 124
T_FLOAT32, T_FLOAT16 = 0, 1
NP_TYPE = {0: np.float32, 1: np.float16, 2: np.int32, 3: np.uint8, 4: np.int64, 9: np.int8}


def die(msg):
    print(f'armnn_reference: {msg}', file=sys.stderr)
    sys.exit(1)


class FormatError(Exception):
    pass


# --- Reading the flatbuffer: a table at pos, its vtable slot 4 + 2k holds field k's offset.
class Table:
    def __init__(self, buf, pos, what):
        self.buf, self.pos, self.what = buf, pos, what
        if pos < 0 or pos + 4 > len(buf):
            raise FormatError(f'{what}: table offset {pos} outside the file')
        self.vt = pos - struct.unpack_from('<i', buf, pos)[0]
        if self.vt < 0 or self.vt + 4 > len(buf):
            raise FormatError(f'{what}: vtable outside the file')
        self.vt_len = struct.unpack_from('<H', buf, self.vt)[0]

    def nfields(self):
        return (self.vt_len - 4) // 2

    def field(self, k):
        if 4 + 2 * k >= self.vt_len:
            return 0
        off = struct.unpack_from('<H', self.buf, self.vt + 4 + 2 * k)[0]
        return self.pos + off if off else 0

    def scalar(self, k, fmt, default=0):
        p = self.field(k)
        return struct.unpack_from('<' + fmt, self.buf, p)[0] if p else default

    def ref(self, k):
        """Absolute position of the object field k points to, or None."""
        p = self.field(k)
        return p + struct.unpack_from('<I', self.buf, p)[0] if p else None

    def table(self, k, what):
        p = self.ref(k)
        return Table(self.buf, p, what) if p is not None else None

    def vector(self, k):
        p = self.ref(k)
        if p is None:
            return 0, 0
        n = struct.unpack_from('<I', self.buf, p)[0]
        return n, p + 4

    def tables(self, k, what):
        n, at = self.vector(k)
        return [Table(self.buf, at + 4 * i + struct.unpack_from('<I', self.buf, at + 4 * i)[0], f'{what} {i}')
                for i in range(n)]

    def ints(self, k, fmt='i'):
        n, at = self.vector(k)
        size = struct.calcsize(fmt)
        if at + n * size > len(self.buf):
            raise FormatError(f'{self.what}: vector field {k} runs past the end of the file')
        return list(struct.unpack_from(f'<{n}{fmt}', self.buf, at)) if n else []

    def bytes(self, k):
        n, at = self.vector(k)
        if at + n > len(self.buf):
            raise FormatError(f'{self.what}: byte vector field {k} runs past the end of the file')
        return self.buf[at:at + n]

    def string(self, k):
        return self.bytes(k).decode('utf-8')


# --- Writing: a prefix built back to front (like flatbuffers' own builder), so an object only
# refers to objects placed before it: later in the file, or in the original file that follows the
# prefix. Positions are distances from the end of the prefix; an original object at old_pos ends up
# at len(prefix) + old_pos, so a uoffset at distance d pointing to it holds d + old_pos.
class Old:
    def __init__(self, pos):
        self.pos = pos


class Builder:
    def __init__(self):
        self.chunks, self.size = [], 0

    def _place(self, length, align, make):
        pad = (-(self.size + length)) % align
        if pad:
            self.chunks.append(b'\0' * pad)
            self.size += pad
        dist = self.size + length
        data = make(dist)
        assert len(data) == length
        self.chunks.append(data)
        self.size = dist
        return dist

    @staticmethod
    def _uoffset(at_dist, target):
        return at_dist + target.pos if isinstance(target, Old) else at_dist - target

    def byte_vector(self, data):
        # The payload 16-byte aligned (the prefix length is a multiple of 16 too).
        pad = (-(self.size + len(data))) % 16
        if pad:
            self.chunks.append(b'\0' * pad)
            self.size += pad
        self.chunks.append(bytes(data))
        self.size += len(data)
        return self._place(4, 4, lambda d: struct.pack('<I', len(data)))

    def offset_vector(self, targets):
        def make(dist):
            out = [struct.pack('<I', len(targets))]
            for i, t in enumerate(targets):
                out.append(struct.pack('<I', self._uoffset(dist - 4 - 4 * i, t)))
            return b''.join(out)
        return self._place(4 + 4 * len(targets), 4, make)

    def table(self, fields):
        """fields: {k: ('B'|'I'|'i'|'b', value) or ('off', Old|dist)}; returns the table's dist."""
        # Layout: soffset to the vtable, then 4-byte fields, then 1-byte fields.
        order = sorted(fields, key=lambda k: -(4 if fields[k][0] in ('off', 'I', 'i') else 1))
        offs, at = {}, 4
        for k in order:
            size = 4 if fields[k][0] in ('off', 'I', 'i') else 1
            offs[k] = at
            at += size
        tsize = at + (-at) % 4
        nf = max(fields) + 1 if fields else 0
        vt = struct.pack(f'<HH{nf}H', 4 + 2 * nf, tsize, *[offs.get(k, 0) for k in range(nf)])
        vt_dist = self._place(len(vt), 2, lambda d: vt)

        def make(dist):
            b = bytearray(tsize)
            # vtable = table - soffset; the vtable sits after the table here, so soffset < 0.
            struct.pack_into('<i', b, 0, -(dist - vt_dist))
            for k, (kind, v) in fields.items():
                if kind == 'off':
                    struct.pack_into('<I', b, offs[k], self._uoffset(dist - offs[k], v))
                else:
                    struct.pack_into('<' + kind, b, offs[k], v)
            return bytes(b)
        return self._place(tsize, 4, make)

    def finish(self, root, ident, old_bytes):
        # root uoffset + file identifier at the start; the prefix padded to 16 so the original
        # file's alignment holds after it.
        pad = (-(self.size + 8)) % 16
        if pad:
            self.chunks.append(b'\0' * pad)
            self.size += pad
        self.chunks.append(ident)
        self.size += 4
        self._place(4, 4, lambda d: struct.pack('<I', self._uoffset(d, root)))
        return b''.join(reversed(self.chunks)) + old_bytes


def copy_fields(t, known, replace):
    """The fields of old table t as builder fields: scalars by value, references to the old objects.
    known: {k: fmt or 'off'}; replace: {k: new field or None to drop}."""
    if t.nfields() > max(known) + 1 and any(t.field(k) for k in range(max(known) + 1, t.nfields())):
        raise FormatError(f'{t.what}: has fields past {max(known)} that this script does not know')
    out = {}
    for k, kind in known.items():
        if k in replace:
            if replace[k] is not None:
                out[k] = replace[k]
            continue
        if not t.field(k):
            continue
        out[k] = ('off', Old(t.ref(k))) if kind == 'off' else (kind, t.scalar(k, kind))
    return out


MODEL_FIELDS = {0: 'I', 1: 'off', 2: 'off', 3: 'off', 4: 'off', 5: 'off', 6: 'off', 7: 'off'}
SUBGRAPH_FIELDS = {0: 'off', 1: 'off', 2: 'off', 3: 'off', 4: 'off'}
TENSOR_FIELDS = {0: 'off', 1: 'b', 2: 'I', 3: 'off', 4: 'off', 5: 'B', 6: 'off', 7: 'off', 8: 'B', 9: 'off'}


def densify(tensor, values, shape, what):
    """The dense array of a TFLite sparse constant: SparsityParameters (traversal_order 0, block_map 1,
    dim_metadata 2); each traversal level DENSE (dense_size) or SPARSE_CSR (segments, indices)."""
    sp = tensor.table(6, what + ' sparsity')
    order, block_map = sp.ints(0), sp.ints(1)
    levels = sp.tables(2, what + ' dim_metadata')
    rank = len(shape)
    if len(order) != rank + len(block_map) or len(levels) != len(order) or sorted(order) != list(range(len(order))):
        raise FormatError(f'{what}: inconsistent sparsity parameters')
    # Extent of each expanded dimension: original dims divided by their block sizes, then the blocks.
    ext = [None] * len(order)
    for lvl, d in zip(levels, order):
        if lvl.scalar(0, 'b') == 0:
            ext[d] = lvl.scalar(1, 'i')
    block_size = {}
    for b, d in enumerate(block_map):
        block_size[d] = ext[rank + b]
    for d in range(rank):
        ext[d] = shape[d] // block_size.get(d, 1)

    def index_vector(lvl, k):
        kind = lvl.scalar(k, 'B')
        sub = lvl.table(k + 1, what + ' index vector')
        if sub is None or kind not in (1, 2, 3):
            raise FormatError(f'{what}: a CSR dimension lacks its segments or indices')
        return sub.ints(0, {1: 'i', 2: 'H', 3: 'B'}[kind])

    per_level = []
    for lvl in levels:
        per_level.append(None if lvl.scalar(0, 'b') == 0 else (index_vector(lvl, 2), index_vector(lvl, 4)))
    dense = np.zeros(shape, dtype=values.dtype)
    coord = [0] * len(order)
    pos_value = [0]

    def visit(level, parent):
        if level == len(order):
            idx = list(coord[:rank])
            for b, d in enumerate(block_map):
                idx[d] = idx[d] * block_size[d] + coord[rank + b]
            dense[tuple(idx)] = values[pos_value[0]]
            pos_value[0] += 1
            return
        dim = order[level]
        if per_level[level] is None:
            for i in range(ext[dim]):
                coord[dim] = i
                visit(level + 1, parent * ext[dim] + i)
        else:
            seg, ind = per_level[level]
            for j in range(seg[parent], seg[parent + 1]):
                coord[dim] = ind[j]
                visit(level + 1, j)

    visit(0, 0)
    if pos_value[0] != len(values):
        raise FormatError(f'{what}: {len(values)} stored values, the sparsity parameters place {pos_value[0]}')
    return dense


def fold_constants(data, file):
    """An fp32 copy of the model: every DEQUANTIZE / DENSIFY whose input is constant is computed here
    and its output becomes a constant tensor. Returns (new bytes, description of what was folded)."""
    if len(data) < 8 or data[4:8] != b'TFL3':
        raise FormatError(f'{file}: not a TFLite flatbuffer (no TFL3 identifier)')
    model = Table(data, struct.unpack_from('<I', data, 0)[0], f'{file}: model')
    codes = [max(c.scalar(0, 'b'), c.scalar(3, 'i')) for c in model.tables(1, 'operator code')]
    buffers = model.tables(4, 'buffer')
    subgraphs = model.tables(2, 'subgraph')
    if len(subgraphs) != 1:
        raise FormatError(f'{file}: {len(subgraphs)} subgraphs (one expected)')
    sg = subgraphs[0]
    tensors = sg.tables(0, 'tensor')
    ops = sg.tables(3, 'operator')

    const = {}  # tensor index -> numpy array

    def constant(t):
        if t in const:
            return const[t]
        tt = tensors[t]
        b = tt.scalar(2, 'I')
        raw = buffers[b].bytes(0) if b < len(buffers) else b''
        if not raw:
            return None
        ty = tt.scalar(1, 'b')
        if ty not in NP_TYPE:
            return None
        return np.frombuffer(raw, dtype=NP_TYPE[ty])

    folded_ops, folded_out, counts = set(), {}, {DEQUANTIZE: 0, DENSIFY: 0}
    for i, op in enumerate(ops):
        code = codes[op.scalar(0, 'I')]
        if code not in (DEQUANTIZE, DENSIFY):
            continue
        ins, outs = op.ints(1), op.ints(2)
        if len(ins) != 1 or len(outs) != 1:
            continue
        x = constant(ins[0])
        if x is None:
            continue
        out_t = tensors[outs[0]]
        shape = out_t.ints(0)
        what = f'{file}: operator {i} tensor {ins[0]}'
        if code == DEQUANTIZE:
            if tensors[ins[0]].scalar(1, 'b') != T_FLOAT16 or out_t.scalar(1, 'b') != T_FLOAT32:
                continue  # a quantized DEQUANTIZE is Arm NN's to run
            y = x.astype(np.float32).reshape(shape)
        else:
            if tensors[ins[0]].field(6) == 0:
                raise FormatError(f'{what}: DENSIFY of a tensor without sparsity parameters')
            y = densify(tensors[ins[0]], x, shape, what)
        const[outs[0]] = y
        folded_ops.add(i)
        folded_out[outs[0]] = y
        counts[code] += 1

    # Only outputs that a remaining operator or the graph reads need a buffer.
    used = set(sg.ints(2))
    for i, op in enumerate(ops):
        if i not in folded_ops:
            used.update(t for t in op.ints(1) if t >= 0)

    b = Builder()
    new_tensor, new_buffers = {}, []
    for t, y in folded_out.items():
        if t not in used:
            continue
        buf_index = len(buffers) + len(new_buffers)
        new_buffers.append(b.table({0: ('off', b.byte_vector(np.ascontiguousarray(y).tobytes()))}))
        ty = {np.dtype(np.float32): T_FLOAT32, np.dtype(np.float16): T_FLOAT16}[y.dtype]
        new_tensor[t] = b.table(copy_fields(tensors[t], TENSOR_FIELDS, {1: ('b', ty), 2: ('I', buf_index)}))
    tensors_vec = b.offset_vector([new_tensor.get(t, Old(tt.pos)) for t, tt in enumerate(tensors)])
    ops_vec = b.offset_vector([Old(op.pos) for i, op in enumerate(ops) if i not in folded_ops])
    new_sg = b.table(copy_fields(sg, SUBGRAPH_FIELDS, {0: ('off', tensors_vec), 3: ('off', ops_vec)}))
    sg_vec = b.offset_vector([new_sg])
    buf_vec = b.offset_vector([Old(x.pos) for x in buffers] + new_buffers)
    root = b.table(copy_fields(model, MODEL_FIELDS, {2: ('off', sg_vec), 4: ('off', buf_vec)}))
    out = b.finish(root, b'TFL3', data)
    desc = (f'{counts[DEQUANTIZE]} fp16 DEQUANTIZE and {counts[DENSIFY]} DENSIFY of constants folded to constant '
            f'tensors by armnn_reference.py (fp16->fp32 exact); every other operator runs in Arm NN')
    return out, desc


RESIZE_BILINEAR = 23


def half_pixel_resizes(data, file):
    """Indices of the RESIZE_BILINEAR operators with half_pixel_centers = true (ResizeBilinearOptions
    field 3; Operator.builtin_options is field 4), and each one's (input, output) tensors."""
    model = Table(data, struct.unpack_from('<I', data, 0)[0], f'{file}: model')
    codes = [max(c.scalar(0, 'b'), c.scalar(3, 'i')) for c in model.tables(1, 'operator code')]
    found = []
    for i, op in enumerate(model.tables(2, 'subgraph')[0].tables(3, 'operator')):
        if codes[op.scalar(0, 'I')] == RESIZE_BILINEAR:
            opt = op.table(4, f'{file}: operator {i} options')
            if opt is not None and opt.scalar(3, 'B'):
                found.append((i, op.ints(1)[0], op.ints(2)[0]))
    return found


def with_outputs(data, file, tensor_ids):
    """The model with its subgraph outputs replaced by tensor_ids (to look inside the graph)."""
    model = Table(data, struct.unpack_from('<I', data, 0)[0], f'{file}: model')
    sg = model.tables(2, 'subgraph')[0]
    b = Builder()
    ids = b._place(4 + 4 * len(tensor_ids), 4,
                   lambda d: struct.pack(f'<I{len(tensor_ids)}i', len(tensor_ids), *tensor_ids))
    new_sg = b.table(copy_fields(sg, SUBGRAPH_FIELDS, {2: ('off', ids)}))
    root = b.table(copy_fields(model, MODEL_FIELDS, {2: ('off', b.offset_vector([new_sg]))}))
    return b.finish(root, b'TFL3', data)


def bilinear(x, out_h, out_w, half_pixel):
    """TFLite's RESIZE_BILINEAR (align_corners false) on NHWC x: source coordinate
    (o + 0.5) * scale - 0.5 with half_pixel_centers, o * scale without; the lower neighbour clamped
    to 0, the upper to size - 1, weights from the unclamped coordinate."""
    def axis(out_n, in_n):
        o = np.arange(out_n, dtype=np.float64)
        scale = in_n / out_n
        src = (o + 0.5) * scale - 0.5 if half_pixel else o * scale
        lo = np.maximum(np.floor(src), 0).astype(int)
        hi = np.minimum(np.ceil(src), in_n - 1).astype(int)
        return lo, hi, src - lo
    y0, y1, fy = axis(out_h, x.shape[1])
    x0, x1, fx = axis(out_w, x.shape[2])
    x = x.astype(np.float64)
    fy, fx = fy[None, :, None, None], fx[None, None, :, None]
    top = x[:, y0][:, :, x0] * (1 - fx) + x[:, y0][:, :, x1] * fx
    bottom = x[:, y1][:, :, x0] * (1 - fx) + x[:, y1][:, :, x1] * fx
    return top * (1 - fy) + bottom * fy


def diagnose_resize(ann, folded, file, resize):
    """Runs the folded model up to a half-pixel RESIZE_BILINEAR and compares Arm NN's result with
    both conventions: which one Arm NN computed. Returns (max abs diff half-pixel, legacy, scale)."""
    i, tin, tout = resize
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, file)
        with open(path, 'wb') as f:
            f.write(with_outputs(folded, file, [tin, tout]))
        outs, _, _ = run_armnn(ann, path)
    x = outs[0][2].reshape(outs[0][1])
    y = outs[1][2].reshape(outs[1][1]).astype(np.float64)
    diffs = [float(np.max(np.abs(bilinear(x, y.shape[1], y.shape[2], hp) - y))) for hp in (True, False)]
    return diffs[0], diffs[1], float(np.max(np.abs(y)))


def declared_io(data, file):
    model = Table(data, struct.unpack_from('<I', data, 0)[0], f'{file}: model')
    sg = model.tables(2, 'subgraph')[0]
    tensors = sg.tables(0, 'tensor')
    io = lambda ids: [{'name': tensors[t].string(3), 'shape': tensors[t].ints(0)} for t in ids]
    return io(sg.ints(1)), io(sg.ints(2))


def reference_input(n):
    i = np.arange(n, dtype=np.uint64)
    return ((i * 7919 % 1000).astype(np.float64) / 500.0 - 1.0).astype(np.float32)


def js_number(v):
    """JSON text of float32 v like make_reference.mjs's Number(v.toPrecision(9)) through JSON.stringify
    (ECMAScript Number::toString), so the two fixtures read alike."""
    d = float('%.9g' % float(v))
    if d == 0:
        return '0'
    digits, exp = repr(abs(d)).lower(), 0
    if 'e' in digits:
        digits, e = digits.split('e')
        exp = int(e)
    if '.' in digits:
        ip, fp = digits.split('.')
    else:
        ip, fp = digits, ''
    s = (ip + fp).lstrip('0')
    # value = 0.s * 10^n
    n = len(ip.lstrip('0')) + exp if ip.lstrip('0') else exp - (len(fp) - len(fp.lstrip('0')))
    s = s.rstrip('0')
    k = len(s)
    sign = '-' if d < 0 else ''
    if k <= n <= 21:
        return sign + s + '0' * (n - k)
    if 0 < n <= 21:
        return sign + s[:n] + '.' + s[n:]
    if -6 < n <= 0:
        return sign + '0.' + '0' * (-n) + s
    e = n - 1
    mant = s[0] + ('.' + s[1:] if k > 1 else '')
    return f'{sign}{mant}e{"+" if e >= 0 else "-"}{abs(e)}'


def max_rel_err(ours, ref_values, stride):
    """shared/nn/reference.cpp's MaxRelErrVsReference for one output: max|a - r| / max|r| over the
    reference's sampled values (max|a - r| when the reference is all zero)."""
    r = np.asarray(ref_values, dtype=np.float32).astype(np.float64)
    a = ours[::stride][:len(r)].astype(np.float64)
    m = float(np.max(np.abs(r))) if len(r) else 0.0
    d = float(np.max(np.abs(a - r))) if len(r) else 0.0
    return d / m if m > 0 else d


def run_armnn(ann, path):
    """Parses, optimizes for CpuRef, loads and runs the model at path. Returns
    ([(name, shape, float32 array)] in the file's declared output order, input shape, input name)."""
    parser = ann.ITfLiteParser()
    network = parser.CreateNetworkFromBinaryFile(path)
    in_names = parser.GetSubgraphInputTensorNames(0)
    out_names = parser.GetSubgraphOutputTensorNames(0)
    if len(in_names) != 1:
        raise RuntimeError(f'{len(in_names)} inputs, one expected')
    in_binding = parser.GetNetworkInputBindingInfo(0, in_names[0])
    out_bindings = [parser.GetNetworkOutputBindingInfo(0, n) for n in out_names]
    runtime = ann.IRuntime(ann.CreationOptions())
    opt, messages = ann.Optimize(network, [ann.BackendId('CpuRef')], runtime.GetDeviceSpec(), ann.OptimizerOptions())
    if messages:
        print(f'armnn_reference:   Optimize: {messages}')
    net_id, _ = runtime.LoadNetwork(opt)
    in_shape = [in_binding[1].GetShape()[k] for k in range(in_binding[1].GetNumDimensions())]
    x = reference_input(int(np.prod(in_shape)))
    inputs = ann.make_input_tensors([in_binding], [x])
    outputs = ann.make_output_tensors(out_bindings)
    runtime.EnqueueWorkload(net_id, inputs, outputs)
    results = ann.workload_tensors_to_ndarray(outputs)
    outs = []
    for name, bind, y in zip(out_names, out_bindings, results):
        shape = [bind[1].GetShape()[k] for k in range(bind[1].GetNumDimensions())]
        outs.append((name, shape, np.asarray(y, dtype=np.float32).reshape(-1)))
    runtime.UnloadNetwork(net_id)
    return outs, in_shape, in_names[0]


def one_model(ann, short, file, runtime_name):
    path = os.path.join(MODELS_DIR, file)
    data = open(path, 'rb').read()
    declared_in, declared_out = declared_io(data, file)
    print(f'armnn_reference: {short} ({file})')
    transform = None
    try:
        outs, in_shape, in_name = run_armnn(ann, path)
        print('armnn_reference:   Arm NN loads the file as it is')
    except RuntimeError as e:
        refusal = str(e).strip()
        print(f'armnn_reference:   Arm NN refuses the file as it is: {refusal}')
        folded, transform = fold_constants(data, file)
        print(f'armnn_reference:   folded: {transform} ({len(data)} -> {len(folded)} bytes)')
        with tempfile.TemporaryDirectory() as tmp:
            folded_path = os.path.join(tmp, file)
            with open(folded_path, 'wb') as f:
                f.write(folded)
            try:
                outs, in_shape, in_name = run_armnn(ann, folded_path)
            except RuntimeError as e2:
                print(f'armnn_reference:   Arm NN refuses the folded file too: {str(e2).strip()}')
                stale = os.path.join(FIXTURES, f'{short}.armnn.json')
                if os.path.exists(stale):
                    os.unlink(stale)
                    print(f'armnn_reference:   removed the stale {os.path.relpath(stale, ROOT)}')
                return {'model': short, 'loaded': False, 'error': refusal, 'error_folded': str(e2).strip()}

    if len(declared_in) != 1 or declared_in[0]['name'] != in_name or declared_in[0]['shape'] != in_shape:
        die(f'{file}: Arm NN\'s input {in_name} {in_shape} is not the file\'s {declared_in}')
    if [o['name'] for o in declared_out] != [o[0] for o in outs] or [o['shape'] for o in declared_out] != [o[1] for o in outs]:
        die(f'{file}: Arm NN\'s outputs {[(o[0], o[1]) for o in outs]} are not the file\'s {declared_out}')
    for name, shape, y in outs:
        if y.size != int(np.prod(shape)):
            die(f'{file}: output {name} has {y.size} values for shape {shape}')
        if not np.all(np.isfinite(y)):
            die(f'{file}: output {name} has non-finite values')
        if not np.any(y != 0):
            die(f'{file}: output {name} is all zeros')

    sha = hashlib.sha256(data).hexdigest()
    result = {'model': short, 'loaded': True, 'folded': bool(transform)}
    # Arm NN vs the TFLite-web fixture on the same input.
    web_path = os.path.join(FIXTURES, f'{short}.json')
    if os.path.exists(web_path):
        web = json.load(open(web_path))
        if web.get('file_sha256') != sha:
            die(f'{web_path}: made from another {file} (sha256 differs)')
        worst = 0.0
        for (name, shape, y), w in zip(outs, web['outputs']):
            if w['name'] != name or w['shape'] != shape or w['count'] != y.size:
                die(f'{web_path}: output {w["name"]} {w["shape"]} does not match Arm NN\'s {name} {shape}')
            e = max_rel_err(y, w['values'], w['stride'])
            print(f'armnn_reference:   {name}: max_rel_err vs TFLite-web {e:.3g}')
            worst = max(worst, e)
        print(f'armnn_reference:   {short}: max_rel_err Arm NN vs TFLite-web {worst:.3g}')
        result['max_rel_err_vs_web'] = worst
    else:
        print(f'armnn_reference:   no {os.path.relpath(web_path, ROOT)} to compare with')

    out_path = os.path.join(FIXTURES, f'{short}.armnn.json')
    # Arm NN 20.08's TfLiteParser drops RESIZE_BILINEAR's half_pixel_centers (it computes the legacy
    # o * scale sampling): such a model's outputs are not TFLite's, so no fixture is written for it.
    resizes = half_pixel_resizes(data, file)
    if resizes:
        hp, legacy, scale = diagnose_resize(ann, folded if transform else data, file, resizes[0])
        why = (f'Arm NN 20.08 ignores half_pixel_centers of RESIZE_BILINEAR (operators '
               f'{", ".join(str(r[0]) for r in resizes)}): at operator {resizes[0][0]} its output differs from '
               f'half-pixel sampling by up to {hp:.3g} and from legacy sampling by {legacy:.3g} '
               f'(output max |y| {scale:.3g})')
        print(f'armnn_reference:   no fixture: {why}')
        result.update(fixture=None, why=why)
        if os.path.exists(out_path):
            os.unlink(out_path)
            print(f'armnn_reference:   removed the stale {os.path.relpath(out_path, ROOT)}')
        return result

    fixture_outputs = []
    for name, shape, y in outs:
        count = int(y.size)
        stride = math.ceil(count / MAX_SAMPLES) | 1
        fixture_outputs.append({'name': name, 'shape': shape, 'count': count, 'stride': stride,
                                'values': y[::stride]})
    head = {'model': f'mediapipe:{short}', 'file': file, 'file_bytes': len(data), 'file_sha256': sha,
            'runtime': runtime_name}
    if transform:
        head['transform'] = transform
    head['input'] = {'name': in_name, 'shape': in_shape, 'pattern': PATTERN}
    lines = []
    for o in fixture_outputs:
        vals = ','.join(js_number(v) for v in o['values'])
        meta = json.dumps({k: o[k] for k in ('name', 'shape', 'count', 'stride')}, separators=(',', ':'))
        lines.append('  ' + meta[:-1] + f',"values":[{vals}]' + '}')
    text = json.dumps(head, separators=(',', ':'))[:-1] + ',\n "outputs": [\n' + ',\n'.join(lines) + '\n ]}\n'
    parsed = json.loads(text)  # the format check the C++ side relies on
    for o, p in zip(fixture_outputs, parsed['outputs']):
        if len(p['values']) != (o['count'] + o['stride'] - 1) // o['stride'] or \
                np.any(np.asarray(p['values'], dtype=np.float32) != o['values']):
            die(f'{file}: fixture output {o["name"]} does not read back as written')
    with open(out_path, 'w') as f:
        f.write(text)
    print(f'armnn_reference:   wrote {os.path.relpath(out_path, ROOT)} ({len(text)} bytes)')
    result['fixture'] = os.path.relpath(out_path, ROOT)
    return result


def main():
    ap = argparse.ArgumentParser(description='Arm NN 20.08 CpuRef reference outputs for the bundled models')
    ap.add_argument('--models', default=','.join(m[0] for m in MODELS),
                    help='comma-separated short names (default: all five)')
    args = ap.parse_args()
    wanted = args.models.split(',')
    known = dict(MODELS)
    for m in wanted:
        if m not in known:
            die(f'unknown model {m}; known: {", ".join(known)}')
        if not os.path.exists(os.path.join(MODELS_DIR, known[m])):
            die(f'third_party/models/{known[m]} missing: run `make deps`')
    try:
        import pyarmnn as ann
    except ImportError as e:
        die(f'no pyarmnn ({e}): apt-get install python3-pyarmnn libarmnn-cpuref-backend22 '
            f'libarmnntfliteparser22, and run this with /usr/bin/python3')
    # pyarmnn's version is the library's (22.0.0 = Arm NN 20.08, Debian's libarmnn22).
    runtime_name = f'Arm NN 20.08 (libarmnn {ann.ARMNN_VERSION}, Debian), TfLiteParser, CpuRef backend'
    print(f'armnn_reference: {runtime_name}')
    results = []
    for m in wanted:
        try:
            results.append(one_model(ann, m, known[m], runtime_name))
        except (FormatError, struct.error, IndexError, UnicodeDecodeError) as e:
            die(f'third_party/models/{known[m]}: not a TFLite model this script can read: {e}')
    print(json.dumps({'runtime': runtime_name, 'models': results}))


if __name__ == '__main__':
    main()
