"""Backups of the database and the uploaded media, in one .tar.gz, with the database's own tools:
pg_dump/pg_restore for PostgreSQL, SQLite's online backup API for SQLite."""

import contextlib
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from core.content import forget_state

PG_DUMP = "database.pgdump"
SQLITE_DUMP = "database.sqlite3"


def pg_environment(db):
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def pg_arguments(db):
    arguments = ["--dbname", db["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            arguments += [option, str(db[key])]
    return arguments


def create_private(path):
    """Create the file empty and readable by its owner only, unless it exists: what it will hold
    (messages, password hashes) is nobody else's to read."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def sqlite_copy(source_path, target_path):
    """SQLite's online backup: a consistent copy even while other processes write."""
    create_private(target_path)
    source, target = sqlite3.connect(source_path), sqlite3.connect(target_path)
    with target:
        source.backup(target)
    source.close()
    target.close()


def backup(output):
    """Write the database and MEDIA_ROOT to the archive `output`; return its path."""
    db = connection.settings_dict
    output = Path(output)
    output.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    create_private(output)
    with tempfile.TemporaryDirectory() as tmp:
        if connection.vendor == "postgresql":
            dump = Path(tmp) / PG_DUMP
            subprocess.run(
                ["pg_dump", "--format=custom", "--no-owner", "--file", dump, *pg_arguments(db)],
                env=pg_environment(db),
                check=True,
            )
        elif connection.vendor == "sqlite":
            dump = Path(tmp) / SQLITE_DUMP
            sqlite_copy(db["NAME"], dump)
        else:
            raise RuntimeError(f"No backup method for {connection.vendor}.")
        with tarfile.open(output, "w:gz") as archive:
            archive.add(dump, arcname=dump.name)
            if Path(settings.MEDIA_ROOT).exists():
                archive.add(settings.MEDIA_ROOT, arcname="media")
    return output


def restore(archive_path):
    """Replace the database and MEDIA_ROOT with the contents of a backup archive."""
    db = connection.settings_dict
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(tmp, filter="data")
        connection.close()
        if connection.vendor == "postgresql":
            subprocess.run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    *pg_arguments(db),
                    Path(tmp) / PG_DUMP,
                ],  # fmt: skip
                env=pg_environment(db),
                check=True,
            )
        elif connection.vendor == "sqlite":
            sqlite_copy(Path(tmp) / SQLITE_DUMP, db["NAME"])
        else:
            raise RuntimeError(f"No restore method for {connection.vendor}.")
        media = Path(settings.MEDIA_ROOT)
        if media.exists():
            shutil.rmtree(media)
        if (Path(tmp) / "media").exists():
            shutil.copytree(Path(tmp) / "media", media)
    # Cached copies (the site details, pages, fragments) describe the old data; every server
    # is told that the content changed.
    cache.clear()
    forget_state()
