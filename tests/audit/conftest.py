import pytest
from django.db import connection


@pytest.fixture
def raw_audit_sql(db):
    """Run raw SQL against the audit table, as someone with database access could.

    On PostgreSQL the append-only trigger is disabled first; the test's transaction rolls the
    change back afterwards.
    """

    def execute(sql: str, params=()):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    if connection.vendor == "postgresql":
        # ALTER TABLE refuses while deferred foreign-key checks of rows inserted in this
        # transaction are pending: run them now, then defer again as Django expects
        execute("SET CONSTRAINTS ALL IMMEDIATE")
        execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_auditentry_append_only")
        execute("SET CONSTRAINTS ALL DEFERRED")
    return execute
