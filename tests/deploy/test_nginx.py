"""The production shape, for real: Debian's nginx with deploy/nginx/empact.conf in a temporary
prefix on loopback ports, in front of the site under gunicorn (gunicorn.conf.py) with
DJANGO_SECURE=1, DJANGO_BEHIND_PROXY=1 and DJANGO_SERVE_MEDIA=0, static files collected by the
manifest storage. Skipped where nginx is missing; with CI=true that is a failure (.ci/run
installs it).

Every request goes to 127.0.0.1; the site is called "localhost" (Host and TLS SNI), as a real
site is called by its name."""

import gzip
import html.parser
import http.client
import io
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import brotli
import pytest
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.urls import resolve
from PIL import Image

from tests.conftest import database_url
from tests.deploy import frontserver

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
NAME = "localhost"
STAFF = ("redaktoer", "Nginx-Test-Adgangskode-2026")
# Headers that say how one server carried the bytes, not what the site says about them.
TRANSPORT = {
    "server",
    "date",
    "connection",
    "keep-alive",
    "content-length",
    "etag",
    "accept-ranges",
    "vary",
    "content-language",
}
# The app's security headers, on everything it answers.
SECURITY_HEADERS = (
    "Strict-Transport-Security",
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Permissions-Policy",
)


class Response:
    def __init__(self, status, headers, body, seconds):
        self.status, self.headers, self.body, self.seconds = status, headers, body, seconds

    @property
    def text(self):
        encoding = self.headers.get("Content-Encoding")
        body = {"gzip": gzip.decompress, "br": brotli.decompress}.get(encoding, bytes)(self.body)
        return body.decode()

    def cookies(self):
        return dict(
            value.split(";")[0].split("=", 1) for value in self.headers.get_all("Set-Cookie") or []
        )


class Client:
    """HTTP/1.1 to 127.0.0.1 (TLS with the server name in SNI, certificate not verified), a
    fresh connection per request; keeps the cookies it is given."""

    def __init__(self, port, *, tls=True):
        self.port, self.tls = port, tls
        self.cookies = {}
        self.context = ssl.create_default_context()
        self.context.check_hostname = False
        self.context.verify_mode = ssl.CERT_NONE

    @property
    def origin(self):
        return f"https://{NAME}:{self.port}"

    def connect(self, timeout):
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        return self.context.wrap_socket(sock, server_hostname=NAME) if self.tls else sock

    def request(self, method, path, *, headers=None, form=None, timeout=10):
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        connection.sock = self.connect(timeout)
        headers = {"Host": NAME, **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers.update(
                {"Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin}
            )
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            response = Response(
                answer.status, answer.headers, answer.read(), time.monotonic() - started
            )
        finally:
            connection.close()
        self.cookies.update(response.cookies())
        return response

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, form, **kwargs):
        return self.request("POST", path, form=form, **kwargs)


class FormFields(html.parser.HTMLParser):
    """The fields a browser would submit from the page's forms (text, hidden, textarea,
    selected options; no buttons, no unchecked boxes)."""

    def __init__(self, page):
        super().__init__()
        self.fields, self.textarea, self.select = {}, None, None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields[name] = attrs.get("value") or ("on" if kind == "checkbox" else "")
        elif tag == "textarea" and name:
            self.textarea = name
            self.fields[name] = ""
        elif tag == "select" and name:
            self.select = name
            self.fields.setdefault(name, "")
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields[self.select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea] += data


def csrf_token(page):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


class Site:
    """gunicorn with gunicorn.conf.py, as empact-web.service runs it."""

    def __init__(self, port, directory, env):
        self.port = port
        self.log = (directory / "gunicorn.log").open("wb")
        self.process = subprocess.Popen(
            [GUNICORN, "empact_site.wsgi", "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env={**env, "HOST": "127.0.0.1", "PORT": str(port)},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request(
                    "GET", "/healthz", headers={"Host": NAME, "X-Forwarded-Proto": "https"}
                )
                if connection.getresponse().status in (200, 503):
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not start: see {self.log.name}")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class Stack:
    def __init__(self, prefix, nginx, site, https_port, http_port):
        self.prefix, self.nginx, self.site = prefix, nginx, site
        self.https_port, self.http_port = https_port, http_port
        self.media_root = prefix / "media"
        self.static_root = prefix / "static"

    def client(self):
        return Client(self.https_port)

    def staff_client(self):
        client = self.client()
        page = client.get("/admin/login/").text
        answer = client.post(
            "/admin/login/?next=/admin/",
            {
                "username": STAFF[0],
                "password": STAFF[1],
                "csrfmiddlewaretoken": csrf_token(page),
                "next": "/admin/",
            },
        )
        assert answer.status == 302, answer.text
        assert "sessionid" in client.cookies
        return client


def environment(prefix, **extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "EMAIL_", "DATABASE_", "REDIS_", "CONTACT_", "WEB_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.deploy.nginx_settings",
        EMPACT_TEST_STATIC_ROOT=str(prefix / "static"),
        DJANGO_SECRET_KEY="nginx-" + "k" * 50,
        DJANGO_VAR_DIR=str(prefix / "var"),
        DJANGO_MEDIA_ROOT=str(prefix / "media"),
        DJANGO_SERVE_MEDIA="0",
        DJANGO_SECURE="1",
        DJANGO_BEHIND_PROXY="1",
        DJANGO_ALLOWED_HOSTS=NAME,
        SITE_URL=f"https://{NAME}",
        **{k: str(v) for k, v in extra.items()},
    )
    return env


# The servers read what the tests write: every write is committed (and the database emptied
# after each test).
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker):
    """gunicorn and nginx, started once for the module, on the test database."""
    if reason := frontserver.missing():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; .ci/run installs it")
        pytest.skip(reason)
    if connection.vendor != "postgresql":
        pytest.skip("gunicorn behind nginx shares the test database: PostgreSQL only")
    with django_db_blocker.unblock():
        url = database_url()

    # nginx's workers run as nobody when the tests run as root: the prefix must be theirs to
    # read, as /srv/empact/app/staticfiles and /srv/empact/media are www-data's on a server.
    prefix = Path(tempfile.mkdtemp(prefix="empact-nginx-"))
    prefix.chmod(0o755)
    (prefix / "media").mkdir(mode=0o755)
    https_port, http_port, app_port = (frontserver.free_port() for _ in range(3))
    env = environment(
        prefix,
        DATABASE_URL=url,
        DJANGO_CSRF_TRUSTED_ORIGINS=f"https://{NAME}:{https_port}",
        # Three contact posts per client address and window: the third is refused.
        CONTACT_RATE_LIMIT=2,
        # Four threads in all: four slow clients reaching gunicorn would hold every one.
        WEB_WORKERS=1,
        WEB_THREADS=4,
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    cert, key = frontserver.self_signed_certificate(prefix, NAME)
    site_conf = frontserver.render_site(
        SERVER_NAME=NAME,
        HTTP_LISTEN=f"127.0.0.1:{http_port}",
        HTTPS_LISTEN=f"127.0.0.1:{https_port}",
        CERT=cert,
        KEY=key,
        STATIC_ROOT=prefix / "static",
        MEDIA_ROOT=prefix / "media",
        UPSTREAM=f"127.0.0.1:{app_port}",
        CACHE_DIR=prefix / "cache",
        STAMP_SOCKET=prefix / "stamp.sock",
    )
    site = Site(app_port, prefix, env)
    try:
        nginx = frontserver.Nginx(prefix, site_conf, [http_port, https_port])
    except Exception:
        site.stop()
        raise
    yield Stack(prefix, nginx, site, https_port, http_port)
    nginx.stop()
    site.stop()
    assert "[emerg]" not in nginx.error_log() and "[crit]" not in nginx.error_log()
    shutil.rmtree(prefix, ignore_errors=True)


@pytest.fixture(autouse=True)
def site_content(transactional_db):
    """The content as `make run` loads it, and a staff member."""
    from django.contrib.auth.models import User

    call_command("load_empact_content", stdout=io.StringIO())
    User.objects.create_superuser(STAFF[0], "redaktoer@example.dk", STAFF[1])


def test_plain_http_redirects_to_https_and_other_names_are_refused(stack):
    answer = Client(stack.http_port, tls=False).get("/da/prioriteter/?side=2")

    assert answer.status == 301
    assert answer.headers["Location"] == f"https://{NAME}/da/prioriteter/?side=2"
    # A name that is not the site's: no answer over HTTP, no TLS handshake over HTTPS.
    with pytest.raises(http.client.RemoteDisconnected):
        Client(stack.http_port, tls=False).get("/da/", headers={"Host": "127.0.0.1"})
    stranger = Client(stack.https_port)
    with pytest.raises(ssl.SSLError):
        stranger.context.wrap_socket(
            socket.create_connection(("127.0.0.1", stack.https_port), timeout=5),
            server_hostname="evil.example",
        )


def test_pages_over_https_carry_hsts_and_the_content_security_policy(stack):
    answer = stack.client().get("/da/")

    assert answer.status == 200
    assert answer.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "default-src 'self'" in answer.headers["Content-Security-Policy"]
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    # Sent once, by the app; nginx does not add its own copy.
    assert len(answer.headers.get_all("Strict-Transport-Security")) == 1
    assert len(answer.headers.get_all("Content-Security-Policy")) == 1


def test_the_contact_rate_limit_counts_the_real_client_whatever_x_forwarded_for_says(stack):
    from contact.models import Message, RateLimitHit

    RateLimitHit.objects.all().delete()
    client = stack.client()
    token = csrf_token(client.get("/da/kontakt/").text)

    # Not a valid message (no email), so nothing is stored or mailed; every post counts.
    statuses = [
        client.post(
            "/da/kontakt/",
            {"csrfmiddlewaretoken": token, "name": "Mette", "message": "Hej"},
            headers={"X-Forwarded-For": f"198.51.100.{n}"},
        ).status
        for n in range(1, 4)
    ]

    assert statuses == [200, 200, 429]
    assert set(RateLimitHit.objects.values_list("key", flat=True)) == {"contact:127.0.0.1"}
    assert not Message.objects.exists()


def test_a_failed_admin_login_is_recorded_for_the_real_client_address(stack):
    from axes.models import AccessAttempt

    client = stack.client()
    token = csrf_token(client.get("/admin/login/").text)

    answer = client.post(
        "/admin/login/?next=/admin/",
        {"username": "udefra", "password": "forkert", "csrfmiddlewaretoken": token},
        headers={"X-Forwarded-For": "203.0.113.9"},
    )

    assert answer.status == 200
    attempt = AccessAttempt.objects.get(username="udefra")
    assert attempt.ip_address == "127.0.0.1"


def test_media_answers_with_the_apps_headers_and_only_for_images(stack, settings):
    images = stack.media_root / "articles"
    images.mkdir(mode=0o755, exist_ok=True)
    Image.new("RGB", (4, 3), (11, 34, 64)).save(images / "foto.gif", "GIF")
    Image.new("RGB", (4, 3), (11, 34, 64)).save(images / "FOTO.JPG", "JPEG")
    (images / "side.html").write_text("<script>alert(1)</script>")
    (images / "tegning.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (images / "foto.gif.txt").write_text("text")
    settings.MEDIA_ROOT = stack.media_root
    client = stack.client()

    for name in ("foto.gif", "FOTO.JPG"):
        path = f"/media/articles/{name}"
        served = client.get(path)
        # What the app itself answers (DJANGO_SERVE_MEDIA=1): core/media.py's view.
        app = resolve(path).func(RequestFactory().get(path), path=f"articles/{name}")
        assert served.status == 200
        assert served.body == (images / name).read_bytes()
        expected = {h.lower(): v for h, v in app.headers.items() if h.lower() not in TRANSPORT}
        got = {
            h.lower(): v
            for h, v in served.headers.items()
            if h.lower() in expected or h.lower() in {s.lower() for s in SECURITY_HEADERS}
        }
        assert {h: got.get(h) for h in expected} == expected
    page = client.get("/da/")
    for header in (*SECURITY_HEADERS, "X-Frame-Options"):
        if header != "Content-Security-Policy":
            assert served.headers[header] == page.headers[header], header
    for name in ("side.html", "tegning.svg", "foto.gif.txt"):
        assert client.get(f"/media/articles/{name}").status == 404, name
    assert client.get("/media/articles/").status == 404


def test_static_files_come_precompressed_immutable_with_the_security_headers(stack):
    manifest = json.loads((stack.static_root / "staticfiles.json").read_text())["paths"]
    hashed = manifest["css/site.css"]
    client = stack.client()
    page = client.get("/da/")

    answers = {
        encoding: client.get(f"/static/{hashed}", headers={"Accept-Encoding": encoding})
        for encoding in ("br", "gzip", "identity")
    }

    original = (stack.static_root / hashed).read_bytes()
    assert answers["br"].headers["Content-Encoding"] == "br"
    assert answers["br"].body == (stack.static_root / f"{hashed}.br").read_bytes()
    assert answers["gzip"].headers["Content-Encoding"] == "gzip"
    assert answers["gzip"].body == (stack.static_root / f"{hashed}.gz").read_bytes()
    assert answers["identity"].body == original
    for answer in answers.values():
        assert answer.status == 200
        assert answer.headers["Cache-Control"] == "max-age=315360000, public, immutable"
        assert answer.headers["Content-Type"] == "text/css; charset=utf-8"
        for header in SECURITY_HEADERS:
            assert answer.headers[header] == page.headers[header], header
    # The unhashed copy may change with the next release: kept a minute only.
    assert client.get("/static/css/site.css").headers["Cache-Control"] == "public, max-age=60"


def test_html_comes_compressed_when_asked_but_never_with_a_csrf_token(stack):
    client = stack.client()

    for path in ("/da/", "/en/priorities/", "/da/soeg/?q=narkotika"):
        for encoding in ("br", "gzip"):
            answer = client.get(path, headers={"Accept-Encoding": f"{encoding}, deflate"})
            assert answer.status == 200, path
            assert answer.headers["Content-Encoding"] == encoding, path
            assert "<html" in answer.text
    # BREACH: pages with a CSRF token go uncompressed.
    for path in ("/da/kontakt/", "/en/contact/", "/admin/login/"):
        answer = client.get(path, headers={"Accept-Encoding": "br, gzip"})
        assert answer.status == 200, path
        assert "Content-Encoding" not in answer.headers, path
        assert "csrfmiddlewaretoken" in answer.text


def test_the_micro_cache_keeps_public_pages_but_never_the_admin_or_the_contact_form(stack):
    client = stack.client()

    statuses = [client.get("/da/").headers["X-Micro-Cache"] for _ in range(3)]
    assert "HIT" in statuses
    for path in ("/da/kontakt/", "/en/contact/", "/da/kontakt/tak/", "/admin/login/"):
        for _ in range(3):
            answer = client.get(path)
            assert answer.status in (200, 302), path
            assert answer.headers.get("X-Micro-Cache") is None, path
    # The client asked for br and for gzip: each got its own copy.
    br = client.get("/da/", headers={"Accept-Encoding": "br"})
    plain = client.get("/da/", headers={"Accept-Encoding": "identity"})
    assert br.headers["Content-Encoding"] == "br"
    assert "Content-Encoding" not in plain.headers
    assert br.text == plain.text


def test_staff_see_the_app_itself_and_what_they_see_is_never_kept(stack):
    from articles.models import Article
    from tests.factories import make_article

    draft = make_article(
        title_da="Hemmeligt udkast", slug_da="hemmeligt-udkast", status=Article.Status.DRAFT
    )
    staff = stack.staff_client()
    anonymous = stack.client()

    for _ in range(2):
        staff_view = staff.get(draft.get_absolute_url())
        assert staff_view.headers["X-Micro-Cache"] == "BYPASS"
        public = anonymous.get(draft.get_absolute_url())
        assert public.status == 404
        assert "Hemmeligt udkast" not in public.text
    assert staff.get("/da/").headers["X-Micro-Cache"] == "BYPASS"
    preview = staff.get(f"/admin/articles/article/{draft.pk}/change/")
    assert preview.status == 200 and "X-Micro-Cache" not in preview.headers


def test_an_edit_in_the_admin_is_on_the_public_page_within_a_second(stack):
    staff = stack.staff_client()
    visitor = stack.client()
    form_path = "/admin/articles/sitedetails/1/change/"
    form = FormFields(staff.get(form_path).text).fields
    for _ in range(3):  # the home page is in the micro-cache
        cached = visitor.get("/da/").headers["X-Micro-Cache"]
    assert cached == "HIT"
    new_phone = f"+45 70 {time.time_ns() % 100:02d} {time.time_ns() % 97:02d} 00"

    answer = staff.post(form_path, {**form, "phone": new_phone, "_save": "Gem"})
    saved = time.monotonic()
    assert answer.status == 302, answer.text

    while new_phone not in (page := visitor.get("/da/")).text:
        assert time.monotonic() - saved < 1.0, "the edit is not public after 1 s"
        time.sleep(0.02)
    print(f"edit public after {time.monotonic() - saved:.3f} s ({page.headers['X-Micro-Cache']})")


def test_four_slow_header_clients_do_not_delay_a_normal_request(stack):
    """Each slow client opens a connection and sends its request line and headers a byte at a
    time. nginx holds them; gunicorn (4 threads here) never sees them. The control: the same
    clients straight at gunicorn keep a request from being answered."""

    def slow_clients(connect, stop):
        def drip():
            try:
                with connect() as sock:
                    for byte in b"GET /da/kontakt/ HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + (
                        b"a" * 200
                    ):
                        if stop.wait(0.2):
                            return
                        sock.sendall(bytes([byte]))
            except OSError:
                pass

        threads = [threading.Thread(target=drip, daemon=True) for _ in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(0.6)  # all four have started their requests
        return threads

    client = stack.client()
    stop = threading.Event()
    threads = slow_clients(lambda: client.connect(timeout=30), stop)
    try:
        # Not cached anywhere: every one is gunicorn's to answer.
        answers = [client.get("/da/kontakt/") for _ in range(5)]
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert [answer.status for answer in answers] == [200] * 5
    assert max(answer.seconds for answer in answers) < 1.0

    stop = threading.Event()
    threads = slow_clients(
        lambda: socket.create_connection(("127.0.0.1", stack.site.port), timeout=30), stop
    )
    try:
        direct = http.client.HTTPConnection("127.0.0.1", stack.site.port, timeout=2)
        with pytest.raises(TimeoutError):
            direct.request("GET", "/da/kontakt/", headers={"Host": NAME})
            direct.getresponse()
        direct.close()
    finally:
        stop.set()
        for thread in threads:
            thread.join()


def test_a_graceful_reload_loses_no_request(stack):
    """What `systemctl reload empact-web` does for a rollout (HUP to gunicorn): new workers
    with the code on disk, the old ones finish their requests; visitors see nothing."""
    master = stack.site.process.pid

    def workers():
        return set(Path(f"/proc/{master}/task/{master}/children").read_text().split())

    before = workers()
    stop = threading.Event()
    statuses = []

    def visit():
        client = stack.client()
        while not stop.is_set():
            # The contact page is never cached: gunicorn answers every one.
            statuses.append(client.get("/da/kontakt/").status)

    threads = [threading.Thread(target=visit) for _ in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    os.kill(master, signal.SIGHUP)
    deadline = time.monotonic() + 20
    while (workers() & before or not workers()) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    stop.set()
    for thread in threads:
        thread.join()

    assert workers() and not workers() & before, "the workers were not replaced"
    assert len(statuses) > 20
    assert set(statuses) == {200}
