from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from vetq.programs.calls import public_calls, with_categories
from vetq.programs.models import CallState
from vetq.programs.queries import current_program, full_target_cost, program_budget, program_progress


def home(request):
    """The public portal: the program, its categories, targets and subsidy rules, and the
    calls open now."""
    program = current_program()
    context = {
        "program": program,
        "open_calls": public_calls().filter(state=CallState.PUBLISHED).order_by("submission_deadline"),
    }
    if program is not None:
        context.update(
            progress=program_progress(program),
            budget=program_budget(program),
            full_target_cost=full_target_cost(program),
            self_funded=list(program.self_funded_regions.all()),
        )
    return render(request, "portal/home.html", context)


@require_safe
def calls(request):
    """Published and closed calls, newest first, with their deadlines and open categories."""
    return render(request, "portal/calls.html", {"calls": with_categories(public_calls())})


@require_safe
def call_detail(request, pk: int):
    """A published or closed call's notice, deadlines, categories and attachments. A draft
    does not exist on the portal (404)."""
    call = get_object_or_404(with_categories(public_calls()), pk=pk)
    attachments = call.attachments.select_related("file").order_by("pk")
    return render(request, "portal/call_detail.html", {"call": call, "attachments": attachments})
