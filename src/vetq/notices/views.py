from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .kinds import render as render_notice
from .models import Notice
from .services import notice_mark_read


@login_required
def notice_list(request):
    """The signed-in user's notices, newest first, each rendered in the reader's language."""
    page = Paginator(Notice.objects.filter(user=request.user), 30).get_page(request.GET.get("page"))
    for notice in page:
        notice.text = render_notice(notice.kind, notice.params)
    return render(request, "notices/list.html", {"page": page})


@login_required
@require_POST
def notice_read(request):
    """Mark one notice (or all) read, then follow its link."""
    ids = [int(i) for i in request.POST.getlist("notice") if i.isdigit()] or None
    notice_mark_read(user=request.user, notice_ids=ids)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "notices:list"
    return redirect(target)
