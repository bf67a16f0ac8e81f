"""Debian's nginx with deploy/nginx/empact.conf, run in a temporary prefix on loopback ports
(for tests/deploy/test_nginx.py and bench/nginx.py). No Django here: the benchmark imports it
from outside the test run."""

import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SITE_TEMPLATE = ROOT / "deploy" / "nginx" / "empact.conf"
MAIN_TEMPLATE = ROOT / "deploy" / "nginx" / "nginx-test.conf"
MODULES_DIR = Path("/usr/lib/nginx/modules")
# Debian's packages libnginx-mod-http-brotli-filter and libnginx-mod-http-brotli-static.
BROTLI_MODULES = ("ngx_http_brotli_filter_module.so", "ngx_http_brotli_static_module.so")
INSTALL_HINT = (
    "apt-get install nginx libnginx-mod-http-brotli-filter libnginx-mod-http-brotli-static"
)


def nginx_binary():
    # /usr/sbin is not on every user's PATH.
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")


def missing():
    """Why Debian's nginx with the brotli modules cannot run here, or None."""
    if not nginx_binary():
        return f"nginx is not installed ({INSTALL_HINT})"
    absent = [name for name in BROTLI_MODULES if not (MODULES_DIR / name).exists()]
    if absent:
        return f"nginx's brotli modules are missing: {', '.join(absent)} ({INSTALL_HINT})"
    return None


def render(template, values):
    """The template with every @NAME@ replaced; an unknown or forgotten placeholder is an error."""
    text = template.read_text() if isinstance(template, Path) else template
    for name, value in values.items():
        text = text.replace(f"@{name}@", str(value))
    if left := sorted(set(re.findall(r"@[A-Z_]+@", text))):
        raise ValueError(f"placeholders left unfilled: {', '.join(left)}")
    return text


def render_site(**values):
    """deploy/nginx/empact.conf for loopback: the placeholders filled in and the IPv6 listen
    lines dropped (a container may have no ::1, and only 127.0.0.1 is used)."""
    text = "".join(
        line
        for line in SITE_TEMPLATE.read_text().splitlines(keepends=True)
        if "listen [::]" not in line
    )
    return render(text, values)


def server_blocks(text):
    """The top-level `server { ... }` blocks of a site file, in order."""
    blocks, depth, start = [], 0, None
    for match in re.finditer(r"(?m)^server\s*\{|[{}]", text):
        if match.group().startswith("server") and depth == 0:
            start = match.start()
            depth = 1
        elif start is not None and match.group() == "{":
            depth += 1
        elif start is not None and match.group() == "}":
            depth -= 1
            if depth == 0:
                blocks.append(text[start : match.end()])
                start = None
    return blocks


def main_server(text):
    """The HTTPS server block of the site (the one with the certificate)."""
    return next(block for block in server_blocks(text) if "ssl_certificate " in block)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def self_signed_certificate(directory, name="localhost"):
    """A throwaway certificate and key for `name` (openssl), as (cert, key) paths."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            f"/CN={name}",
            "-addext",
            f"subjectAltName=DNS:{name}",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


class Nginx:
    """nginx in the foreground in `prefix` (a directory readable by nginx's workers, which run
    as nobody when the tests run as root), serving `site` (a rendered site file) and answering
    on `ports` once started."""

    def __init__(self, prefix, site, ports, *, workers=1):
        self.prefix = Path(prefix)
        for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.prefix / "temp" / name).mkdir(parents=True, exist_ok=True)
        (self.prefix / "site.conf").write_text(site)
        modules = "\n".join(f"load_module {MODULES_DIR / name};" for name in BROTLI_MODULES)
        conf = self.prefix / "nginx.conf"
        conf.write_text(
            render(
                MAIN_TEMPLATE,
                {
                    "PREFIX": self.prefix,
                    "SITE": self.prefix / "site.conf",
                    "MODULES": modules,
                    "WORKERS": workers,
                },
            )
        )
        command = [nginx_binary(), "-p", str(self.prefix), "-c", str(conf)]
        check = subprocess.run([*command, "-t"], capture_output=True, text=True)
        if check.returncode:
            raise RuntimeError(f"nginx -t refused the configuration:\n{check.stderr}")
        self.log = (self.prefix / "stderr.log").open("wb")
        self.process = subprocess.Popen(
            [*command, "-g", "daemon off;"], stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 10
        for port in ports:
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if self.process.poll() is not None or time.monotonic() > deadline:
                        self.stop()
                        raise RuntimeError(
                            f"nginx did not start: see {self.prefix / 'error.log'}"
                        ) from None
                    time.sleep(0.05)

    def error_log(self):
        path = self.prefix / "error.log"
        return path.read_text() if path.exists() else ""

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()  # fast shutdown
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
