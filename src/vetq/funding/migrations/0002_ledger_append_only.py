"""On PostgreSQL the database itself refuses to change or delete ledger entries (R29)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION vetq_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are append-only: correct a mistake with a reversing entry';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER funding_ledgerentry_append_only
    BEFORE UPDATE OR DELETE ON funding_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION vetq_ledger_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS funding_ledgerentry_append_only ON funding_ledgerentry;
DROP FUNCTION IF EXISTS vetq_ledger_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("funding", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
