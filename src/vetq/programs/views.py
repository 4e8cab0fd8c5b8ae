from django.http import Http404
from django.shortcuts import render
from rules.contrib.views import permission_required

from .queries import current_program, full_target_cost, program_budget, program_progress


@permission_required("programs.manage", raise_exception=True)
def detail(request):
    """The bureau's view of the loaded program: policy file, categories, rules, budget."""
    program = current_program()
    if program is None:
        raise Http404
    return render(
        request,
        "programs/detail.html",
        {
            "program": program,
            "progress": program_progress(program),
            "budget": program_budget(program),
            "full_target_cost": full_target_cost(program),
            "self_funded": program.self_funded_regions.all(),
        },
    )
