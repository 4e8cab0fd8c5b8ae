"""Permissions as `rules` predicates. Object access for lists goes through scoping.py."""

import rules

from .roles import Role
from .scoping import has_role


@rules.predicate
def is_bureau_admin(user) -> bool:
    return has_role(user, Role.BUREAU_ADMIN)


@rules.predicate
def is_region_officer(user) -> bool:
    return has_role(user, Role.REGION_OFFICER)


@rules.predicate
def is_school_user(user) -> bool:
    return has_role(user, Role.SCHOOL_USER)


@rules.predicate
def is_expert(user) -> bool:
    return has_role(user, Role.EXPERT)


@rules.predicate
def is_finance_officer(user) -> bool:
    return has_role(user, Role.FINANCE_OFFICER)


@rules.predicate
def is_department_viewer(user) -> bool:
    return has_role(user, Role.DEPARTMENT_VIEWER)


rules.add_perm("institutions.manage", is_bureau_admin)
rules.add_perm("institutions.view_list", is_bureau_admin | is_region_officer | is_school_user
               | is_finance_officer | is_department_viewer)
rules.add_perm("institutions.import", is_bureau_admin)
rules.add_perm("institutions.export", is_bureau_admin | is_region_officer | is_department_viewer)
rules.add_perm("programs.manage", is_bureau_admin)
rules.add_perm("accounts.manage_memberships", is_bureau_admin)
rules.add_perm("audit.view", is_bureau_admin)
rules.add_perm("calls.manage", is_bureau_admin)
rules.add_perm("funding.view", is_bureau_admin | is_finance_officer | is_region_officer
               | is_school_user)
rules.add_perm("funding.dashboard", is_bureau_admin | is_finance_officer | is_department_viewer)
rules.add_perm("funding.plan", is_bureau_admin)
