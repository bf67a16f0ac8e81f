import functools
import hashlib
from importlib import metadata
from pathlib import Path

from django.apps import apps
from django.conf import settings


@functools.cache
def release():
    """A digest of what renders pages: our apps' code, the templates, the translations, the
    installed packages and the static files' manifest. It is part of every cache key, so a
    deploy that changes how pages look never serves pages or fragments rendered by the previous
    code, while servers still share one content version."""
    roots = [*map(Path, settings.LOCALE_PATHS)]
    roots += [Path(d) for engine in settings.TEMPLATES for d in engine["DIRS"]]
    # The project's own apps sit at the top of the project (installed packages do not).
    roots += [
        Path(app.path)
        for app in apps.get_app_configs()
        if Path(app.path).parent == settings.BASE_DIR
    ]
    digest = hashlib.sha256()
    # Installed packages render too (Django's formats and translations, Jinja2, the sanitiser),
    # and pages name the hashed static files of the manifest.
    packages = sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions())
    digest.update("\n".join(packages).encode())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists():
        digest.update(manifest.read_bytes())
    for root in sorted(set(roots)):
        for path in sorted(root.rglob("*")):
            if path.suffix in {".py", ".html", ".mo"}:
                digest.update(str(path.relative_to(root.parent)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
