from django.db import migrations

from jiceng.core.migration_ops import UseBinaryCollation


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [UseBinaryCollation("audit_auditentry", ["org_path"])]
