import io
import json
import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from core.content import content_state
from core.errors import permission_denied, server_error
from core.logging import JSONFormatter
from priorities.models import Priority

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_PAGES = ["/da/", "/en/priorities/", "/da/cyklus/", "/en/contact/", "/da/privatliv/"]


def run_manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_send_strict_security_headers(client, content, url):
    response = client.get(url)

    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "nonce-" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_the_admin_policy_only_adds_a_nonce_for_the_editors_import_map(admin_client, content):
    from cycle.models import CycleStep

    response = admin_client.get(f"/admin/cycle/cyclestep/{CycleStep.objects.first().pk}/change/")

    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'<script type="importmap" nonce="{nonce}">' in response.content.decode()


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECURE="1",
        DJANGO_SECRET_KEY="a-real-production-key-" + "x7Qp9" * 12,
        DJANGO_VAR_DIR=str(tmp_path),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_turn_on_https_protections(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SECURE_PROXY_SSL_HEADER)"
    )
    result = run_manage(
        "shell",
        "-c",
        code,
        DJANGO_SECURE="1",
        DJANGO_BEHIND_PROXY="1",
        DJANGO_SECRET_KEY="k" * 60,
        DJANGO_VAR_DIR=str(tmp_path),
    )

    assert result.stdout.strip().splitlines()[-1] == (
        "True True True True True ('HTTP_X_FORWARDED_PROTO', 'https')"
    )


def test_a_dead_database_fails_fast():
    code = "from django.conf import settings as s; print(s.DATABASES['default']['OPTIONS'])"
    result = run_manage("shell", "-c", code, DATABASE_URL="postgres://u@127.0.0.1:5432/x")

    assert "'connect_timeout': 2" in result.stdout
    assert "'tcp_user_timeout': 10000" in result.stdout


def test_passwords_must_be_strong():
    with pytest.raises(ValidationError):
        validate_password("kort123")
    with pytest.raises(ValidationError):
        validate_password("password1234")
    validate_password("Rolig-Hest-Under-Broen-42")


@pytest.mark.django_db
def test_admin_login_locks_after_five_failures_and_opens_after_the_cool_off(client, settings):
    User.objects.create_superuser("chef", "chef@icare.dk", "Rigtig-Adgangskode-2026")
    login = {"username": "chef", "password": "forkert", "next": "/admin/"}
    for _ in range(4):
        assert client.post("/admin/login/", login).status_code == 200
    assert client.post("/admin/login/", login).status_code == 429  # the fifth failure locks

    locked = client.post("/admin/login/", {**login, "password": "Rigtig-Adgangskode-2026"})

    assert locked.status_code == 429
    assert "locked for 30 minutes" in locked.content.decode() or "låst i 30 minutter" in (
        locked.content.decode()
    )
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    after = client.post("/admin/login/", {**login, "password": "Rigtig-Adgangskode-2026"})
    assert after.status_code == 302


@pytest.mark.django_db
def test_administrators_see_the_lockouts(admin_client):
    assert admin_client.get("/admin/axes/accessattempt/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_database_outage_gives_a_styled_503_and_the_site_recovers(client):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no server to lose: the outage here is a refused PostgreSQL port")
    call_command("load_empact_content", stdout=io.StringIO())
    client.get("/da/")  # the site details are in the cache now
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = 1  # nothing listens there: connection refused
    cache.delete("content-state")  # as after a content change: the page cache must ask the database
    try:
        danish = client.get("/da/prioriteter/")
        english = client.get("/en/priorities/")
        health = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real_port

    assert danish.status_code == 503
    assert "Sitet er midlertidigt utilgængeligt" in danish.content.decode()
    assert 'class="site-nav"' in danish.content.decode()
    assert "Traceback" not in danish.content.decode()
    assert english.status_code == 503 and "temporarily unavailable" in english.content.decode()
    assert health.status_code == 503 and health.json()["database"] == "unavailable"
    assert client.get("/da/prioriteter/").status_code == 200
    assert client.get("/healthz").json()["status"] == "ok"


@pytest.mark.django_db
def test_error_pages_are_styled_in_both_languages(client, content, settings):
    danish = client.get("/da/findes-ikke/")
    english = client.get("/en/does-not-exist/")
    bad_host = client.get("/da/", HTTP_HOST="evil.example")

    assert danish.status_code == 404 and "Siden blev ikke fundet" in danish.content.decode()
    assert english.status_code == 404 and "The page could not be found" in english.content.decode()
    assert 'class="site-nav"' in english.content.decode()
    assert bad_host.status_code == 400

    request = RequestFactory().get("/en/")
    from django.utils import translation

    with translation.override("en"):
        assert "Something went wrong on our side" in server_error(request).content.decode()
        assert permission_denied(request).status_code == 403


@pytest.mark.django_db
def test_one_log_line_per_request_without_personal_data(client, caplog, settings):
    caplog.set_level(logging.INFO, logger="empact.request")
    client.post(
        "/en/contact/",
        {
            "name": "Hemmelig Person",
            "email": "hemmelig@example.dk",
            "message": "x",
            "consent": "on",
        },
    )

    lines = [r for r in caplog.records if r.name == "empact.request"]
    assert len(lines) == 1
    assert lines[0].status in (200, 303) and lines[0].path == "/en/contact/"
    logged = "\n".join(JSONFormatter().format(r) for r in caplog.records)
    assert "Hemmelig" not in logged and "hemmelig@example.dk" not in logged
    parsed = json.loads(JSONFormatter().format(lines[0]))
    assert parsed["method"] == "POST" and parsed["duration_ms"] >= 0


def test_the_json_log_is_one_object_per_line_readable_as_written():
    result = run_manage(
        "shell",
        "-c",
        "import logging; logging.getLogger('empact.request').info("
        "'GET /da/søg/ 200', extra={'path': '/da/søg/', 'status': 200})",
        LOG_FORMAT="json",
    )

    assert result.returncode == 0, result.stderr
    line = json.loads(result.stdout.splitlines()[-1])
    assert line["message"] == "GET /da/søg/ 200" and "søg" in result.stdout
    assert (line["level"], line["logger"], line["status"]) == ("INFO", "empact.request", 200)


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip(settings, tmp_path):
    call_command("load_empact_content", stdout=io.StringIO())
    (settings.MEDIA_ROOT / "articles").mkdir(parents=True)
    (settings.MEDIA_ROOT / "articles" / "foto.png").write_bytes(b"PNG-data")
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=str(archive), stdout=io.StringIO())

    Priority.objects.filter(slug_da="cyberangreb").update(name_da="Ødelagt")
    Priority.objects.filter(slug_da="narkotikahandel").delete()
    (settings.MEDIA_ROOT / "articles" / "foto.png").unlink()
    version = content_state()["version"]
    call_command("restore", str(archive), noinput=True, stdout=io.StringIO())

    assert content_state()["version"] != version  # no page or fragment of before is served
    assert Priority.objects.get(slug_da="cyberangreb").name_da == "Cyberangreb"
    assert Priority.objects.filter(slug_da="narkotikahandel").get().objectives.count() == 2
    assert (settings.MEDIA_ROOT / "articles" / "foto.png").read_bytes() == b"PNG-data"


@pytest.mark.django_db(transaction=True)
def test_migrations_run_backwards_to_zero_and_forwards_again():
    for app in ("contact", "articles", "cycle", "priorities"):
        call_command("migrate", app, "zero", verbosity=0)
    call_command("migrate", verbosity=0)

    call_command("load_empact_content", stdout=io.StringIO())
    assert Priority.objects.count() == 10
