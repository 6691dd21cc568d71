from django.db import migrations

from jiceng.core.migration_ops import UseBinaryCollation


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [UseBinaryCollation("orgs_orgunit", ["path"])]
