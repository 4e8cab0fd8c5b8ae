"""What the acceptance part of a project page needs beyond the project: the policy's score
bands and empty forms for the bureau."""

from django import template
from django.utils import timezone

from ..acceptance import score_text
from ..forms_acceptance import AcceptanceForm, RecoveryDecisionForm
from ..services import project_rules

register = template.Library()


@register.simple_tag
def acceptance_bands(project):
    """The [projects] rules of the project's program (excellent_from, pass_from)."""
    return project_rules(project.category.program)


@register.simple_tag
def acceptance_form():
    return AcceptanceForm(auto_id="acc-%s")


@register.simple_tag
def recovery_form():
    return RecoveryDecisionForm(initial={"on": timezone.localdate()}, auto_id="rec-%s")


@register.filter
def score(value):
    """85.00 → '85', 90.50 → '90.5'."""
    return score_text(value) if value is not None else ""
