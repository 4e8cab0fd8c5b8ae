"""The accounts of the demo experts who review: an expert scores in vetq under its own account.

An expert drawn for a demo panel that has none is given `expert_<code>` (expert_e0042), with
the demo password so a visitor may sign in as it, and the expert role through
`membership_grant` (audited), as `pool.expert_link_user` does; the links are summed up in one
audit entry. The demo `expert` account is E0001's.
"""

from collections.abc import Iterable

from vetq.accounts.models import User
from vetq.accounts.roles import Role
from vetq.accounts.services import membership_grant
from vetq.audit.services import audit_log
from vetq.reviews.models import Expert

from .accounts import demo_password_hash


def reviewer_username(expert: Expert) -> str:
    return f"expert_{expert.code.lower()}"


class Reviewers:
    """Gives accounts to experts that have none, counting those it creates."""

    def __init__(self):
        self.created = 0
        self.linked: dict[str, str] = {}  # expert code -> username

    def give(self, experts: Iterable[Expert], *, bureau: User) -> list[Expert]:
        """Link an account to each of `experts` without one; return those given one."""
        given = []
        for expert in experts:
            if expert.user_id is not None:
                continue
            username = reviewer_username(expert)
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create(username=username, full_name=expert.name,
                                           email=f"{username}@example.org",
                                           password=demo_password_hash())
                self.created += 1
            elif Expert.objects.filter(user=user).exists():
                continue  # the name is another expert's account: leave this one without
            Expert.objects.filter(pk=expert.pk).update(user=user)
            expert.user = user
            membership_grant(user=user, role=Role.EXPERT, by=bureau)
            self.linked[expert.code] = username
            given.append(expert)
        return given

    def audit(self, *, bureau: User) -> None:
        """One audit entry for the accounts linked (pool.expert_link_user writes one each)."""
        if self.linked:
            audit_log(action="demo.history", actor=bureau, object_type="reviews.expert",
                      after={"expert_accounts": self.linked,
                             "note": "accounts of the demo experts who review"})
