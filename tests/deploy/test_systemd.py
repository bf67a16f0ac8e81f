"""The service units in deploy/systemd/ pass `systemd-analyze verify`: known keys, valid values,
programs that exist. They name the production paths (/srv/empact/app, /etc/empact/empact.env);
here those point at this checkout and its virtualenv, so the programs the units start are
checked for real. Skipped where systemd-analyze is missing; with CI=true that is a failure
(.ci/run installs systemd)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"


@pytest.fixture
def rendered_units(tmp_path):
    if not shutil.which("systemd-analyze"):
        if os.environ.get("CI") == "true":
            pytest.fail("systemd-analyze is missing; .ci/run installs systemd")
        pytest.skip("systemd-analyze is missing (apt-get install systemd)")
    environment_file = tmp_path / "empact.env"
    environment_file.write_text((ROOT / "deploy" / "empact.env.example").read_text())
    for unit in UNITS.iterdir():
        text = (
            unit.read_text()
            .replace("/srv/empact/app/.venv", sys.prefix)
            .replace("/srv/empact/app", str(ROOT))
            .replace("/etc/empact/empact.env", str(environment_file))
        )
        (tmp_path / unit.name).write_text(text)
    return tmp_path


def test_the_units_are_the_ones_the_handbook_installs():
    assert sorted(unit.name for unit in UNITS.iterdir()) == [
        "empact-backup.service",
        "empact-backup.timer",
        "empact-digest.service",
        "empact-digest.timer",
        "empact-mail@.service",
        "empact-purge.service",
        "empact-purge.timer",
        "empact-web.service",
    ]


def test_systemd_analyze_verify_passes_on_every_unit(rendered_units):
    names = [
        "empact-web.service",
        "empact-mail@1.service",  # an instance of the template
        "empact-purge.service",
        "empact-purge.timer",
        "empact-backup.service",
        "empact-backup.timer",
        "empact-digest.service",
        "empact-digest.timer",
    ]

    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(rendered_units / name) for name in names)],
        capture_output=True,
        text=True,
        cwd=rendered_units,
    )

    # verify exits 0 on mere warnings (an unknown key, a value it cannot parse): none allowed.
    assert result.returncode == 0, result.stderr
    assert result.stdout + result.stderr == ""


def test_the_web_unit_reloads_gracefully_and_runs_hardened():
    web = (UNITS / "empact-web.service").read_text()

    assert "ExecReload=/bin/kill -s HUP $MAINPID" in web
    for setting in (
        "User=empact",
        "EnvironmentFile=/etc/empact/empact.env",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "PrivateTmp=yes",
        "ReadWritePaths=/srv/empact/var /srv/empact/media",
    ):
        assert setting in web, setting
    assert "--bind 127.0.0.1:8000" in web and "--config gunicorn.conf.py" in web
