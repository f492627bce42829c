#!/usr/bin/env python3
"""serve.py: runs the server as a subprocess on a free port against a scratch root.

    python3 tests/serve_test.py [-v]

The scratch layout (made fresh per test class):
    <tmp>/secret.txt               outside the root; must never be served
    <tmp>/www/index.html, app.wasm, app.js, mod.mjs, data.json, style.css,
              pic.png, icon.svg, model.data, app.webmanifest
    <tmp>/www/big.js               compressible (gzipped on the fly)
    <tmp>/www/pre.txt, pre.txt.gz  with a prebuilt .gz (as scripts/web_assets.py writes)
    <tmp>/www/sub/index.html       directory index
    <tmp>/www/sub/nested.txt
    <tmp>/www/empty/               directory without index.html (no listing)
    <tmp>/www/out -> <tmp>         symlink leaving the root
    <tmp>/www/leak.txt -> <tmp>/secret.txt
    <tmp>/www/inside.txt -> app.js (symlink inside the root: allowed)
"""
import gzip
import hashlib
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SERVE = os.path.join(os.path.dirname(HERE), "serve.py")
SECRET = b"TOP-SECRET-do-not-serve"
WASM = b"\x00asm\x01\x00\x00\x00"
BIG_JS = b"function add(a, b) { return a + b; }\n" * 2000
PRE_TXT = b"prebuilt gzip next to me\n" * 500
BANNER = re.compile(r"^Serving (.+) at http://([^ ]+):(\d+)/$")


def make_tree(tmp):
    root = os.path.join(tmp, "www")
    os.makedirs(os.path.join(root, "sub"))
    os.makedirs(os.path.join(root, "empty"))
    files = {
        "index.html": b"<!doctype html><title>root index</title>",
        "app.wasm": WASM,
        "app.js": b"console.log('app');",
        "mod.mjs": b"export const x = 1;",
        "data.json": b"{\"a\": 1}",
        "style.css": b"body{}",
        "pic.png": b"\x89PNG\r\n\x1a\n",
        "icon.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        "model.data": b"\x01\x02\x03",
        "sub/index.html": b"<!doctype html><title>sub index</title>",
        "sub/nested.txt": b"nested",
        "empty/readme.md": b"# not an index",
        "app.webmanifest": b"{}",
        "big.js": BIG_JS,
        "pre.txt": PRE_TXT,
    }
    for name, data in files.items():
        with open(os.path.join(root, name), "wb") as f:
            f.write(data)
    # A prebuilt .gz whose bytes differ from what serve.py would compress (a header mtime): the
    # tests can tell which one was sent.
    with open(os.path.join(root, "pre.txt.gz"), "wb") as f:
        f.write(gzip.compress(PRE_TXT, mtime=12345))
    with open(os.path.join(tmp, "secret.txt"), "wb") as f:
        f.write(SECRET)
    os.symlink(tmp, os.path.join(root, "out"))
    os.symlink(os.path.join(tmp, "secret.txt"), os.path.join(root, "leak.txt"))
    os.symlink("app.js", os.path.join(root, "inside.txt"))
    return root


class Server:
    """serve.py as a subprocess; reads the banner to learn the port."""

    def __init__(self, *args, preexec_fn=None):
        self.proc = subprocess.Popen(
            [sys.executable, SERVE, "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=preexec_fn)
        self.banner = self.proc.stdout.readline().rstrip("\n")
        m = BANNER.match(self.banner)
        if not m:
            self.stop()
            raise AssertionError("serve.py did not print the banner; got %r, stderr %r"
                                 % (self.banner, self.proc.stderr.read()))
        self.root, self.host, self.port = m.group(1), m.group(2), int(m.group(3))

    def request(self, method, path, headers=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            conn.putrequest(method, path, skip_host=False, skip_accept_encoding=True)
            for k, v in (headers or {}).items():
                conn.putheader(k, v)
            conn.endheaders()
            resp = conn.getresponse()
            body = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body
        finally:
            conn.close()

    def get(self, path):
        return self.request("GET", path)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream:
                stream.close()


class ServeTestBase(unittest.TestCase):
    server_args = ()

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="fk-serve-test-")
        cls.root = make_tree(cls.tmp)
        cls.server = Server("--root", cls.root, *cls.server_args)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def assertRefused(self, path):
        status, _, body = self.server.get(path)
        self.assertIn(status, (400, 403, 404), "%s: expected 400/403/404, got %d" % (path, status))
        self.assertNotIn(SECRET, body, "%s: leaked the secret file" % path)


class ServeBasics(ServeTestBase):
    def test_banner_names_root_and_real_port(self):
        self.assertEqual(self.server.root, os.path.realpath(self.root))
        self.assertEqual(self.server.host, "127.0.0.1")
        self.assertGreater(self.server.port, 0)

    def test_mime_types(self):
        expected = {
            "/app.wasm": "application/wasm",
            "/app.js": "text/javascript",
            "/mod.mjs": "text/javascript",
            "/data.json": "application/json",
            "/style.css": "text/css",
            "/index.html": "text/html",
            "/pic.png": "image/png",
            "/icon.svg": "image/svg+xml",
            "/model.data": "application/octet-stream",
            "/app.webmanifest": "application/manifest+json",
        }
        for path, mime in expected.items():
            with self.subTest(path=path):
                status, headers, _ = self.server.get(path)
                self.assertEqual(status, 200)
                self.assertEqual(headers["content-type"].split(";")[0].strip(), mime)

    def test_wasm_bytes_and_length(self):
        status, headers, body = self.server.get("/app.wasm")
        self.assertEqual((status, body), (200, WASM))
        self.assertEqual(headers["content-length"], str(len(WASM)))

    def test_root_serves_index_html(self):
        status, headers, body = self.server.get("/")
        self.assertEqual(status, 200)
        self.assertIn(b"root index", body)
        self.assertTrue(headers["content-type"].startswith("text/html"))

    def test_query_string_is_ignored_for_lookup(self):
        status, _, body = self.server.get("/?run=system-bench&x=1")
        self.assertEqual(status, 200)
        self.assertIn(b"root index", body)

    def test_subdirectory_index_and_redirect(self):
        status, _, body = self.server.get("/sub/")
        self.assertEqual(status, 200)
        self.assertIn(b"sub index", body)
        status, headers, _ = self.server.get("/sub")
        self.assertEqual(status, 301)
        self.assertEqual(headers["location"], "/sub/")
        status, _, body = self.server.get("/sub/nested.txt")
        self.assertEqual((status, body), (200, b"nested"))

    def test_no_directory_listing(self):
        status, _, body = self.server.get("/empty/")
        self.assertEqual(status, 404)
        self.assertNotIn(b"readme.md", body)

    def test_missing_file_is_404(self):
        self.assertEqual(self.server.get("/nope.js")[0], 404)
        self.assertEqual(self.server.get("/sub/nope/deeper.wasm")[0], 404)

    def test_head_has_headers_and_no_body(self):
        status, headers, body = self.server.request("HEAD", "/app.wasm")
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], "application/wasm")
        self.assertEqual(headers["content-length"], str(len(WASM)))
        self.assertEqual(body, b"")
        self.assertEqual(self.server.request("HEAD", "/missing")[0], 404)

    def test_cache_control_no_cache(self):
        for path in ("/", "/app.wasm", "/missing"):
            with self.subTest(path=path):
                self.assertEqual(self.server.get(path)[1].get("cache-control"), "no-cache")

    def test_no_isolation_headers_by_default(self):
        _, headers, _ = self.server.get("/")
        for name in ("cross-origin-opener-policy", "cross-origin-embedder-policy",
                     "cross-origin-resource-policy"):
            self.assertNotIn(name, headers)

    def test_post_not_allowed(self):
        self.assertEqual(self.server.request("POST", "/index.html")[0], 405)

    def test_traversal_refused(self):
        paths = [
            "/../secret.txt",
            "/sub/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E/secret.txt",
            "/.%2e/secret.txt",
            "/sub/%2e%2e/%2e%2e/secret.txt",
            "/..%2fsecret.txt",
            "/sub%2f..%2f..%2fsecret.txt",
            "/%2e%2e%2fsecret.txt",
            "/..%5csecret.txt",
            "/..\\secret.txt",
            "/%252e%252e/secret.txt",
            "//" + os.path.join(self.tmp, "secret.txt").lstrip("/"),
            "/" + os.path.join(self.tmp, "secret.txt"),
            "/%2f" + os.path.join(self.tmp, "secret.txt").lstrip("/").replace("/", "%2f"),
            "/secret.txt%00.html",
            "/C:/secret.txt",
            "../secret.txt",
        ]
        for path in paths:
            with self.subTest(path=path):
                self.assertRefused(path)

    def test_absolute_path_is_taken_relative_to_root(self):
        # "/<tmp>/www/app.js" must not map onto the file system's absolute path.
        self.assertRefused("/" + os.path.join(self.root, "app.js").lstrip("/"))

    def test_symlinks_leaving_root_refused(self):
        for path in ("/out/secret.txt", "/out/www/app.js", "/leak.txt", "/out/", "/out"):
            with self.subTest(path=path):
                self.assertRefused(path)

    def test_symlink_inside_root_allowed(self):
        status, _, body = self.server.get("/inside.txt")
        self.assertEqual((status, body), (200, b"console.log('app');"))

    def test_server_keeps_serving_after_bad_requests(self):
        self.server.get("/../../../../etc/passwd")
        self.assertEqual(self.server.get("/")[0], 200)


def content_hash(data):
    return hashlib.sha256(data).hexdigest()[:16]


class ServeCaching(ServeTestBase):
    """Validators, 304s, immutable hashed URLs and gzip (issue #19: a reload re-downloaded everything)."""

    def test_validators_on_every_file(self):
        status, headers, _ = self.server.get("/app.js")
        self.assertEqual(status, 200)
        self.assertEqual(headers["etag"], '"%s"' % content_hash(b"console.log('app');"))
        self.assertRegex(headers["last-modified"], r"^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$")
        self.assertEqual(headers["cache-control"], "no-cache")

    def test_if_none_match_gives_304_without_body(self):
        _, headers, _ = self.server.get("/app.wasm")
        for inm in (headers["etag"], "W/" + headers["etag"], '"other", ' + headers["etag"], "*"):
            with self.subTest(inm=inm):
                status, h2, body = self.server.request("GET", "/app.wasm", {"If-None-Match": inm})
                self.assertEqual((status, body), (304, b""))
                self.assertEqual(h2["etag"], headers["etag"])
        status, _, body = self.server.request("GET", "/app.wasm", {"If-None-Match": '"stale"'})
        self.assertEqual((status, body), (200, WASM))

    def test_if_modified_since(self):
        _, headers, _ = self.server.get("/style.css")
        status, _, body = self.server.request("GET", "/style.css", {"If-Modified-Since": headers["last-modified"]})
        self.assertEqual((status, body), (304, b""))
        old = "Mon, 01 Jan 2001 00:00:00 GMT"
        self.assertEqual(self.server.request("GET", "/style.css", {"If-Modified-Since": old})[0], 200)
        self.assertEqual(self.server.request("GET", "/style.css", {"If-Modified-Since": "not a date"})[0], 200)
        # If-None-Match wins over If-Modified-Since (RFC 9110 13.1.3).
        status, _, _ = self.server.request("GET", "/style.css", {"If-None-Match": '"stale"',
                                                                 "If-Modified-Since": headers["last-modified"]})
        self.assertEqual(status, 200)

    def test_changed_file_gets_new_etag(self):
        path = os.path.join(self.root, "sub", "nested.txt")
        etag1 = self.server.get("/sub/nested.txt")[1]["etag"]
        with open(path, "wb") as f:
            f.write(b"nested, changed")
        os.utime(path, (time.time() + 5, time.time() + 5))
        status, headers, body = self.server.request("GET", "/sub/nested.txt", {"If-None-Match": etag1})
        self.assertEqual((status, body), (200, b"nested, changed"))
        self.assertNotEqual(headers["etag"], etag1)

    def test_hashed_url_is_immutable_only_with_the_right_hash(self):
        good = "/app.wasm?v=" + content_hash(WASM)
        status, headers, body = self.server.get(good)
        self.assertEqual((status, body), (200, WASM))
        self.assertEqual(headers["cache-control"], "public, max-age=31536000, immutable")
        status, headers, body = self.server.get("/app.wasm?v=0123456789abcdef")
        self.assertEqual((status, body), (200, WASM))
        self.assertEqual(headers["cache-control"], "no-cache")
        # The page itself is never immutable.
        self.assertEqual(self.server.get("/?v=" + content_hash(b"x"))[1]["cache-control"], "no-cache")

    def test_gzip_on_the_fly(self):
        status, headers, body = self.server.request("GET", "/big.js", {"Accept-Encoding": "gzip, deflate"})
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-encoding"], "gzip")
        self.assertEqual(headers["vary"], "Accept-Encoding")
        self.assertEqual(int(headers["content-length"]), len(body))
        self.assertLess(len(body), len(BIG_JS) // 10)
        self.assertEqual(gzip.decompress(body), BIG_JS)
        self.assertEqual(headers["etag"], '"%s-gz"' % content_hash(BIG_JS))
        # The gzip variant's tag gets 304 with gzip, the plain one without.
        status, _, _ = self.server.request("GET", "/big.js", {"Accept-Encoding": "gzip", "If-None-Match": headers["etag"]})
        self.assertEqual(status, 304)
        status, plain_headers, plain = self.server.request("GET", "/big.js", {"If-None-Match": headers["etag"]})
        self.assertEqual((status, plain), (200, BIG_JS))
        self.assertNotIn("content-encoding", plain_headers)

    def test_no_gzip_when_refused_or_not_worth_it(self):
        for enc in ("identity", "gzip;q=0", "br"):
            with self.subTest(enc=enc):
                _, headers, body = self.server.request("GET", "/big.js", {"Accept-Encoding": enc})
                self.assertNotIn("content-encoding", headers)
                self.assertEqual(body, BIG_JS)
        for path in ("/pic.png", "/app.js"):  # already compressed; too small to gain
            with self.subTest(path=path):
                _, headers, _ = self.server.request("GET", path, {"Accept-Encoding": "gzip"})
                self.assertNotIn("content-encoding", headers)

    def test_prebuilt_gz_is_sent(self):
        with open(os.path.join(self.root, "pre.txt.gz"), "rb") as f:
            prebuilt = f.read()
        status, headers, body = self.server.request("GET", "/pre.txt", {"Accept-Encoding": "gzip"})
        self.assertEqual((status, body), (200, prebuilt))
        self.assertEqual(headers["content-encoding"], "gzip")
        self.assertTrue(headers["content-type"].startswith("text/plain"))
        status, headers, body = self.server.request("HEAD", "/pre.txt", {"Accept-Encoding": "gzip"})
        self.assertEqual((status, body, headers["content-length"]), (200, b"", str(len(prebuilt))))

    def test_stale_prebuilt_gz_is_ignored(self):
        # A .gz older than its file (the file was rebuilt, the .gz not yet): compressed here instead.
        src = os.path.join(self.root, "sub", "stale.txt")
        with open(src, "wb") as f:
            f.write(b"new text " * 300)
        with open(src + ".gz", "wb") as f:
            f.write(gzip.compress(b"old text " * 300))
        os.utime(src + ".gz", (time.time() - 100, time.time() - 100))
        _, headers, body = self.server.request("GET", "/sub/stale.txt", {"Accept-Encoding": "gzip"})
        self.assertEqual(headers["content-encoding"], "gzip")
        self.assertEqual(gzip.decompress(body), b"new text " * 300)


class ServeIsolated(ServeTestBase):
    server_args = ("--isolate",)

    def test_isolation_headers_on_every_response(self):
        for method, path in (("GET", "/"), ("GET", "/app.wasm"), ("GET", "/app.js"),
                             ("HEAD", "/index.html"), ("GET", "/missing"), ("GET", "/sub")):
            with self.subTest(method=method, path=path):
                _, headers, _ = self.server.request(method, path)
                self.assertEqual(headers.get("cross-origin-opener-policy"), "same-origin")
                self.assertEqual(headers.get("cross-origin-embedder-policy"), "require-corp")
                self.assertEqual(headers.get("cross-origin-resource-policy"), "same-origin")
                self.assertEqual(headers.get("cache-control"), "no-cache")

    def test_isolated_still_serves_wasm(self):
        status, headers, body = self.server.get("/app.wasm")
        self.assertEqual((status, headers["content-type"], body), (200, "application/wasm", WASM))


class ServeErrors(unittest.TestCase):
    def run_serve(self, *args):
        return subprocess.run([sys.executable, SERVE, *args], capture_output=True, text=True, timeout=20)

    def test_missing_root_exits_1_with_one_line(self):
        missing = os.path.join(tempfile.gettempdir(), "fk-serve-test-no-such-dir-%d" % os.getpid())
        r = self.run_serve("--port", "0", "--root", missing)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "")
        lines = r.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertIn("does not exist", lines[0])
        self.assertIn(missing, lines[0])

    def test_port_in_use_exits_1_with_one_line(self):
        tmp = tempfile.mkdtemp(prefix="fk-serve-test-")
        self.addCleanup(shutil.rmtree, tmp, True)
        blocker = socket.socket()
        blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        blocker.bind(("127.0.0.1", 0))
        blocker.listen(1)
        self.addCleanup(blocker.close)
        port = blocker.getsockname()[1]
        r = self.run_serve("--port", str(port), "--root", tmp)
        self.assertEqual(r.returncode, 1)
        lines = r.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertIn("in use", lines[0])
        self.assertIn(str(port), lines[0])

    def test_ctrl_c_exits_cleanly(self):
        tmp = tempfile.mkdtemp(prefix="fk-serve-test-")
        self.addCleanup(shutil.rmtree, tmp, True)
        server = Server("--root", tmp)
        try:
            server.proc.send_signal(signal.SIGINT)  # as Ctrl-C
            rc = server.proc.wait(timeout=10)
            self.assertEqual(rc, 0)
            self.assertNotIn("Traceback", server.proc.stderr.read())
        finally:
            server.stop()

    def test_ctrl_c_exits_even_when_started_with_sigint_ignored(self):
        # What a background job of a non-interactive shell (`serve.py &` in a
        # script, a CI runner) inherits; Python would keep SIGINT ignored.
        tmp = tempfile.mkdtemp(prefix="fk-serve-test-")
        self.addCleanup(shutil.rmtree, tmp, True)
        server = Server("--root", tmp, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
        try:
            server.proc.send_signal(signal.SIGINT)
            self.assertEqual(server.proc.wait(timeout=10), 0)
            self.assertNotIn("Traceback", server.proc.stderr.read())
        finally:
            server.stop()

    def test_sigterm_exits_cleanly(self):
        tmp = tempfile.mkdtemp(prefix="fk-serve-test-")
        self.addCleanup(shutil.rmtree, tmp, True)
        server = Server("--root", tmp)
        try:
            server.proc.terminate()
            self.assertEqual(server.proc.wait(timeout=10), 0)
            self.assertNotIn("Traceback", server.proc.stderr.read())
        finally:
            server.stop()

    def test_default_root_is_build_web_next_to_script(self):
        # Only checks the message names build/web when it is missing; when it exists, the banner does.
        default = os.path.join(os.path.dirname(SERVE), "build", "web")
        if os.path.isdir(default):
            server = Server()
            try:
                self.assertEqual(server.root, os.path.realpath(default))
            finally:
                server.stop()
        else:
            r = self.run_serve("--port", "0")
            self.assertEqual(r.returncode, 1)
            self.assertIn(os.path.join("build", "web"), r.stderr)


if __name__ == "__main__":
    unittest.main()
