import shutil
import subprocess
from pathlib import Path

import pytest

PO = Path(__file__).resolve().parents[2] / "locale" / "da" / "LC_MESSAGES" / "django.po"

needs_gettext = pytest.mark.skipif(
    not shutil.which("msgfmt"), reason="GNU gettext (msgfmt) is not installed"
)


def msgattrib(flag):
    """The entries of the Danish catalogue that msgattrib selects with flag."""
    command = ["msgattrib", flag, "--no-location", str(PO)]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


@needs_gettext
def test_every_interface_text_has_a_danish_translation():
    untranslated = msgattrib("--untranslated")
    fuzzy = msgattrib("--only-fuzzy")

    assert untranslated.count("msgid ") <= 1, untranslated  # the header only
    assert "msgid " not in fuzzy, fuzzy


@needs_gettext
def test_compiled_translations_match_the_po_file(tmp_path):
    subprocess.run(["msgfmt", "--check", "-o", tmp_path / "django.mo", PO], check=True)

    assert (tmp_path / "django.mo").read_bytes() == PO.with_suffix(".mo").read_bytes()
