"""Draws and panels in the JSON API. A draw is public once announced (the portal shows it):
any caller of the API reads /draws and a draw's file at /draws/{id} — the same document the
portal offers for download and `draws verify` reads. Panels are the bureau's: anyone else
gets 403 on /panels."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from vetq.accounts import scoping
from vetq.accounts.roles import Role

from ..models import Draw
from ..panel_queries import draw_export, draws_public, panels_listed

router = Router(tags=["reviews"])


class Refusal(Schema):
    detail: list[str]


class DrawOut(Schema):
    id: int
    panel: str
    call: str
    year: int
    category: str
    algorithm_version: str
    inputs_digest: str
    public_value_source: str
    public_value_expected: datetime
    announced_at: datetime
    performed: bool
    public_value: str
    seed: str
    performed_at: datetime | None

    @staticmethod
    def resolve_panel(obj: Draw) -> str:
        return obj.panel.name

    @staticmethod
    def resolve_call(obj: Draw) -> str:
        return obj.panel.call_category.call.title

    @staticmethod
    def resolve_year(obj: Draw) -> int:
        return obj.panel.call_category.call.year

    @staticmethod
    def resolve_category(obj: Draw) -> str:
        return obj.panel.call_category.category.code

    @staticmethod
    def resolve_performed(obj: Draw) -> bool:
        return obj.performed_at is not None


class PanelOut(Schema):
    id: int
    name: str
    call: str
    year: int
    category: str
    state: str
    applications: int
    assigned: int
    submitted: int
    review_deadline: datetime
    draw: int | None
    inputs_digest: str | None

    @staticmethod
    def resolve_call(obj) -> str:
        return obj.call_category.call.title

    @staticmethod
    def resolve_year(obj) -> int:
        return obj.call_category.call.year

    @staticmethod
    def resolve_category(obj) -> str:
        return obj.call_category.category.code

    @staticmethod
    def resolve_applications(obj) -> int:
        return obj.n_applications

    @staticmethod
    def resolve_assigned(obj) -> int:
        return obj.n_assigned

    @staticmethod
    def resolve_submitted(obj) -> int:
        return obj.n_submitted

    @staticmethod
    def _draw(obj) -> Draw | None:
        try:
            return obj.draw
        except Draw.DoesNotExist:
            return None

    @staticmethod
    def resolve_draw(obj) -> int | None:
        draw = PanelOut._draw(obj)
        return draw.pk if draw is not None else None

    @staticmethod
    def resolve_inputs_digest(obj) -> str | None:
        draw = PanelOut._draw(obj)
        return draw.inputs_digest if draw is not None else None


@router.get("/draws", response=list[DrawOut])
@paginate
def list_draws(request):
    """Announced draws, newest first: digest, the public value named and, once performed, the
    value and seed."""
    return draws_public()


@router.get("/draws/{pk}", response=dict)
def get_draw(request, pk: int):
    """The draw file: inputs, digest, public value, seed and result."""
    return draw_export(get_object_or_404(Draw, pk=pk))


@router.get("/panels", response={200: list[PanelOut], 403: Refusal})
def list_panels(request):
    """Every panel with its state, counts and draw (the bureau only)."""
    if not scoping.has_role(request.user, Role.BUREAU_ADMIN):
        return Status(403, {"detail": [_("Only the city education bureau may read panels.")]})
    return list(panels_listed())
