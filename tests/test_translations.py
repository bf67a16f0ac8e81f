import shutil
import subprocess
from pathlib import Path

import pytest

PO = Path(__file__).resolve().parents[1] / "locale" / "da" / "LC_MESSAGES" / "django.po"

needs_gettext = pytest.mark.skipif(
    not shutil.which("msgfmt"), reason="GNU gettext (msgfmt) is not installed"
)


@needs_gettext
def test_every_interface_text_has_a_danish_translation():
    fuzzy = subprocess.run(
        ["msgattrib", "--only-fuzzy", "--no-location", str(PO)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    untranslated = subprocess.run(
        ["msgattrib", "--untranslated", "--no-location", str(PO)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    assert untranslated.count("msgid ") <= 1, untranslated  # the header only
    assert "msgid " not in fuzzy, fuzzy


@needs_gettext
def test_compiled_translations_match_the_po_file(tmp_path):
    subprocess.run(["msgfmt", "--check", "-o", tmp_path / "django.mo", PO], check=True)

    assert (tmp_path / "django.mo").read_bytes() == PO.with_suffix(".mo").read_bytes()
