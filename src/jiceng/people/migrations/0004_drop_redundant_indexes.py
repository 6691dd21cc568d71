# Drops the indexes that another index already serves (each costs every insert and update, and
# the planner time of every query on these tables): the FK indexes led by a composite index, the
# org_path indexes led by the scope indexes, and the varchar_pattern_ops twins of columns that use
# the C collation on PostgreSQL (where a plain btree serves LIKE 'prefix%'). 13 fewer indexes in all.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0002_binary_collation'),
        ('people', '0003_namekey_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='household',
            name='org_path',
            field=models.CharField(max_length=255),
        ),
        migrations.AlterField(
            model_name='household',
            name='phone_rev',
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AlterField(
            model_name='resident',
            name='household',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='members', to='people.household', verbose_name='所属户'),
        ),
        migrations.AlterField(
            model_name='resident',
            name='id_number_rev',
            field=models.CharField(max_length=18),
        ),
        migrations.AlterField(
            model_name='resident',
            name='name_search',
            field=models.CharField(max_length=50),
        ),
        migrations.AlterField(
            model_name='resident',
            name='org_path',
            field=models.CharField(max_length=255),
        ),
        migrations.AlterField(
            model_name='resident',
            name='phone_rev',
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AlterField(
            model_name='residentnamekey',
            name='resident',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='name_keys', to='people.resident'),
        ),
        migrations.AlterField(
            model_name='residenttag',
            name='resident',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='tags', to='people.resident'),
        ),
        migrations.AddIndex(
            model_name='household',
            index=models.Index(fields=['phone_rev'], name='household_phone_rev_idx'),
        ),
        migrations.AddIndex(
            model_name='resident',
            index=models.Index(fields=['name_search'], name='resident_name_idx'),
        ),
        migrations.AddIndex(
            model_name='resident',
            index=models.Index(fields=['id_number_rev'], name='resident_id_rev_idx'),
        ),
        migrations.AddIndex(
            model_name='resident',
            index=models.Index(fields=['phone_rev'], name='resident_phone_rev_idx'),
        ),
    ]


def _drop_unique_like_indexes(apps, schema_editor):
    """A unique CharField also gets a varchar_pattern_ops twin on PostgreSQL, for LIKE; nothing
    searches ID numbers or household numbers by prefix (suffix searches use the reversed columns)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in (("people_resident", "id_number"), ("people_household", "number")):
        name = schema_editor._create_index_name(table, [column], suffix="_like")
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def _restore_unique_like_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in (("people_resident", "id_number"), ("people_household", "number")):
        name = schema_editor._create_index_name(table, [column], suffix="_like")
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}" varchar_pattern_ops)')


Migration.operations.append(migrations.RunPython(_drop_unique_like_indexes, _restore_unique_like_indexes))
