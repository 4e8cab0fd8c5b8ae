"""Permissions of the quality-report pages (rules predicates; which reports is queries.py)."""

import rules

from vetq.accounts.rules import is_bureau_admin, is_school_user

rules.add_perm("reports.manage", is_bureau_admin | is_school_user)
rules.add_perm("reports.publish", is_bureau_admin)
