from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    """pg_trgm, for search that survives typos and missing æ/ø/å (a no-op on SQLite)."""

    dependencies = []
    operations = [TrigramExtension()]
