"""Selections and publicity in the JSON API (read only).

GET /selections/{id}: the bureau's — inputs, digest, seed, result and overrides, so anyone
with the document can re-run `selection.select(inputs, seed)`; anyone else gets 404.
GET /publicity: the publicities open now with their lists (what the portal shows).
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema

from vetq.accounts import scoping
from vetq.accounts.roles import Role

from ..models import Publicity, Selection
from ..selecting import published_ids
from ..selection_queries import publicity_list

router = Router(tags=["reviews"])


class OverrideOut(Schema):
    application: int
    include: bool
    reason: str
    by: str
    at: datetime


class SelectionOut(Schema):
    id: int
    call: int
    state: str
    algorithm_version: str
    inputs_digest: str
    seed: str
    inputs: dict[str, Any]
    result: dict[str, Any]
    overrides: list[OverrideOut]
    published: list[int]
    created_at: datetime


class ListedOut(Schema):
    application: int
    title: str
    institution: str
    category: str
    rank: int
    score: Decimal | None
    state: str
    override_reason: str | None


class PublicityOut(Schema):
    id: int
    call: int
    title: str
    starts_at: datetime
    ends_at: datetime
    inputs_digest: str
    seed: str
    applications: list[ListedOut]


@router.get("/selections/{pk}", response=SelectionOut)
def get_selection(request, pk: int):
    """A selection with everything needed to re-run it (bureau only; 404 for anyone else)."""
    if not scoping.has_role(request.user, Role.BUREAU_ADMIN):
        raise Http404
    selection = get_object_or_404(Selection, pk=pk)
    overrides = list(selection.overrides.select_related("by").order_by("at", "pk"))
    return SelectionOut(
        id=selection.pk, call=selection.call_id, state=selection.state,
        algorithm_version=selection.algorithm_version, inputs_digest=selection.inputs_digest,
        seed=selection.seed, inputs=selection.inputs, result=selection.result,
        overrides=[OverrideOut(application=o.application_id, include=o.include, reason=o.reason,
                               by=o.by.get_username(), at=o.at) for o in overrides],
        published=published_ids(selection, overrides), created_at=selection.created_at,
    )


@router.get("/publicity", response=list[PublicityOut])
def list_publicity(request):
    """The publicities open now, with their lists and the overrides' reasons."""
    now = timezone.now()
    open_now = Publicity.objects.filter(closed_at__isnull=True, starts_at__lte=now, ends_at__gte=now) \
        .select_related("selection__call").order_by("-starts_at", "-pk")
    return [
        PublicityOut(
            id=p.pk, call=p.call_id, title=p.title, starts_at=p.starts_at, ends_at=p.ends_at,
            inputs_digest=p.selection.inputs_digest, seed=p.selection.seed,
            applications=[ListedOut(
                application=e.application.pk, title=e.application.title,
                institution=e.application.institution.name,
                category=e.category.code if e.category else "", rank=e.rank, score=e.score,
                state=e.application.state, override_reason=e.override.reason if e.override else None,
            ) for e in publicity_list(p)],
        )
        for p in open_now
    ]
