"""Rebuild every resident's pinyin keys: a surname is now read as a surname (单 shan, not also 邓's
rare "shan"), and each key records what it spells (full, surname, initials) for ranking.

Keyset-paged over residents, each batch one short transaction: its old keys deleted, its new keys
bulk-inserted. Not atomic as a whole, so a registry of a million residents is never one transaction;
a rerun after an interruption rebuilds every batch again and ends in the same rows.
"""
from django.db import migrations, transaction

BATCH = 2000


def rebuild_name_keys(apps, schema_editor):
    from jiceng.people.search import name_keys

    Resident = apps.get_model("people", "Resident")
    ResidentNameKey = apps.get_model("people", "ResidentNameKey")
    db = schema_editor.connection.alias
    last = 0
    while True:
        rows = list(Resident.objects.using(db).filter(pk__gt=last).order_by("pk")
                    .values_list("pk", "name", "org_path")[:BATCH])
        if not rows:
            break
        last = rows[-1][0]
        with transaction.atomic(using=db):
            ResidentNameKey.objects.using(db).filter(resident_id__in=[pk for pk, _n, _p in rows]).delete()
            ResidentNameKey.objects.using(db).bulk_create(
                [ResidentNameKey(resident_id=pk, key=k.key, kind=k.kind, org_path=path)
                 for pk, name, path in rows for k in name_keys(name)], batch_size=5000)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("people", "0005_namekey_kind"),
    ]

    operations = [
        migrations.RunPython(rebuild_name_keys, migrations.RunPython.noop, elidable=True),
    ]
