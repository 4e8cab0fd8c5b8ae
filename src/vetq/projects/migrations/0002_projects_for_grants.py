"""A project for every grant approved before projects existed: the application's plan copied,
the construction period from the day of approval for the grant's construction years (at
least one), and the state of the grant (a failed grant's project failed, a withdrawn one's
is withdrawn). Grants that already have a project are left alone."""

import copy

from django.db import migrations
from django.utils import timezone

from vetq.projects.periods import period_end

STATE_OF_GRANT = {"active": "active", "closed": "closed", "failed": "failed",
                  "withdrawn": "withdrawn"}


def projects_from_grants(apps, schema_editor):
    Grant = apps.get_model("funding", "Grant")
    Project = apps.get_model("projects", "Project")
    ProjectEvent = apps.get_model("projects", "ProjectEvent")
    grants = (Grant.objects.exclude(pk__in=Project.objects.values("grant_id"))
              .select_related("application").order_by("pk"))
    for grant in grants.iterator(chunk_size=500):
        application = grant.application
        starts_on = timezone.localdate(grant.created_at)
        project = Project.objects.create(
            application=application, grant=grant, category_id=grant.category_id,
            institution_id=grant.institution_id, title=application.title,
            lead_name=application.lead_name, goals=application.goals,
            milestones=copy.deepcopy(application.milestones), team=copy.deepcopy(application.team),
            budget=copy.deepcopy(application.budget), state=STATE_OF_GRANT[grant.state],
            starts_on=starts_on, ends_on=period_end(starts_on, grant.construction_years),
        )
        ProjectEvent.objects.create(
            project=project, action="create", by_id=grant.created_by_id,
            after={"migrated": True, "grant": grant.pk, "application": application.pk, "state": project.state,
                   "starts_on": project.starts_on.isoformat(),
                   "ends_on": project.ends_on.isoformat(), "extended_to": None, "rating": ""},
        )


class Migration(migrations.Migration):

    dependencies = [
        ("projects", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(projects_from_grants, migrations.RunPython.noop),
    ]
