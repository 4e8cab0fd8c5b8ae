"""Projects after approval: creating one from an approved grant, and the one extension of
its construction period. Every change writes a ProjectEvent and an audit entry in the same
transaction; a refusal (ProjectRefused) changes nothing."""

import copy
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vetq.audit.services import audit_log
from vetq.funding.models import Grant, GrantState
from vetq.programs.policy.projects_schema import ProjectsSection

from .models import Project, ProjectEvent, ProjectState
from .periods import extension_latest, period_end

# A project follows its grant's state when it is created (R18: a failed grant's project
# failed its acceptance; a withdrawn grant's project is withdrawn).
STATE_OF_GRANT = {
    GrantState.ACTIVE: ProjectState.ACTIVE,
    GrantState.CLOSED: ProjectState.CLOSED,
    GrantState.FAILED: ProjectState.FAILED,
    GrantState.WITHDRAWN: ProjectState.WITHDRAWN,
}


class ProjectRefused(Exception):
    """A project change the rules do not allow; the message says why. Nothing changed."""


def project_rules(program) -> ProjectsSection:
    """The program's `[projects]` rules (score bands, extension limit), defaults filled in."""
    return ProjectsSection.model_validate((program.policy or {}).get("projects") or {})


def project_snapshot(project: Project) -> dict:
    return {
        "grant": project.grant_id,
        "application": project.application_id,
        "state": project.state,
        "starts_on": project.starts_on.isoformat(),
        "ends_on": project.ends_on.isoformat(),
        "extended_to": project.extended_to.isoformat() if project.extended_to else None,
        "rating": project.rating,
    }


def _day(value: date) -> str:
    return date_format(value, "Y-m-d")


def project_create(*, grant: Grant, by, starts_on: date | None = None) -> Project:
    """Create the project of an approved grant: the application's title, lead person, goals,
    milestones, team and budget plan copied, the construction period from `starts_on` (the
    day of approval; by default the day the grant was created) for the category's
    construction years (at least one), and the state of the grant; an active project's
    yearly progress reports are scheduled (`reports.reports_schedule`).

    Called inside `funding.grants.application_approve`'s transaction. Refuses a grant that
    already has a project.
    """
    starts_on = starts_on or timezone.localdate(grant.created_at)
    with transaction.atomic():
        locked = Grant.objects.select_for_update().select_related("application").get(pk=grant.pk)
        if Project.objects.filter(grant=locked).exists():
            raise ProjectRefused(_("This grant already has its project."))
        application = locked.application
        project = Project.objects.create(
            application=application, grant=locked, category_id=locked.category_id,
            institution_id=locked.institution_id, title=application.title,
            lead_name=application.lead_name, goals=application.goals,
            milestones=copy.deepcopy(application.milestones), team=copy.deepcopy(application.team),
            budget=copy.deepcopy(application.budget), state=STATE_OF_GRANT[locked.state],
            starts_on=starts_on, ends_on=period_end(starts_on, locked.construction_years),
        )
        after = project_snapshot(project)
        ProjectEvent.objects.create(project=project, action="create", after=after, by=by)
        audit_log(action="project.create", actor=by, obj=project, after=after)
        from .reports import reports_schedule  # reports builds on this module

        reports_schedule(project)
    return project


def project_extend(*, project: Project, to: date, reason: str, by) -> Project:
    """Extend the construction period of an active project to `to`, once (R31): at most the
    policy's `extension_max_days` past its planned end, with a reason.

    Refuses a project that is not under construction, a second extension, a date not after
    the planned end or beyond the limit, and no reason.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ProjectRefused(_("Please give a reason for the extension."))
    with transaction.atomic():
        locked = Project.objects.select_for_update().select_related("grant__program") \
            .get(pk=project.pk)
        if locked.state != ProjectState.ACTIVE:
            raise ProjectRefused(
                _("Only a project under construction can be extended; this one is %(state)s.")
                % {"state": locked.get_state_display()}
            )
        if locked.extended_to is not None:
            raise ProjectRefused(
                _("The construction period was already extended once, to %(date)s; it cannot "
                  "be extended again.") % {"date": _day(locked.extended_to)}
            )
        if to <= locked.ends_on:
            raise ProjectRefused(_("The new end must be later than the planned end, %(date)s.")
                                 % {"date": _day(locked.ends_on)})
        max_days = project_rules(locked.grant.program).extension_max_days
        latest = extension_latest(locked.ends_on, max_days)
        if to > latest:
            raise ProjectRefused(
                _("An extension may last at most %(days)s days: until %(date)s at the latest.")
                % {"days": max_days, "date": _day(latest)}
            )
        before = project_snapshot(locked)
        locked.extended_to = to
        locked.extension_reason = reason
        locked.save(update_fields=["extended_to", "extension_reason"])
        after = project_snapshot(locked)
        ProjectEvent.objects.create(project=locked, action="extend", before=before, after=after,
                                    reason=reason, by=by)
        audit_log(action="project.extend", actor=by, obj=locked, before=before,
                  after={**after, "reason": reason})
    return locked
