"""factory_boy factories with no surprises: every field a test does not set is plain and valid."""

import factory
from django.contrib.auth.hashers import make_password

from vetq.accounts.models import Membership, User
from vetq.institutions.models import Department, Institution, Major, Region

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.LazyFunction(lambda: make_password(PASSWORD))


def _department():
    return Department.objects.get_or_create(code="education", defaults={"name": "市教育局"})[0]


def _region():
    return Region.objects.get_or_create(
        code="liangxi", defaults={"name": "梁溪区", "kind": "district"}
    )[0]


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    code = factory.Sequence(lambda n: f"41320{n:05d}")
    name = factory.Sequence(lambda n: f"无锡市测试职业学校{n}")
    type = "secondary_vocational"
    region = factory.LazyFunction(_region)
    supervising_department = factory.LazyFunction(_department)


class MajorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Major

    institution = factory.SubFactory(InstitutionFactory)
    catalogue_code = factory.Sequence(lambda n: f"66{n:04d}")
    name = factory.Sequence(lambda n: f"机电技术应用{n}")


def membership(user, role, **scope) -> Membership:
    from vetq.accounts.services import membership_grant

    return membership_grant(user=user, role=role, **scope)


class ExpertFactory(factory.django.DjangoModelFactory):
    """A pool expert employed by a new school (Liangxi), active, with no account."""

    class Meta:
        model = "reviews.Expert"

    code = factory.Sequence(lambda n: f"E{n + 1:04d}")
    name = factory.Sequence(lambda n: f"专家{n}")
    title = "高级讲师"
    employer_institution = factory.SubFactory(InstitutionFactory)
    employer_enterprise = None
    region = factory.LazyAttribute(
        lambda e: (e.employer_institution or e.employer_enterprise).region
        if (e.employer_institution or e.employer_enterprise) else None
    )
    major_groups = factory.LazyFunction(list)
