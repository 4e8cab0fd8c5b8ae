"""On PostgreSQL the database itself refuses to change or delete ledger entries (R29)."""

from django.db import migrations

from vetq.core.append_only import append_only_trigger


class Migration(migrations.Migration):
    dependencies = [("funding", "0001_initial")]
    operations = [
        append_only_trigger(
            table="funding_ledgerentry",
            message="ledger entries are append-only: correct a mistake with a reversing entry",
        ),
    ]
