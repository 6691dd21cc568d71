"""Reports' notifications move to the shared outbox (jiceng.notices): every row is copied, with the report it
was about as its subject and link, before reports' own table is dropped."""

from django.db import migrations


def copy_to_outbox(apps, schema_editor):
    Old = apps.get_model("reports", "Notification")
    New = apps.get_model("notices", "Notification")
    batch = []
    for n in Old.objects.order_by("id").iterator(chunk_size=2000):
        batch.append(New(user_id=n.user_id, phone=n.phone, message=n.message, created_at=n.created_at,
                         read_at=n.read_at, channel=n.channel, delivered_at=n.delivered_at,
                         subject="reports.report" if n.report_id else "", subject_id=n.report_id,
                         link=f"/reports/{n.report_id}/" if n.report_id else ""))
        if len(batch) >= 2000:
            New.objects.bulk_create(batch)
            batch = []
    New.objects.bulk_create(batch)


def copy_back(apps, schema_editor):
    Old = apps.get_model("reports", "Notification")
    New = apps.get_model("notices", "Notification")
    Old.objects.bulk_create([
        Old(user_id=n.user_id, phone=n.phone, message=n.message, created_at=n.created_at, read_at=n.read_at,
            channel=n.channel, delivered_at=n.delivered_at,
            report_id=n.subject_id if n.subject == "reports.report" else None)
        for n in New.objects.order_by("id")])


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0002_dispute_errand'),
        ('notices', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(copy_to_outbox, copy_back),
        migrations.DeleteModel(
            name='Notification',
        ),
    ]
