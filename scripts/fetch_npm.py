#!/usr/bin/env python3
"""Fetches the pinned npm tarballs of scripts/npm-pins.txt without npm (stock Debian 12 has none).

  scripts/fetch_npm.py            download what is missing, verify, extract the listed files
  scripts/fetch_npm.py --check    exit 0 when every package's files are extracted, else list what
                                  is missing and exit 1 (no network)

Each tarball comes from https://registry.npmjs.org/<pkg>/-/<name>-<version>.tgz, is checked
against the sha512 `dist.integrity` pinned in npm-pins.txt (so a truncated or altered download is
an error, never a model), and is cached in third_party/npm/. A stamp file beside it lists the
extracted files and their sizes: a package counts as present only when all of them are there.
"""
import base64
import fnmatch
import hashlib
import os
import posixpath
import sys
import tarfile
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PINS = os.path.join(ROOT, "scripts", "npm-pins.txt")
CACHE = os.path.join(ROOT, "third_party", "npm")
REGISTRY = "https://registry.npmjs.org"


class Pkg:
    def __init__(self, name, version, integrity, where):
        self.name, self.version, self.integrity, self.where = name, version, integrity, where
        self.files = []  # (pattern, destination directory relative to ROOT, where)

    @property
    def tgz(self):  # npm pack's naming: @scope/name -> scope-name-version.tgz
        return self.name.lstrip("@").replace("/", "-") + "-" + self.version + ".tgz"

    @property
    def url(self):
        return f"{REGISTRY}/{self.name}/-/{self.name.split('/')[-1]}-{self.version}.tgz"

    @property
    def stamp(self):
        return os.path.join(CACHE, self.tgz + ".extracted")


def fail(msg):
    print(f"fetch_npm: {msg}", file=sys.stderr)
    sys.exit(1)


def read_pins():
    pkgs = []
    with open(PINS, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            where = f"{os.path.relpath(PINS, ROOT)}:{n}"
            words = line.split("#", 1)[0].split()
            if not words:
                continue
            if words[0] == "pkg" and len(words) == 4:
                if not words[3].startswith("sha512-"):
                    fail(f"{where}: integrity must be 'sha512-<base64>', got '{words[3]}'")
                pkgs.append(Pkg(words[1], words[2], words[3], where))
            elif words[0] == "file" and len(words) == 3:
                if not pkgs:
                    fail(f"{where}: 'file' line before any 'pkg' line")
                dest = words[2]
                if os.path.isabs(dest) or ".." in dest.split("/"):
                    fail(f"{where}: destination '{dest}' must be a relative path inside the checkout")
                pkgs[-1].files.append((words[1], dest, where))
            else:
                fail(f"{where}: expected 'pkg NAME VERSION INTEGRITY' or 'file MEMBER DEST_DIR', got '{line.strip()}'")
    return pkgs


def sri(path):
    h = hashlib.sha512()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return "sha512-" + base64.b64encode(h.digest()).decode()


def extracted_ok(pkg):
    """True when the stamp names this exact tarball and every file it lists has its size."""
    try:
        with open(pkg.stamp, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return False
    if not lines or lines[0] != pkg.integrity:
        return False
    for line in lines[1:]:
        size, rel = line.split(" ", 1)
        p = os.path.join(ROOT, rel)
        if not os.path.isfile(p) or os.path.getsize(p) != int(size):
            return False
    return True


def download(pkg, dest):
    part = dest + ".part"
    print(f"fetch_npm: downloading {pkg.url}", flush=True)
    try:
        with urllib.request.urlopen(pkg.url, timeout=60) as r, open(part, "wb") as out:
            expected = r.headers.get("Content-Length")
            got = 0
            while True:
                chunk = r.read(1 << 20)
                if not chunk:
                    break
                out.write(chunk)
                got += len(chunk)
    except OSError as e:  # URLError, HTTPError, timeouts are all OSErrors
        fail(f"could not download {pkg.url}: {e}")
    if expected is not None and got != int(expected):
        os.remove(part)
        fail(f"{pkg.url}: got {got} bytes of {expected} (truncated download); run `make deps` again")
    have = sri(part)
    if have != pkg.integrity:
        os.remove(part)
        fail(f"{pkg.url}: sha512 of the {got} bytes downloaded is {have}, but {pkg.where} pins "
             f"{pkg.integrity} (truncated or altered download, or a wrong pin)")
    os.replace(part, dest)
    print(f"fetch_npm:   {got / 1e6:.1f} MB, sha512 matches the pin", flush=True)


def tarball(pkg):
    """The verified cached tarball, downloaded when absent or not matching the pin."""
    os.makedirs(CACHE, exist_ok=True)
    path = os.path.join(CACHE, pkg.tgz)
    if os.path.isfile(path):
        if sri(path) == pkg.integrity:
            return path
        print(f"fetch_npm: cached {os.path.relpath(path, ROOT)} does not match the pinned sha512; downloading it again")
        os.remove(path)
    download(pkg, path)
    return path


def extract(pkg, path):
    written = []
    with tarfile.open(path, "r:gz") as tar:
        members = [m for m in tar.getmembers() if m.isfile()]
        for pattern, dest, where in pkg.files:
            pdir, pbase = posixpath.split(pattern)
            hits = [m for m in members
                    if posixpath.dirname(m.name) == pdir and fnmatch.fnmatchcase(posixpath.basename(m.name), pbase)]
            if not hits:
                fail(f"{where}: no file '{pattern}' in {pkg.name}@{pkg.version}")
            os.makedirs(os.path.join(ROOT, dest), exist_ok=True)
            for m in hits:
                rel = posixpath.join(dest, posixpath.basename(m.name))
                out = os.path.join(ROOT, rel)
                data = tar.extractfile(m).read()
                if len(data) != m.size:
                    fail(f"{os.path.relpath(path, ROOT)}: {m.name} holds {len(data)} of {m.size} bytes")
                with open(out + ".part", "wb") as f:
                    f.write(data)
                os.replace(out + ".part", out)
                written.append((m.size, rel))
    with open(pkg.stamp, "w", encoding="utf-8") as f:
        f.write(pkg.integrity + "\n" + "".join(f"{s} {r}\n" for s, r in written))
    return written


def main(argv):
    if argv not in ([], ["--check"]):
        print(__doc__.strip().split("\n\n")[0], file=sys.stderr)
        return 2
    pkgs = read_pins()
    todo = [p for p in pkgs if not extracted_ok(p)]
    if argv == ["--check"]:
        for p in todo:
            print(f"fetch_npm: missing {p.name}@{p.version}")
        return 1 if todo else 0
    for p in todo:
        written = extract(p, tarball(p))
        for size, rel in written:
            print(f"fetch_npm:   {rel} ({size / 1e6:.2f} MB)")
    if not todo:
        print("fetch_npm: all pinned npm files present")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
