"""Issue 5's journey: the bureau sets up a panel, announces its draw and performs it with the
public value; anyone re-runs the draw from its file on the portal; two experts score their
applications (one refused first for a missing required comment); the bureau closes the
panel, ranks, selects and publishes the shortlist; a visitor objects on the portal; the
bureau dismisses the objection and, once the period is over, approves: the application
becomes a project with its grant."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import PASSWORD, InstitutionFactory, MajorFactory, UserFactory, membership
from tests.fixtures_applications import fill_complete
from vetq.applications.models import Application
from vetq.applications.services import application_create, application_transition
from vetq.applications.states import ApplicationState
from vetq.funding.models import Grant
from vetq.institutions.models import Enterprise, Industry
from vetq.reviews import pool, reviewing
from vetq.reviews.models import (
    Assignment,
    Draw,
    Objection,
    ObjectionState,
    Panel,
    PanelState,
    Publicity,
    Review,
    ReviewState,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SOURCE = "中国福利彩票双色球第2020-050期开奖号码（中国福利彩票发行管理中心公布）"
VALUE = "03 07 12 19 25 31 + 09"
GOALS = "目标明确，建设内容与区域产业需求对接紧密。"


def _login(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/accounts/")


def _logout(page):
    page.locator("button.user-name").click()  # the user menu holds the language and log out
    page.locator("form[action$='/accounts/logout/'] button").click()


def _eligible(call_category, *, region, school_name, title, industry, catalogue_code, major_name,
              bureau):
    """An application taken through the workflow by its school, its region and the bureau."""
    school = InstitutionFactory(region=region, name=school_name, type="higher_vocational")
    writer = UserFactory(full_name=f"{school_name}项目管理员")
    membership(writer, "school_user", institution=school)
    officer = UserFactory(full_name=f"{region.name}教育局")
    membership(officer, "region_officer", region=region)
    application = application_create(call_category=call_category, institution=school, by=writer,
                                     title=title)
    major = MajorFactory(institution=school, catalogue_code=catalogue_code, name=major_name)
    fill_complete(application, by=writer, major=major)
    application.industries.set([Industry.objects.get(code=industry)])
    for action, user in (("submit", writer), ("recommend", officer), ("mark_eligible", bureau)):
        application = application_transition(application=application, action=action, by=user)
    return application


def _pool(bureau, schools):
    """Nine experts with accounts and the expert role. 张志强 works at the first school (own
    institution); 周明 declared a conflict with the third (declared): the notice shows both."""
    enterprise = {name: Enterprise.objects.create(name=name, credit_code=code) for name, code in (
        ("无锡华光环保能源集团股份有限公司", "91320200MA1W0001XA"),
        ("无锡透平叶片有限公司", "91320200MA1W0002XB"),
        ("无锡先导智能装备股份有限公司", "91320200MA1W0003XC"),
        ("无锡物联网产业研究院", "91320200MA1W0004XD"),
        ("无锡灵山文化旅游集团有限公司", "91320200MA1W0005XE"),
    )}
    college = InstitutionFactory(name="无锡职业技术学院", type="higher_vocational")
    rows = [
        ("E0101", "王建华", "高级工程师", "无锡华光环保能源集团股份有限公司", "high_end_equipment", "46"),
        ("E0102", "李红梅", "教授", college, "next_gen_it", "51"),
        ("E0103", "张志强", "正高级讲师", schools[0], "high_end_equipment", "46"),
        ("E0104", "陈晓东", "高级工程师", "无锡透平叶片有限公司", "high_end_equipment", "46"),
        ("E0105", "刘芳", "副教授", college, "tourism_leisure", "54"),
        ("E0106", "周明", "高级经济师", "无锡灵山文化旅游集团有限公司", "tourism_leisure", "54"),
        ("E0107", "吴强", "高级工程师", "无锡先导智能装备股份有限公司", "high_end_equipment", "46"),
        ("E0108", "孙丽", "高级工程师", "无锡物联网产业研究院", "next_gen_it", "51"),
        ("E0109", "赵伟", "教授", college, "next_gen_it", "51"),
    ]
    experts = {}
    for code, name, title, employer, industry, group in rows:
        at_school = not isinstance(employer, str)
        expert = pool.expert_create(
            by=bureau, code=code, name=name, title=title,
            employer_institution=employer if at_school else None,
            employer_enterprise=None if at_school else enterprise[employer],
            region=schools[0].region, specialties=[Industry.objects.get(code=industry)],
            major_groups=[group], email=f"{code.lower()}@example.org")
        user = UserFactory(username=f"expert-{code.lower()}", full_name=name)
        pool.expert_link_user(expert=expert, by=bureau, user=user)
        experts[code] = expert
    pool.declaration_add(expert=experts["E0106"], by=bureau, institution=schools[2],
                         reason="近两年为该校旅游专业建设提供过有偿咨询。")
    return experts


def _score(page, scores: dict, *, na=(), comments: dict | None = None):
    for code, value in scores.items():
        page.locator(f"#score-{code}").fill(str(value))
    for code in na:
        page.locator(f"#na-{code}").check()
    for code, text in (comments or {}).items():
        page.locator(f"#comment-{code}").fill(text)


def test_draw_review_rank_select_publicity_objection_approval(
    live_server, page, screenshot, program, call_category, regions, bureau_user,
):
    base = live_server.url
    # A policy variant keeps the journey short: two experts per application and three
    # reserves instead of the policy file's five and five. A panel copies these rules when it
    # is set up, so the panel made in the browser runs under them.
    program.policy["review"].update(experts_per_application=2, reserves=3)
    program.save(update_fields=["policy"])
    brand = call_category("brand_major")
    bureau = bureau_user
    bureau.full_name = "陈静"
    bureau.save(update_fields=["full_name"])
    target = _eligible(brand, region=regions["liangxi"], school_name="无锡机电高等职业技术学校",
                       title="机电一体化技术品牌专业建设", industry="high_end_equipment",
                       catalogue_code="460301", major_name="机电一体化技术", bureau=bureau)
    second = _eligible(brand, region=regions["xishan"], school_name="无锡汽车工程高等职业技术学校",
                       title="物联网应用技术品牌专业建设", industry="next_gen_it",
                       catalogue_code="510102", major_name="物联网应用技术", bureau=bureau)
    third = _eligible(brand, region=regions["huishan"], school_name="无锡旅游商贸高等职业技术学校",
                      title="旅游管理品牌专业建设", industry="tourism_leisure",
                      catalogue_code="540101", major_name="旅游管理", bureau=bureau)
    experts = _pool(bureau, [target.institution, second.institution, third.institution])

    # 1. The bureau sets up the panel for the brand majors' eligible applications.
    _login(page, live_server, bureau.username)
    page.goto(base + reverse("reviews:panel_list"))
    page.locator(f"a[href='{reverse('reviews:panel_create')}']").last.click()
    page.locator("[name=call_category]").select_option(str(brand.pk))
    screenshot("rev-01-panel-new")
    page.locator("form button.btn-primary").click()
    page.wait_for_url("**/reviews/panels/*/")
    panel = Panel.objects.get(call_category=brand)
    assert set(panel.applications.all()) == {target, second, third}
    assert panel.rules["experts_per_application"] == 2

    # 2. It announces the draw: the notice's digest and the conflicts with their reasons.
    expected = timezone.localtime(timezone.now() + timedelta(hours=2)).replace(second=0, microsecond=0)
    page.locator("[name=public_value_source]").fill(SOURCE)
    page.locator("[name=public_value_expected]").fill(expected.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#announce-form button").click()
    expect(page.locator(".alert-success")).to_be_visible()
    draw = Draw.objects.get(panel=panel)
    expect(page.locator("[data-digest]")).to_have_text(draw.inputs_digest)
    conflicts = page.locator("#conflicts")
    expect(conflicts.locator(f"tr[data-application='{target.pk}'][data-expert='E0103']")).to_be_visible()
    expect(conflicts.locator(f"tr[data-application='{third.pk}'][data-expert='E0106']")).to_be_visible()
    screenshot("rev-02-draw-notice")

    # 3. The lottery draw named in the notice takes place two hours later; the test does not
    # wait for it: the notice's times are moved two hours into the past, as if they had passed.
    Draw.objects.filter(pk=draw.pk).update(
        announced_at=draw.announced_at - timedelta(hours=2, minutes=5),
        public_value_expected=draw.public_value_expected - timedelta(hours=2, minutes=5))
    page.reload()
    page.locator("[name=public_value]").fill(VALUE)
    page.locator("#perform-form button").click()
    expect(page.locator(".alert-success")).to_be_visible()
    draw.refresh_from_db()
    expect(page.locator("[data-seed]").first).to_have_text(draw.seed)
    expect(page.locator("#members tbody tr")).to_have_count(len(draw.result["panel"]))
    expect(page.locator("#matrix tbody tr")).to_have_count(3)
    screenshot("rev-03-draw-performed")
    panel.refresh_from_db()
    assert panel.state == PanelState.REVIEWING
    live = Assignment.objects.filter(panel=panel, active=True).select_related("expert", "application")
    assert live.count() == 6
    assert not live.filter(expert__code="E0103", application=target).exists()
    assert not live.filter(expert__code="E0106", application=third).exists()
    _logout(page)

    # 4. Anyone opens the published draw, downloads its file and re-runs it on the portal.
    page.goto(base + reverse("public:draw_list"))
    page.locator(f"a[href='{reverse('public:draw_detail', args=[draw.pk])}']").click()
    expect(page.locator("#panel-codes")).to_have_text(", ".join(draw.result["panel"]))
    expect(page.locator("body")).not_to_contain_text("张志强")  # codes only, never names
    screenshot("rev-04-public-draw")
    with page.expect_download() as download_info:
        page.locator(f"a[href='{reverse('public:draw_file', args=[draw.pk])}']").click()
    drawn_file = download_info.value.path()
    page.locator(f"a[href='{reverse('public:draw_verify')}']").first.click()
    page.locator("[name=file]").set_input_files(drawn_file)
    page.locator("form[enctype] button").click()
    expect(page.locator("#verdict")).to_have_attribute("data-match", "true")
    screenshot("rev-05-verify-match")
    # One byte changed in the file's inputs: no match, and the digest difference is named.
    data = drawn_file.read_bytes()
    assert data.count(b'"load_max": 10') == 1
    page.locator("[name=file]").set_input_files(files=[{
        "name": "draw-changed.json", "mimeType": "application/json",
        "buffer": data.replace(b'"load_max": 10', b'"load_max": 19')}])
    page.locator("form[enctype] button").click()
    expect(page.locator("#verdict")).to_have_attribute("data-match", "false")
    expect(page.locator("#verdict")).to_contain_text(draw.inputs_digest)
    screenshot("rev-06-verify-no-match")

    # 5. Two experts score through the review form: the first one reviewing the target
    # application forgets the required comment on the goals and is refused, then submits.
    on_target = list(live.filter(application=target).order_by("expert__code"))
    first = on_target[0]
    second_assignment = next(a for a in live.filter(application__in=[target, second])
                             .exclude(expert=first.expert).order_by("application_id", "expert__code"))
    _login(page, live_server, first.expert.user.username)
    expect(page.locator(f"#expert-assignments tr[data-assignment='{first.pk}']")).to_be_visible()
    # Never who else reviews: the other reviewer's name is nowhere on the expert's pages.
    other = on_target[1].expert
    expect(page.locator("body")).not_to_contain_text(other.name)
    screenshot("rev-07-expert-home")
    page.goto(base + reverse("reviews:my_profile"))
    expect(page.locator("#declarations")).to_be_visible()
    screenshot("rev-08-expert-profile")
    page.goto(base + reverse("reviews:my_assignments"))
    page.locator(f"a[href='{reverse('reviews:review_edit', args=[first.pk])}']").first.click()
    _score(page, {"basis": 9, "goals": 9, "industry": 8, "measures": 8, "budget": 9})
    page.locator("button[name=action][value=submit]").click()
    expect(page.locator("#review-refusal")).to_be_visible()
    screenshot("rev-09-review-refused")
    assert not Review.objects.filter(assignment=first).exists()
    page.locator("#comment-goals").fill(GOALS)
    page.locator("#review-comment").fill("专业定位清晰，校企合作基础扎实，建议加强师资培养。")
    page.locator("button[name=action][value=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("[data-review-state=submitted]")).to_be_visible()
    expect(page.locator("#review-total")).to_have_text("86.50")
    screenshot("rev-10-review-submitted")
    _logout(page)

    _login(page, live_server, second_assignment.expert.user.username)
    page.goto(base + reverse("reviews:review_edit", args=[second_assignment.pk]))
    # No partner enterprise to judge here: "not applicable" leaves the criterion out of the
    # total, the other weights rescaled (never a zero).
    _score(page, {"basis": 8, "goals": 8, "measures": 7, "budget": 8}, na=["industry"],
           comments={"goals": GOALS})
    page.locator("button[name=action][value=submit]").click()
    expect(page.locator("[data-review-state=submitted]")).to_be_visible()
    _logout(page)

    # The panel's other reviews are submitted through the service, as their experts would:
    # the target and the second application score well, the third stays below the policy's
    # minimum of 60 points.
    sheets = {target.pk: [(8, 8, 9, 7, 8), (9, 8, 8, 8, 7)],
              second.pk: [(7, 7, 8, 6, 7), (8, 7, 7, 7, 6)],
              third.pk: [(5, 6, 4, 5, 5), (6, 5, 5, 4, 6)]}
    for assignment in live.exclude(pk__in=[first.pk, second_assignment.pk]):
        scores = sheets[assignment.application_id].pop()
        reviewing.review_submit(
            assignment=assignment, by=assignment.expert.user,
            scores=dict(zip(("basis", "goals", "industry", "measures", "budget"), scores, strict=True)),
            comments={"goals": "建设目标基本明确，部分内容有待细化。"})
    assert all(a.review.state == ReviewState.SUBMITTED for a in live)

    # 6. The bureau closes the round, reads the ranking, runs the selection and publishes it.
    _login(page, live_server, bureau.username)
    page.goto(base + reverse("reviews:panel_progress", args=[panel.pk]))
    expect(page.locator(f"#application-{target.pk} [data-submitted]")).to_have_text("2/2")
    screenshot("rev-11-progress")
    page.locator(f"form[action='{reverse('reviews:panel_close', args=[panel.pk])}'] button").click()
    page.wait_for_url(f"**{reverse('reviews:ranking', args=[brand.pk])}")
    ranks = page.locator("#ranking > tbody > tr")
    expect(ranks).to_have_count(3)
    expect(ranks.nth(0)).to_have_attribute("data-application", str(target.pk))
    expect(ranks.nth(2)).to_have_attribute("data-application", str(third.pk))
    ranks.nth(0).locator("summary").click()
    screenshot("rev-12-ranking")

    # After the round the bureau rates the panel's experts; the pool keeps their history.
    page.goto(base + reverse("reviews:panel_ratings", args=[panel.pk]))
    for code, score, comment in (
        (first.expert.code, "5", "评审意见具体，按时提交。"),
        (second_assignment.expert.code, "4", ""),
    ):
        row = page.locator(f"#ratings tr[data-code='{code}']")
        row.locator("select").select_option(score)
        row.locator("input").fill(comment)
    page.locator("form button.btn-primary").click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert first.expert.ratings.get(panel=panel).score == 5
    screenshot("rev-13-expert-ratings")

    page.goto(base + reverse("reviews:selection_list", args=[brand.call_id]))
    page.locator(f"form[action='{reverse('reviews:selection_run', args=[brand.call_id])}'] button").click()
    page.wait_for_url("**/reviews/selections/*/")
    expect(page.locator(f"tr[data-application='{target.pk}'] [data-selected]")).to_contain_text("✓")
    expect(page.locator(f"tr[data-application='{third.pk}'] [data-selected]")).to_contain_text("✗")
    screenshot("rev-14-selection")
    page.locator("form[action$='/publicity/'] button").click()
    page.wait_for_url("**/reviews/publicity/*/")
    publicity = Publicity.objects.get(call=brand.call)
    target.refresh_from_db()
    assert target.state == ApplicationState.IN_PUBLICITY
    _logout(page)

    # 7. A visitor of the portal objects to the target application, under a real name.
    page.goto(base + reverse("public:publicity_list"))
    page.locator(f"a[href='{reverse('public:publicity_detail', args=[publicity.pk])}']").first.click()
    expect(page.locator(f"#publicity-list tr[data-application='{target.pk}']")).to_be_visible()
    screenshot("rev-15-publicity-portal")
    page.locator(f"#publicity-list tr[data-application='{target.pk}'] a").click()
    page.locator("[name=name]").fill("钱立新")
    page.locator("[name=organisation]").fill("无锡市某职业学校")
    page.locator("[name=contact]").fill("13861800000")
    page.locator("[name=grounds]").fill("该校申报材料中所列合作企业的实训设备投入金额与实际情况不符，请予核查。")
    screenshot("rev-16-objection-form")
    page.locator("form button.btn-primary").click()
    expect(page.locator(".alert-success")).to_be_visible()
    objection = Objection.objects.get(publicity=publicity)
    assert (objection.application, objection.state) == (target, ObjectionState.OPEN)

    # 8. The bureau checks and dismisses it with its reason.
    _login(page, live_server, bureau.username)
    page.goto(base + reverse("reviews:publicity_manage", args=[publicity.pk]))
    form = page.locator(f"form[action='{reverse('reviews:objection_decide', args=[objection.pk])}']")
    form.locator("[name=decision]").select_option("dismiss")
    form.locator("[name=reason]").fill("经核查，合作企业出具的设备投入凭证与申报书一致，异议不成立。")
    form.locator("button").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator(f"[data-objection='{objection.pk}']")).to_have_attribute("data-state", "dismissed")
    screenshot("rev-17-objection-dismissed")

    # 9. The seven days of publicity pass: the test moves the period into the past instead of
    # waiting. The bureau approves; the target application becomes a project with its grant.
    Publicity.objects.filter(pk=publicity.pk).update(
        starts_at=timezone.now() - timedelta(days=8), ends_at=timezone.now() - timedelta(minutes=1))
    page.reload()
    page.locator(f"form[action='{reverse('reviews:publicity_approve', args=[publicity.pk])}'] button").click()
    report = page.locator("#approval-report")
    expect(report.locator("[data-outcome=approved]")).to_have_count(2)
    expect(report).to_contain_text(target.title)
    screenshot("rev-18-approved")
    target.refresh_from_db()
    third.refresh_from_db()
    assert target.state == ApplicationState.APPROVED
    assert third.state == ApplicationState.REJECTED
    grant = Grant.objects.get(application=target)
    assert sum(t.amount for t in grant.tranches.all()) == Decimal("100000.00")
    page.goto(base + reverse("applications:detail", args=[target.pk]))
    grant_link = page.locator(f"a[href='{reverse('funding:grant_detail', args=[grant.pk])}']")
    expect(grant_link.first).to_be_visible()
    screenshot("rev-19-application-approved")
    assert [e.action for e in Application.objects.get(pk=target.pk).events.all()] == [
        "submit", "recommend", "mark_eligible", "start_review", "finish_review", "shortlist",
        "publish", "approve"]
    assert json.loads(data)["seed"] == draw.seed
    assert experts["E0103"].assignments.filter(application=target).count() == 0
