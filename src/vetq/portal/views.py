from django.shortcuts import render

from vetq.programs.queries import current_program, full_target_cost, program_budget, program_progress


def home(request):
    """The public portal: the program, its categories, targets and subsidy rules."""
    program = current_program()
    context = {"program": program}
    if program is not None:
        context.update(
            progress=program_progress(program),
            budget=program_budget(program),
            full_target_cost=full_target_cost(program),
            self_funded=list(program.self_funded_regions.all()),
        )
    return render(request, "portal/home.html", context)
