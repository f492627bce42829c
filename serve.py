#!/usr/bin/env python3
"""Static file server for Fieldkit's web build (standard library only).

    python3 serve.py [--port 8000] [--host 127.0.0.1] [--root build/web] [--isolate]

Serves one directory and nothing outside it: `..`, percent-encoded dots or
slashes, backslashes, absolute paths and symlinks that resolve outside the root
all get 404. Directories serve their index.html (never a listing).

Caching: every file carries validators (ETag: its content hash; Last-Modified)
and If-None-Match / If-Modified-Since get 304, so a reload re-downloads nothing
that did not change. Responses carry `Cache-Control: no-cache` (revalidate each
time: a rebuilt page is picked up on reload), except a URL naming the file's
content hash as `?v=<first 16 hex digits of its SHA-256>` (what the page asks
for, from fieldkit-assets.json), which is `immutable` for a year: its bytes can
never change under that name. Compression: a client accepting gzip gets
`<file>.gz` when the build wrote one (scripts/web_assets.py) and it is not
older than the file, else a copy compressed once and kept in memory (text,
wasm and data files; images as they are).

`--isolate` adds the cross-origin isolation headers (COOP/COEP/CORP) a threaded
(SharedArrayBuffer) build needs. `--port 0` picks a free port; the one line
printed at start says which.
"""
import argparse
import email.utils
import errno
import gzip
import hashlib
import http.server
import os
import posixpath
import signal
import socketserver
import sys
import threading
import urllib.parse

# Explicit table: the platform's mimetypes database differs between machines
# (and often lacks .wasm, which browsers then refuse to stream-compile).
MIME_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".wasm": "application/wasm",
    ".json": "application/json",
    ".map": "application/json",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".ttf": "font/ttf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".webmanifest": "application/manifest+json",
}
DEFAULT_TYPE = "application/octet-stream"  # .data, .fks, .bin and anything unknown

# Worth compressing on the fly (when no .gz was built): the rest is already compressed.
NO_GZIP_EXTS = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".woff", ".woff2", ".gz"}
IMMUTABLE = "public, max-age=31536000, immutable"
HASH_CHARS = 16  # as scripts/web_assets.py names them

ISOLATION_HEADERS = (
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Embedder-Policy", "require-corp"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
)


def resolve_under(root, url_path):
    """Maps a URL path to a real file path inside `root`, or None if it is not one.

    `root` must already be a realpath. Rejects anything whose decoded segments
    contain separators, NULs, drive letters or dot-dot, and anything that
    passes through a path whose realpath (symlinks followed) leaves the root.
    """
    path = urllib.parse.urlsplit(url_path).path
    # Decode once; a second round of decoding (%252e) stays literal and simply
    # names a file that does not exist.
    decoded = urllib.parse.unquote(path, errors="strict")
    if "\x00" in decoded or "\\" in decoded:
        return None
    parts = []
    for seg in decoded.split("/"):
        if seg in ("", "."):
            continue
        if seg == ".." or ":" in seg:
            return None
        parts.append(seg)
    # Every prefix must stay inside: a symlink out of the root is refused even
    # when the rest of the path happens to lead back in (out/www/app.js).
    real = root
    for i in range(len(parts)):
        real = os.path.realpath(os.path.join(root, *parts[:i + 1]))
        if not is_inside(root, real):
            return None
    return real


def is_inside(root, real):
    return real == root or real.startswith(root + os.sep)


class FileInfo:
    """What serving a file needs beyond its bytes, computed once per (path, size, mtime)."""

    _lock = threading.Lock()
    _cache = {}          # path -> FileInfo
    _gz_bytes = 0        # memory held by on-the-fly gzip copies
    GZ_MEMORY_LIMIT = 512 << 20

    def __init__(self, path, st):
        self.key = (st.st_size, st.st_mtime_ns)
        self.mtime = st.st_mtime
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        self.hash = h.hexdigest()[:HASH_CHARS]
        self.gz = None   # bytes, or False once found not worth it
        self.gz_path = None

    @classmethod
    def get(cls, path, st):
        with cls._lock:
            info = cls._cache.get(path)
            if info is not None and info.key == (st.st_size, st.st_mtime_ns):
                return info
        info = cls(path, st)
        with cls._lock:
            old = cls._cache.get(path)
            if old is not None and old.gz:
                cls._gz_bytes -= len(old.gz)
            cls._cache[path] = info
        return info

    def gzip_variant(self, path, ext):
        """(path of a built .gz, None) or (None, bytes compressed here) or (None, None)."""
        built = path + ".gz"
        try:
            if os.path.getmtime(built) >= self.mtime:
                return built, None
        except OSError:
            pass
        if ext in NO_GZIP_EXTS or self.gz is False:
            return None, None
        if self.gz is None:
            with open(path, "rb") as f:
                raw = f.read()
            packed = gzip.compress(raw, compresslevel=6, mtime=0)
            cls = type(self)
            with cls._lock:
                if len(packed) > 0.95 * len(raw) or cls._gz_bytes + len(packed) > cls.GZ_MEMORY_LIMIT:
                    self.gz = False
                else:
                    self.gz = packed
                    cls._gz_bytes += len(packed)
            if self.gz is False:
                return None, None
        return None, self.gz


def accepts_gzip(header):
    """True when Accept-Encoding lists gzip (or *) with a non-zero q."""
    for item in (header or "").split(","):
        name, _, params = item.strip().partition(";")
        if name.strip().lower() not in ("gzip", "*"):
            continue
        q = 1.0
        for p in params.split(";"):
            k, _, v = p.strip().partition("=")
            if k.strip().lower() == "q":
                try:
                    q = float(v)
                except ValueError:
                    q = 0.0
        if q > 0:
            return True
    return False


def etag_matches(header, etag):
    """If-None-Match: "*" or any listed tag, compared weakly (W/ ignored) as RFC 9110 says."""
    if header.strip() == "*":
        return True
    tags = [t.strip() for t in header.split(",")]
    return any((t[2:] if t.startswith("W/") else t) == etag for t in tags)


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "FieldkitServe/1"
    protocol_version = "HTTP/1.1"

    # Set on the subclass built in main().
    root = None
    isolate = False
    verbose = False

    def do_GET(self):
        self._serve(send_body=True)

    def do_HEAD(self):
        self._serve(send_body=False)

    def _common_headers(self, cache_control="no-cache"):
        self.send_header("Cache-Control", cache_control)
        self.send_header("X-Content-Type-Options", "nosniff")
        if self.isolate:
            for name, value in ISOLATION_HEADERS:
                self.send_header(name, value)

    def _error(self, code, send_body):
        body = ("%d %s\n" % (code, self.responses.get(code, ("",))[0])).encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self._common_headers()
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _serve(self, send_body):
        try:
            path = resolve_under(self.root, self.path)
        except UnicodeDecodeError:
            path = None
        if path is None:
            return self._error(404, send_body)
        if os.path.isdir(path):
            # /dir (no slash) -> redirect so relative URLs inside index.html resolve.
            parts = urllib.parse.urlsplit(self.path)
            if not parts.path.endswith("/"):
                self.send_response(301)
                # Leading slashes collapsed: "//host" in Location would leave the site.
                query = "?" + parts.query if parts.query else ""
                self.send_header("Location", "/" + parts.path.lstrip("/") + "/" + query)
                self.send_header("Content-Length", "0")
                self._common_headers()
                self.end_headers()
                return
            path = os.path.realpath(os.path.join(path, "index.html"))
            if not is_inside(self.root, path):
                return self._error(404, send_body)
        if not os.path.isfile(path):
            return self._error(404, send_body)
        try:
            st = os.stat(path)
            info = FileInfo.get(path, st)
        except OSError as e:
            return self._error(403 if e.errno == errno.EACCES else 404, send_body)
        ext = posixpath.splitext(path)[1].lower()
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        # Immutable only when the URL names these very bytes: an old hash gets the current
        # file, revalidated like any other.
        cache_control = IMMUTABLE if query.get("v", [None])[-1] == info.hash else "no-cache"
        gz_path, gz_bytes = (None, None)
        if accepts_gzip(self.headers.get("Accept-Encoding")):
            try:
                gz_path, gz_bytes = info.gzip_variant(path, ext)
            except OSError:
                gz_path, gz_bytes = None, None
        encoded = gz_path is not None or gz_bytes is not None
        etag = '"%s%s"' % (info.hash, "-gz" if encoded else "")
        last_modified = email.utils.formatdate(info.mtime, usegmt=True)

        def validators():
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_modified)
            self.send_header("Vary", "Accept-Encoding")
            self._common_headers(cache_control)

        if self._not_modified(etag, info.mtime):
            self.send_response(304)
            validators()
            self.end_headers()
            return
        source = gz_path or path
        try:
            f = None if gz_bytes is not None else open(source, "rb")
        except OSError as e:
            return self._error(403 if e.errno == errno.EACCES else 404, send_body)
        try:
            size = len(gz_bytes) if f is None else os.fstat(f.fileno()).st_size
            self.send_response(200)
            self.send_header("Content-Type", MIME_TYPES.get(ext, DEFAULT_TYPE))
            self.send_header("Content-Length", str(size))
            if encoded:
                self.send_header("Content-Encoding", "gzip")
            validators()
            self.end_headers()
            if send_body:
                try:
                    if f is None:
                        self.wfile.write(gz_bytes)
                    else:
                        while True:
                            chunk = f.read(1 << 16)
                            if not chunk:
                                break
                            self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True
        finally:
            if f is not None:
                f.close()

    def _not_modified(self, etag, mtime):
        """If-None-Match decides when present; else If-Modified-Since (whole seconds)."""
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            return etag_matches(inm, etag)
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                since = email.utils.parsedate_to_datetime(ims)
            except (TypeError, ValueError, IndexError):
                return False
            if since is None:
                return False
            return int(mtime) <= since.timestamp()
        return False

    # Anything else (POST, PUT, ...) is not something a static host does.
    def _not_allowed(self):
        self.send_response(405)
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Length", "0")
        self._common_headers()
        self.end_headers()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _not_allowed

    def log_message(self, fmt, *args):
        if self.verbose:
            sys.stderr.write("%s - %s\n" % (self.address_string(), fmt % args))

    def log_request(self, code="-", size="-"):
        # Quiet by default: only failures (4xx/5xx) go to stderr.
        code_int = getattr(code, "value", code)
        if self.verbose or (isinstance(code_int, int) and code_int >= 400):
            sys.stderr.write('%s "%s" %s\n' % (self.address_string(), self.requestline, code_int))


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def parse_args(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description="Serve Fieldkit's static web build.")
    p.add_argument("--port", type=int, default=8000, help="port (0 picks a free one; default 8000)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--root", default=os.path.join(here, "build", "web"),
                   help="directory to serve (default build/web next to this script; "
                        "a relative path is taken from the current directory)")
    p.add_argument("--isolate", action="store_true",
                   help="add Cross-Origin-Opener/Embedder/Resource-Policy headers (SharedArrayBuffer)")
    p.add_argument("--verbose", "-v", action="store_true", help="log every request to stderr")
    return p.parse_args(argv)


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    root = os.path.realpath(args.root)
    if not os.path.isdir(root):
        print("serve.py: root directory %s does not exist (run `make web` first?)" % args.root,
              file=sys.stderr)
        return 1
    handler = type("BoundHandler", (Handler,),
                   {"root": root, "isolate": args.isolate, "verbose": args.verbose})
    try:
        httpd = Server((args.host, args.port), handler)
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            msg = "port %d on %s is already in use (try --port 0 or another port)" % (args.port, args.host)
        else:
            msg = "cannot listen on %s:%d: %s" % (args.host, args.port, e.strerror or e)
        print("serve.py: " + msg, file=sys.stderr)
        return 1
    host, port = httpd.server_address[:2]
    shown = "[%s]" % host if ":" in host else host
    # SIGTERM (test harnesses, `kill`) exits as cleanly as Ctrl-C does. SIGINT
    # is set too: a process started in the background by a non-interactive
    # shell inherits SIGINT ignored, and Python then leaves it ignored. Both
    # before the banner, so a signal sent as soon as it is read is handled.
    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGINT, _raise_interrupt)
    try:
        print("Serving %s at http://%s:%d/" % (root, shown, port), flush=True)
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
