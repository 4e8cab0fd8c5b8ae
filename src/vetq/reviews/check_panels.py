"""What sets a check panel apart from a review panel (`Panel.check_round` set: the expert
scoring of a project's mid-term check or acceptance, projects/checks.py).

Its applications are those of the round's projects, and they stay approved: a check panel
needs no eligibility and moves no application through the review states. A project no
longer under construction is out of it instead. An expert already assigned to a project's
application on another panel (its review, an earlier check) conflicts with it
(`assigned_before`): one expert holds one active assignment to an application, and a
finished review's assignments stay active so that its ranking stands.
"""

from vetq.applications.models import Application

from .models import Assignment, Panel


def is_check(panel: Panel) -> bool:
    return panel.check_round_id is not None


def check_applications(panel: Panel):
    """The applications a check panel may score: those of its round's projects still under
    construction."""
    from vetq.projects.models import ProjectState

    return Application.objects.filter(project__checks__round_id=panel.check_round_id,
                                      project__state=ProjectState.ACTIVE).order_by("pk")


def with_assigned_before(panel: Panel, pairs: dict, experts, applications) -> dict:
    """The conflict pairs `pairs` with `assigned_before` added for each pool expert already
    assigned to one of the applications on another panel."""
    codes = {e.code for e in experts}
    earlier = (Assignment.objects.filter(application__in=[a.pk for a in applications],
                                         active=True)
               .exclude(panel=panel).values_list("expert__code", "application_id"))
    merged = dict(pairs)
    for code, app_id in earlier:
        if code in codes:
            merged[(code, app_id)] = tuple(sorted({*merged.get((code, app_id), ()),
                                                   "assigned_before"}))
    return merged
