from django.db import migrations

from jiceng.core.migration_ops import UseBinaryCollation


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [
        UseBinaryCollation("people_household", ["org_path", "number", "phone_rev"]),
        UseBinaryCollation("people_resident", ["org_path", "name_search", "id_number_rev", "phone_rev"]),
        UseBinaryCollation("people_residentnamekey", ["key", "org_path"]),
        UseBinaryCollation("people_residenttag", ["org_path"]),
        UseBinaryCollation("people_partymember", ["org_path"]),
        UseBinaryCollation("people_cadre", ["org_path"]),
        UseBinaryCollation("people_volunteer", ["org_path"]),
    ]
