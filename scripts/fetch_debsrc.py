#!/usr/bin/env python3
"""Fetches the pinned Debian source tarballs the wasm build compiles XNNPACK from (issue #17).

  scripts/fetch_debsrc.py            download what is missing, verify, unpack, apply patches/<name>/*.patch
  scripts/fetch_debsrc.py --check    exit 0 when every source is unpacked and patched as pinned, else
                                     list what is missing and exit 1 (no network)

Debian bookworm's XNNPACK source tarball is gone from the archive; trixie's orig tarballs are
in the same pool, so each comes straight from http://deb.debian.org/debian/<pool path> (no apt
source entry: a trixie deb-src line would make `apt-get source imgui` pick trixie's imgui). Each
download is checked against the size and sha256 pinned below (from trixie's Sources index) and
cached in third_party/debsrc/; it is unpacked into third_party/src/<name>/ (never committed) and
our patches/<name>/*.patch are applied there with `patch -p1`, in name order. A stamp file in
the unpacked tree records the tarball's sha256 and each patch's sha256: when a pin or a patch
changes, the tree is unpacked again from the cached tarball.
"""
import hashlib
import lzma
import os
import shutil
import subprocess
import sys
import tarfile
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.join(ROOT, "third_party", "debsrc")
DEST = os.path.join(ROOT, "third_party", "src")
PATCHES = os.path.join(ROOT, "patches")
MIRROR = "http://deb.debian.org/debian/"
STAMP = ".fieldkit-unpacked"

# name, pool path, bytes, sha256. pthreadpool (its no-thread shim) and fxdiv are XNNPACK's
# headers and shim for a single-threaded build; cpuinfo is not needed (the wasm paths do not
# call it) and fp16 neither (this XNNPACK carries its own half-float helpers).
PINS = [
    ("xnnpack", "pool/main/x/xnnpack/xnnpack_0.0~git20241108.4ea82e5.orig.tar.xz", 2707704,
     "90bde2caef0f880f627bab0dc805a86c4b8070cd98e3243db3046ab3f3be1a99"),
    ("pthreadpool", "pool/main/p/pthreadpool/pthreadpool_0.0~git20240616.560c60d.orig.tar.xz", 42284,
     "4cc3cbd933b28131d2a34edc54f76af9fb41bc490af5eae1a5bd3cd07ea90708"),
    ("fxdiv", "pool/main/f/fxdiv/fxdiv_0.0~git20200417.b408327.orig.tar.xz", 8756,
     "7953482badaf4cb34026c3487c257b8e4ab2df061c019bd6fabbbc12ad52c44b"),
]


def fail(msg):
    print(f"fetch_debsrc: {msg}", file=sys.stderr)
    sys.exit(1)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def patches(name):
    d = os.path.join(PATCHES, name)
    if not os.path.isdir(d):
        return []
    return [os.path.join(d, p) for p in sorted(os.listdir(d)) if p.endswith(".patch")]


def want_stamp(name, digest):
    lines = [f"{name} {digest}"]
    lines += [f"patch {os.path.relpath(p, ROOT)} {sha256(p)}" for p in patches(name)]
    return "\n".join(lines) + "\n"


def unpacked_ok(name, digest):
    try:
        with open(os.path.join(DEST, name, STAMP), encoding="utf-8") as f:
            return f.read() == want_stamp(name, digest)
    except OSError:
        return False


def download(url, dest, size, digest):
    part = dest + ".part"
    print(f"fetch_debsrc: downloading {url}", flush=True)
    try:
        with urllib.request.urlopen(url, timeout=60) as r, open(part, "wb") as out:
            shutil.copyfileobj(r, out, 1 << 20)
    except OSError as e:  # URLError, HTTPError, timeouts are all OSErrors
        if os.path.exists(part):
            os.remove(part)
        fail(f"could not download {url}: {e}")
    got = os.path.getsize(part)
    have = sha256(part)
    if got != size or have != digest:
        os.remove(part)
        fail(f"{url}: got {got} bytes with sha256 {have}; the pin in scripts/fetch_debsrc.py is {size} bytes, "
             f"sha256 {digest} (truncated or altered download, or a wrong pin); run `make deps` again")
    os.replace(part, dest)
    print(f"fetch_debsrc:   {got / 1e6:.2f} MB, sha256 matches the pin", flush=True)


def tarball(pool, size, digest):
    """The verified cached tarball, downloaded when absent or not matching the pin."""
    os.makedirs(CACHE, exist_ok=True)
    path = os.path.join(CACHE, os.path.basename(pool))
    if os.path.isfile(path):
        if os.path.getsize(path) == size and sha256(path) == digest:
            return path
        print(f"fetch_debsrc: cached {os.path.relpath(path, ROOT)} does not match its pin; downloading it again")
        os.remove(path)
    download(MIRROR + pool, path, size, digest)
    return path


def unpack(name, path, digest):
    """Unpacks into third_party/src/<name>/ (a lone top-level folder stripped), then patches."""
    out = os.path.join(DEST, name)
    tmp = out + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    with lzma.open(path) as xz, tarfile.open(fileobj=xz, mode="r|") as tar:
        for m in tar:
            parts = [p for p in m.name.split("/") if p not in ("", ".")]
            if not parts or ".." in parts or m.name.startswith("/"):
                fail(f"{os.path.relpath(path, ROOT)}: unsafe member name '{m.name}'")
            if m.isdir() or not (m.isfile() or m.issym()):
                continue
            target = os.path.join(tmp, *parts)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if m.issym():
                continue  # the sources have none we compile; never follow a link out of the tree
            with tar.extractfile(m) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
    top = os.listdir(tmp)
    root = os.path.join(tmp, top[0]) if len(top) == 1 and os.path.isdir(os.path.join(tmp, top[0])) else tmp
    for p in patches(name):
        r = subprocess.run(["patch", "-p1", "--batch", "--forward", "-s", "-d", root, "-i", p],
                           capture_output=True, text=True)
        if r.returncode != 0:
            fail(f"{os.path.relpath(p, ROOT)} does not apply to {os.path.basename(path)}:\n{r.stdout}{r.stderr}")
        print(f"fetch_debsrc:   applied {os.path.relpath(p, ROOT)}", flush=True)
    shutil.rmtree(out, ignore_errors=True)
    os.replace(root, out)
    shutil.rmtree(tmp, ignore_errors=True)
    with open(os.path.join(out, STAMP), "w", encoding="utf-8") as f:
        f.write(want_stamp(name, digest))


def main(argv):
    if argv not in ([], ["--check"]):
        print(__doc__.strip().split("\n\n")[0], file=sys.stderr)
        return 2
    todo = [p for p in PINS if not unpacked_ok(p[0], p[3])]
    if argv == ["--check"]:
        for name, pool, _, _ in todo:
            print(f"fetch_debsrc: missing {name} ({os.path.basename(pool)}) in {os.path.relpath(DEST, ROOT)}/")
        return 1 if todo else 0
    if todo and shutil.which("patch") is None:
        fail("the `patch` command is missing (Debian package patch)")
    for name, pool, size, digest in todo:
        unpack(name, tarball(pool, size, digest), digest)
        print(f"fetch_debsrc:   {os.path.relpath(os.path.join(DEST, name), ROOT)}/ ready", flush=True)
    if not todo:
        print("fetch_debsrc: all pinned Debian sources present")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
