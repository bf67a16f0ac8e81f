from django.db import migrations


def publish_existing_cycles(apps, schema_editor):
    # Every cycle so far was public the moment it was saved: it stays public. New cycles start
    # as drafts.
    PolicyCycle = apps.get_model("priorities", "PolicyCycle")
    PolicyCycle.objects.update(is_published=True)
    # Their revisions too: reverting to one saved before drafts existed must not unpublish.
    HistoricalPolicyCycle = apps.get_model("priorities", "HistoricalPolicyCycle")
    HistoricalPolicyCycle.objects.update(is_published=True)


class Migration(migrations.Migration):
    dependencies = [
        ("priorities", "0004_add_publication"),
    ]

    operations = [
        migrations.RunPython(publish_existing_cycles, migrations.RunPython.noop),
    ]
