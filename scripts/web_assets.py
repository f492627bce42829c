#!/usr/bin/env python3
"""Finishes the page build in build/web (run by the build after the link and the copies):

    python3 scripts/web_assets.py --dir build/web --sw-template web/sw.js.in

- fieldkit-assets.json: every file the page may fetch, with its content hash (the
  first 16 hex digits of its SHA-256), its size and its gzip size, and the build's
  version (a hash over all of them). The page loads its files as `name?v=<hash>`:
  serve.py marks such URLs immutable, and the service worker caches them.
- sw.js: the service worker, from the template with the version and the file list
  filled in, so a new build is a new worker (browsers compare its bytes) and a new
  cache.
- icon-192.png, icon-512.png: the app icons for the web app manifest, drawn here
  (no third-party art).
- <name>.gz beside each file that gzip makes smaller by more than 5 %: serve.py
  sends it to clients that accept gzip. Rewritten only when the file changed.
"""
import argparse
import gzip
import hashlib
import json
import os
import struct
import sys
import zlib

# What the page never fetches: the wasm doctest suite, and what this script writes from the rest.
SKIP_NAMES = {"fieldkit-tests.js", "fieldkit-tests.wasm", "sw.js", "fieldkit-assets.json"}
SKIP_EXTS = {".gz", ".in", ".map"}
# Already compressed or not worth a .gz (served as they are).
NO_GZIP_EXTS = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".woff", ".woff2"}


def file_hash(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:16]


def write_if_changed(path, data):
    """Writes bytes only when they differ: an unchanged file keeps its mtime (and its ETag)."""
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return False
    except OSError:
        pass
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return True


def gzip_beside(path, ext):
    """Writes path.gz when gzip saves > 5 %; returns the size sent to a gzip client."""
    size = os.path.getsize(path)
    gz = path + ".gz"
    if ext in NO_GZIP_EXTS:
        if os.path.exists(gz):
            os.remove(gz)
        return size
    if os.path.exists(gz) and os.path.getmtime(gz) >= os.path.getmtime(path):
        return os.path.getsize(gz)
    with open(path, "rb") as f:
        raw = f.read()
    packed = gzip.compress(raw, compresslevel=9, mtime=0)
    if len(packed) > 0.95 * len(raw):
        if os.path.exists(gz):
            os.remove(gz)
        return size
    tmp = gz + ".tmp"
    with open(tmp, "wb") as f:
        f.write(packed)
    os.replace(tmp, gz)
    return len(packed)


# [SECTION] Icons: a dark rounded tile with three rising bars and a dot, drawn with exact
# per-pixel coverage (the bars are axis-aligned; the corners and the dot are circles).

def _png(width, height, rgba_rows):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    raw = b"".join(b"\x00" + row for row in rgba_rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def _cover_1d(lo, hi, p):
    """How much of pixel [p, p+1) lies inside [lo, hi]."""
    return max(0.0, min(hi, p + 1) - max(lo, p))


def draw_icon(size):
    s = size / 64.0  # designed on a 64-unit grid
    bg, fg, accent = (0x24, 0x26, 0x2c), (0x56, 0x9c, 0xd6), (0xe5, 0xc0, 0x7b)
    radius = 12 * s
    bars = [(14, 38, 24, 50), (27, 28, 37, 50), (40, 18, 50, 50)]  # x0, y0, x1, y1
    bars = [tuple(v * s for v in b) for b in bars]
    dot_c, dot_r = (45 * s, 11 * s), 4.5 * s
    rows = []
    for y in range(size):
        row = bytearray()
        for x in range(size):
            # Tile coverage: inside the rounded square (1 px smooth edge at the corners).
            cx = min(max(x + 0.5, radius), size - radius)
            cy = min(max(y + 0.5, radius), size - radius)
            d = ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2) ** 0.5
            tile = min(1.0, max(0.0, radius - d + 0.5))
            col = list(bg)
            bar = sum(_cover_1d(b[0], b[2], x) * _cover_1d(b[1], b[3], y) for b in bars)
            if bar > 0:
                col = [c0 + (c1 - c0) * min(1.0, bar) for c0, c1 in zip(col, fg)]
            dd = ((x + 0.5 - dot_c[0]) ** 2 + (y + 0.5 - dot_c[1]) ** 2) ** 0.5
            dot = min(1.0, max(0.0, dot_r - dd + 0.5))
            if dot > 0:
                col = [c0 + (c1 - c0) * dot for c0, c1 in zip(col, accent)]
            row += bytes((int(round(col[0])), int(round(col[1])), int(round(col[2])), int(round(255 * tile))))
        rows.append(bytes(row))
    return _png(size, size, rows)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dir", required=True, help="the page's build directory (build/web)")
    p.add_argument("--sw-template", required=True, help="web/sw.js.in")
    args = p.parse_args(argv)
    root = os.path.abspath(args.dir)
    if not os.path.isfile(os.path.join(root, "index.html")):
        print("web_assets.py: %s has no index.html (is it the page's build directory?)" % root, file=sys.stderr)
        return 1

    for size in (192, 512):
        icon = os.path.join(root, "icon-%d.png" % size)
        if not os.path.exists(icon) or os.path.getmtime(icon) < os.path.getmtime(__file__):
            write_if_changed(icon, draw_icon(size))

    files = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            ext = os.path.splitext(name)[1].lower()
            if rel in SKIP_NAMES or ext in SKIP_EXTS or name.endswith(".tmp") or not os.path.isfile(full):
                continue
            files[rel] = {"hash": file_hash(full), "bytes": os.path.getsize(full),
                          "gzip_bytes": gzip_beside(full, ext)}
    version = hashlib.sha256("".join("%s %s\n" % (k, files[k]["hash"]) for k in sorted(files)).encode()).hexdigest()[:16]
    manifest = {"version": version, "files": files}
    write_if_changed(os.path.join(root, "fieldkit-assets.json"),
                     (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode())

    with open(args.sw_template, encoding="utf-8") as f:
        template = f.read()
    for key in ("__FK_VERSION__", "__FK_FILES__"):
        if key not in template:
            print("web_assets.py: %s lacks the placeholder %s" % (args.sw_template, key), file=sys.stderr)
            return 1
    listing = json.dumps({k: files[k]["hash"] for k in sorted(files)}, indent=1, sort_keys=True)
    sw = template.replace("__FK_VERSION__", version).replace("__FK_FILES__", listing)
    sw_path = os.path.join(root, "sw.js")
    write_if_changed(sw_path, sw.encode())
    gzip_beside(sw_path, ".js")
    gzip_beside(os.path.join(root, "fieldkit-assets.json"), ".json")
    total = sum(v["bytes"] for v in files.values())
    total_gz = sum(v["gzip_bytes"] for v in files.values())
    print("web_assets.py: version %s, %d files, %.2f MB (%.2f MB gzip)" % (version, len(files), total / 1e6, total_gz / 1e6))
    return 0


if __name__ == "__main__":
    sys.exit(main())
