"""On PostgreSQL the database itself refuses to change or delete audit entries."""

from django.db import migrations

from vetq.core.append_only import append_only_trigger


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [
        append_only_trigger(table="audit_auditentry", message="audit entries are append-only"),
    ]
