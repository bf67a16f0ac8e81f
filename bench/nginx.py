"""Benchmark rows behind nginx: the cached public pages through Debian's nginx with
deploy/nginx/empact.conf, against the same nginx serving the same bytes as a static file.

    make bench                              # bench/run.py runs these rows after its page rows
    .venv/bin/python bench/nginx.py         # these rows alone

The site runs as in bench/run.py (gunicorn.conf.py's 2 gthread workers, page cache on,
PostgreSQL and Redis, DJANGO_BEHIND_PROXY=1). One nginx (worker_processes auto) serves, over
plain HTTP on loopback ports: the site's HTTPS server block as deploy/nginx/empact.conf has it
(with the micro-cache), the same block with the micro-cache off, and each page's bytes as a
static file. Every request asks for gzip; the static copy is the site's own gzip answer, served
by gzip_static with the headers deploy/nginx/empact.conf gives static files in production (its
security headers: until 2026-12-02 the yardstick sent none, ~1 kB less per answer than either a
static file or a page in production), so both sides send the same bytes. wrk runs in
interleaved rounds; the ratio is the median rate over the static file's median rate (the ratios
per round are printed for their spread). Target: micro-cache on >= 0.80 of the static file.
Only 127.0.0.1 is contacted.
"""

import argparse
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

# bench/run.py's helpers, used as run.<name>: run.py imports this module in turn, so nothing of
# it is used while the modules load. (This directory is first on sys.path whichever is run.)
import run

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.deploy import frontserver  # noqa: E402

PAGE_NAMES = ("home", "cycle priorities", "priority")
SITE_PORT, CACHED_PORT, UNCACHED_PORT, STATIC_PORT = 8111, 8112, 8113, 8114
TARGET = 0.80
MODES = ("static", "micro-cache on", "micro-cache off")


def plain_http(server_block, port, *, micro_cache):
    """The site's HTTPS server block over plain HTTP on a loopback port (same locations, headers,
    compression and proxying); without the micro-cache it proxies straight to gunicorn."""
    lines = []
    for line in server_block.splitlines():
        stripped = line.strip()
        if stripped.startswith("ssl_"):
            continue
        if stripped.startswith("listen "):
            line = f"    listen 127.0.0.1:{port};"
        lines.append(line)
    block = "\n".join(lines)
    if not micro_cache:
        block = block.replace("proxy_cache empact_micro;", "proxy_cache off;").replace(
            "proxy_pass http://empact_stamped;", "proxy_pass http://empact_app;"
        )
    return block


def static_headers(server_block):
    """The add_header lines of the site's /static/ location: the yardstick is nginx serving a
    file as it serves the site's static files in production, security headers included."""
    location = re.search(r"location \^~ /static/ \{(.*?)\n    \}", server_block, re.DOTALL)
    return [
        line.strip()
        for line in location.group(1).splitlines()
        if line.strip().startswith("add_header")
    ]


def static_server(root, port, headers):
    lines = "\n    ".join(headers)
    return f"""
server {{
    listen 127.0.0.1:{port};
    server_name 127.0.0.1;
    root {root};
    gzip_static on;
    gzip_vary on;
    open_file_cache max=1000 inactive=30s;
    open_file_cache_valid 5s;
    {lines}
    location / {{
    }}
}}
"""


def nginx_site(prefix, pages_root):
    """deploy/nginx/empact.conf's shared parts (upstreams, maps, cache, the stamping server) and
    the three bench servers in place of its public ones."""
    rendered = frontserver.render_site(
        SERVER_NAME="127.0.0.1",
        HTTP_LISTEN="127.0.0.1:8119",
        HTTPS_LISTEN="127.0.0.1:8120",
        CERT=prefix / "unused.pem",
        KEY=prefix / "unused.key",
        STATIC_ROOT=ROOT / "staticfiles",
        MEDIA_ROOT=prefix / "media",
        UPSTREAM=f"127.0.0.1:{SITE_PORT}",
        CACHE_DIR=prefix / "cache",
        STAMP_SOCKET=prefix / "stamp.sock",
    )
    main = frontserver.main_server(rendered)
    shared = rendered
    for block in frontserver.server_blocks(rendered):
        if "unix:" not in block:  # every server but the internal stamping one
            shared = shared.replace(block, "")
    return "\n".join(
        [
            shared,
            plain_http(main, CACHED_PORT, micro_cache=True),
            plain_http(main, UNCACHED_PORT, micro_cache=False),
            static_server(pages_root, STATIC_PORT, static_headers(main)),
        ]
    )


def gzip_script(tmp):
    script = Path(tmp) / "gzip.lua"
    script.write_text('wrk.headers["Accept-Encoding"] = "gzip"\n')
    return str(script)


def benchmark(args, tmp):
    """Measure and print the rows; the nginx rows are skipped, saying why, without nginx."""
    pages = {name: run.TARGETS[name] for name in PAGE_NAMES}
    if reason := frontserver.missing():
        print(f"\nBehind nginx: skipped, {reason}")
        return None
    tmp = Path(tmp)
    prefix = tmp / "nginx"
    pages_root = prefix / "pages"
    pages_root.mkdir(parents=True)
    # nginx's workers run as nobody when the benchmark runs as root.
    for directory in (tmp, prefix, pages_root):
        directory.chmod(0o755)
    args = argparse.Namespace(**{**vars(args), "encoding": "gzip"})
    script = gzip_script(tmp)
    site = run.Server(
        "empact_site.wsgi",
        SITE_PORT,
        run.environment(tmp, DJANGO_PAGE_CACHE=1, DJANGO_BEHIND_PROXY=1, CONTACT_RATE_LIMIT=0),
    )
    nginx = None
    results = {(name, mode): [] for name in pages for mode in MODES}
    try:
        nginx = frontserver.Nginx(
            prefix,
            nginx_site(prefix, pages_root),
            [CACHED_PORT, UNCACHED_PORT, STATIC_PORT],
            workers="auto",
        )
        files = {}
        for name, path in pages.items():
            status, body, response = run.get(CACHED_PORT, path, {"Accept-Encoding": "gzip"})
            assert status == 200, (name, status)
            assert response.getheader("Content-Encoding") == "gzip", name
            files[name] = f"/{re.sub(r'[^a-z]+', '-', name)}.html"
            page = pages_root / files[name].lstrip("/")
            page.write_bytes(gzip.decompress(body))
            page.with_name(page.name + ".gz").write_bytes(body)  # the very bytes the site sent
            page.chmod(0o644)
            page.with_name(page.name + ".gz").chmod(0o644)
        ports = {
            "static": STATIC_PORT,
            "micro-cache on": CACHED_PORT,
            "micro-cache off": UNCACHED_PORT,
        }
        paths = {"static": files, "micro-cache on": pages, "micro-cache off": pages}
        warm_up = argparse.Namespace(**{**vars(args), "duration": 1})
        for name in pages:
            for mode in MODES:
                run.wrk(ports[mode], paths[mode][name], warm_up, script=script)
        for round_number in range(1, args.rounds + 1):
            print(f"  nginx round {round_number}/{args.rounds}", flush=True)
            for name in pages:
                for mode in MODES:
                    results[name, mode].append(
                        run.wrk(ports[mode], paths[mode][name], args, script=script)
                    )
    finally:
        if nginx:
            nginx.stop()
        site.stop()
    print_rows(results, args, pages)
    return results


def print_rows(results, args, pages):
    version = subprocess.run(
        [frontserver.nginx_binary(), "-v"], capture_output=True, text=True
    ).stderr.strip()
    print(
        f"\nBehind nginx ({version}, deploy/nginx/empact.conf over plain HTTP, worker_processes "
        f"auto), Accept-Encoding: gzip on every request: wrk -t{args.threads} "
        f"-c{args.connections} -d{args.duration}s, {args.rounds} interleaved rounds"
    )
    print(
        f"{'target':18} {'mode':16} {'req/s median':>12} {'(min-max)':>15} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'errors':>6} {'site/static per round':>{run.ROUND_COLUMN}} {'ratio':>7}"
    )
    misses = []
    for name in pages:
        statics = [run["rps"] for run in results[name, "static"]]
        for mode in MODES:
            runs = results[name, mode]
            s = run.summarise(runs)
            ratios = [run["rps"] / static for run, static in zip(runs, statics, strict=True)]
            is_static = mode == "static"
            ratio = run.ratio_of_medians(runs, results[name, "static"])
            ratio_text = "" if is_static else " ".join(f"{r:.2f}" for r in ratios)
            median = "" if is_static else f"{ratio:.2f}"
            spread = f"({s['low']:.0f}-{s['high']:.0f})"
            print(
                f"{name:18} {mode:16} {s['median']:12.0f} {spread:>15} {s['p50']:8.2f} "
                f"{s['p99']:8.2f} {s['errors']:6d} {ratio_text:>{run.ROUND_COLUMN}} {median:>7}"
            )
            if mode == "micro-cache on" and (ratio < TARGET or s["errors"]):
                misses.append(f"{name} {ratio:.2f}")
    print(
        f"Target, zero errors: micro-cache on >= {TARGET:.2f} of nginx's static file; "
        "micro-cache off is measured, not held to a target."
    )
    print("All targets met." if not misses else "Below target: " + ", ".join(misses))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--duration", type=int, default=3, help="seconds per wrk run")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        env = run.environment(tmp)
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", "CREATE DATABASE empact_bench"],
            capture_output=True,
        )
        db = run.REDIS.rsplit("/", 1)[1]
        subprocess.run(["redis-cli", "-n", db, "flushdb"], check=True, capture_output=True)
        run.manage(env, "migrate", "--noinput")
        run.manage(env, "load_empact_content")
        run.manage(env, "collectstatic", "--noinput")
        print(f"EMPACT benchmark behind nginx, {date.today()}, {os.cpu_count()} cores, {run.PG}")
        benchmark(args, tmp)


if __name__ == "__main__":
    main()
