"""The demo's expert review (评审): the finished rounds of the past calls and the work going on
now, so every review page has something real to show — the pool with its ratings, panels in
every state, draws anyone can verify, an expert with reviews to do, rankings, selections,
publicities closed and one open with an objection, an application waiting for a panel.

The past rounds are in review_history.py, the live ones in review_live.py, their dates and
scores in review_plan.py. A round whose applications are on a panel already is left alone,
so a second run adds nothing.
"""

from dataclasses import dataclass

from django.utils import timezone

from vetq.accounts.models import User
from vetq.accounts.roles import Role
from vetq.institutions.models import Industry, Institution, Region
from vetq.programs.models import Program

from .accounts import ACCOUNTS
from .plan import DemoPlan
from .review_accounts import Reviewers
from .review_history import past_rounds_write
from .review_live import live_rounds_write, waiting_write


@dataclass(frozen=True)
class ReviewsResult:
    panels: int = 0
    reviewing: int = 0  # of the panels, under review now
    announced: int = 0  # with the draw announced, its value to come
    draft: int = 0
    reviews: int = 0
    ratings: int = 0
    selections: int = 0
    publicities: int = 0
    open_publicities: int = 0
    objections: int = 0
    not_selected: int = 0  # past applications rejected as not selected
    waiting: int = 0  # eligible applications added to the live year's call
    reviewers: int = 0  # expert accounts created

    @property
    def changed(self) -> bool:
        return any(getattr(self, name) for name in self.__dataclass_fields__)

    def summary(self) -> str:
        closed = self.panels - self.reviewing - self.announced - self.draft
        return (
            f"review rounds: added {self.panels} panels ({closed} closed, {self.reviewing} "
            f"under review, {self.announced} with its draw announced, {self.draft} draft) with "
            f"{self.reviews} reviews and {self.ratings} expert ratings, {self.selections} "
            f"selections with their publicities ({self.open_publicities} open) and "
            f"{self.objections} objections, {self.not_selected} applications not selected "
            f"and {self.waiting} waiting for review; and {self.reviewers} expert accounts who "
            "review in them (expert_<code>; same password)"
        )


def reviews_write(plan: DemoPlan, *, program: Program, schools: dict[str, Institution],
                  regions: dict[str, Region], industries: dict[str, Industry]) -> ReviewsResult:
    """Write the review rounds that are not there yet; return what was added."""
    bureau = User.objects.get(username=next(a.username for a in ACCOUNTS
                                            if a.role == Role.BUREAU_ADMIN))
    now = timezone.now()
    reviewers = Reviewers()
    past = past_rounds_write(program, bureau=bureau, reviewers=reviewers)
    live = live_rounds_write(program, plan, bureau=bureau, reviewers=reviewers, now=now)
    waiting = waiting_write(program, plan, bureau=bureau, now=now, schools=schools,
                            regions=regions, industries=industries)
    reviewers.audit(bureau=bureau)
    return ReviewsResult(
        panels=past.panels + live.panels + waiting.panels, reviewing=live.reviewing,
        announced=waiting.announced, draft=waiting.draft,
        reviews=past.reviews + live.reviews, ratings=past.ratings,
        selections=past.selections + live.selections,
        publicities=past.publicities + live.publicities, open_publicities=live.publicities,
        objections=past.objections + live.objections, not_selected=past.rejected,
        waiting=waiting.waiting, reviewers=reviewers.created,
    )
