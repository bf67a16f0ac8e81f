"""Settings are read from the environment at start-up, so they are tested in a fresh process."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_django(code, tmp_path, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL"))
    }
    environment.update(
        {"DJANGO_SETTINGS_MODULE": "empact_site.settings", "DJANGO_VAR_DIR": str(tmp_path)}
    )
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_secret_key_is_generated_once_into_var(tmp_path):
    first = run_django("from django.conf import settings; print(settings.SECRET_KEY)", tmp_path)
    second = run_django("from django.conf import settings; print(settings.SECRET_KEY)", tmp_path)

    assert first.returncode == 0, first.stderr
    assert len(first.stdout.strip()) >= 50
    assert first.stdout == second.stdout
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    result = run_django("", tmp_path, DJANGO_SECURE="1")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_default_database_is_sqlite_in_wal_mode_with_immediate_transactions(tmp_path):
    code = (
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]); "
        "c.execute('PRAGMA busy_timeout'); print(c.fetchone()[0]); "
        "print(connection.settings_dict['OPTIONS']['transaction_mode'])"
    )
    result = run_django(code, tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "20000", "IMMEDIATE"]
    assert (tmp_path / "db.sqlite3").exists()


def test_database_url_switches_to_postgresql_with_persistent_checked_connections(tmp_path):
    code = (
        "from django.conf import settings; from django.db import connection; "
        "d = settings.DATABASES['default']; o = d['OPTIONS']; "
        "print(connection.vendor, d['NAME'], d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'], "
        "o['connect_timeout'], o['options'].replace(' ', '_'), settings.DATABASE_TIMEOUT)"
    )
    result = run_django(code, tmp_path, DATABASE_URL="postgres://u@127.0.0.1:5432/site")

    assert result.stdout.split() == [
        "postgresql",
        "site",
        "60",
        "True",
        "2",
        "-c_statement_timeout=30s",
        "3.0",
    ]


def test_debug_is_off_unless_asked_for(tmp_path):
    code = "from django.conf import settings; print(settings.DEBUG, settings.TIME_ZONE)"

    assert run_django(code, tmp_path).stdout.split() == ["False", "Europe/Copenhagen"]
    assert run_django(code, tmp_path, DJANGO_DEBUG="1").stdout.split()[0] == "True"
