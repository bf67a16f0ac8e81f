"""The project's settings for the site behind nginx in tests/deploy/test_nginx.py: exactly
production's (the manifest storage included), with STATIC_ROOT in the test's own directory."""

import os
from pathlib import Path

from empact_site.settings import *  # noqa: F403

STATIC_ROOT = Path(os.environ["EMPACT_TEST_STATIC_ROOT"])
