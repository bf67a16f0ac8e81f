from datetime import timedelta

from django.db import migrations
from django.db.models import F


def forwards(apps, schema_editor):
    Message = apps.get_model("contact", "Message")
    # "Handled" meant dealt with: the pipeline's last step.
    Message.objects.filter(status="handled").update(status="closed")
    # Leads received before the pipeline get a day to be answered from their arrival.
    Message.objects.filter(status="new", answer_due_at__isnull=True).update(
        answer_due_at=F("created_at") + timedelta(days=1)
    )


def backwards(apps, schema_editor):
    Message = apps.get_model("contact", "Message")
    Message.objects.filter(status__in=["in_progress", "answered", "closed"]).update(
        status="handled"
    )


class Migration(migrations.Migration):
    dependencies = [("contact", "0003_lead_pipeline_and_acknowledgements")]

    operations = [migrations.RunPython(forwards, backwards)]
