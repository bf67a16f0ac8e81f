"""What the site writes under var/ (the generated key, the SQLite database, backups) holds
messages and password hashes: it is the owner's alone, and it is created safely when many
processes start at once (issue 12). Settings are read at start-up, so each case is a fresh
process on a fresh DJANGO_VAR_DIR."""

import os
import stat
import subprocess
import sys

from tests.core.test_settings import ROOT, run_django


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


# Forked from one process that has imported everything but the settings, the children are
# started within milliseconds and read the settings at the same moment; each round uses a fresh
# DJANGO_VAR_DIR. Before the fix, 1 to 5 rounds of 12 had processes that read an empty key.
KEY_RACE = """
import os, sys
import django.conf, dj_database_url, django.utils.csp, js_asset, django_prose_editor.config

processes, rounds, base = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
for n in range(rounds):
    os.environ["DJANGO_VAR_DIR"] = os.path.join(base, f"var{n}")
    go_read, go_write = os.pipe()
    out_read, out_write = os.pipe()
    children = []
    for _ in range(processes):
        if pid := os.fork():
            children.append(pid)
            continue
        os.close(go_write)
        os.read(go_read, 1)
        try:
            line = repr(django.conf.settings.SECRET_KEY)
        except Exception as error:
            line = type(error).__name__
        os.write(out_write, f"{n} {line}\\n".encode())
        os._exit(0)
    os.close(out_write)
    os.write(go_write, b"x" * processes)
    for pid in children:
        os.waitpid(pid, 0)
    with os.fdopen(out_read) as out:
        sys.stdout.write(out.read())
"""


def test_processes_started_at_once_on_a_fresh_var_dir_share_one_key(tmp_path):
    processes, rounds = 64, 12
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL"))
    }
    environment["DJANGO_SETTINGS_MODULE"] = "empact_site.settings"

    result = subprocess.run(
        [sys.executable, "-c", KEY_RACE, str(processes), str(rounds), str(tmp_path)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    keys = {}
    for line in result.stdout.splitlines():
        n, key = line.split(" ", 1)
        keys.setdefault(n, []).append(key)
    assert set(keys) == {str(n) for n in range(rounds)}
    for n, read in keys.items():
        assert len(read) == processes
        assert len(set(read)) == 1, f"round {n}: {set(read)}"
        assert len(read[0]) > 50
        key_file = tmp_path / f"var{n}" / "secret_key"
        assert repr(key_file.read_text()) == read[0]
        assert list(key_file.parent.glob(".secret_key*")) == []  # no temporary file left


def test_a_fresh_var_dir_is_the_owners_alone_after_migrate(tmp_path):
    var = tmp_path / "var"
    # The modes are read while migrate's connection is open, when the -wal and -shm files exist.
    result = run_django(
        "import os, stat; from django.core.management import call_command; "
        "call_command('migrate', verbosity=0); "
        f"var = {str(var)!r}; "
        "print(*(f'{name}={stat.S_IMODE(os.stat(os.path.join(var, name)).st_mode):o}' "
        "for name in sorted(os.listdir(var))))",
        var,
    )

    assert result.returncode == 0, result.stderr
    assert mode(var) == 0o700
    assert result.stdout.split() == [
        "db.sqlite3=600",
        "db.sqlite3-shm=600",
        "db.sqlite3-wal=600",
        "secret_key=600",
    ]


def test_a_backup_and_its_folder_are_the_owners_alone(tmp_path):
    var = tmp_path / "var"
    result = run_django(
        "from django.core.management import call_command; "
        "call_command('migrate', verbosity=0); call_command('backup')",
        var,
    )

    assert result.returncode == 0, result.stderr
    [archive] = (var / "backups").iterdir()
    assert mode(var / "backups") == 0o700
    assert mode(archive) == 0o600
