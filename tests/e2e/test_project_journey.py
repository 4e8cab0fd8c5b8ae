"""Issue 6's journey: a master teacher studio (R18: 3 × 20,000 a year and a 50,000 bonus on an
excellent acceptance, 110,000 in all), approved a little over two years ago, files its two
yearly progress reports (the bureau returns the first, the school revises it); the bureau
accepts them; a mid-term check round: the school's self-assessment, the expert panel drawn
on a public value, an expert scoring the project's material with the mid-term rubric, the
result "pass"; the acceptance round: the school's summary report and self-assessment, the
experts' scores of 90 and more, the rating "excellent": the bonus tranche becomes payable.

The project is set up as the integration tests set theirs up (an application in publicity
approved through `funding.grants.application_approve`, the experts of the check tests'
pool), with its start moved back so that both yearly reports are due today."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import PASSWORD, InstitutionFactory, UserFactory, membership
from tests.funding.conftest import in_publicity  # noqa: F401 (a fixture)
from tests.projects.checks.conftest import reviewers  # noqa: F401 (a fixture)
from vetq.funding.grants import application_approve
from vetq.funding.ledger import tranche_payable_amount
from vetq.funding.models import TrancheCondition
from vetq.projects.models import (
    CheckEntry,
    CheckKind,
    CheckRound,
    ProgressReport,
    Project,
    ProjectState,
    Rating,
    ReportState,
)
from vetq.projects.periods import years_after
from vetq.reviews.models import Assignment, Draw, Panel, PanelState
from vetq.reviews.reviewing import review_submit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROUND_PAGE = re.compile(r"/projects/checks/\d+/$")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SOURCE = "中国福利彩票双色球第2026-138期开奖号码（中国福利彩票发行管理中心公布）"
VALUES = {CheckKind.MIDTERM: "02 09 14 21 27 30 + 11", CheckKind.ACCEPTANCE: "05 08 16 22 29 33 + 04"}
TEAM = [{"name": "李娟", "title": "讲师", "unit": "无锡机电高等职业技术学校", "role": "骨干成员"},
        {"name": "王磊", "title": "高级技师", "unit": "无锡透平叶片有限公司", "role": "企业导师"}]
BUDGET = [{"item": "training", "amount": "30000.00", "school": "10000.00", "partner": "0.00"},
          {"item": "materials", "amount": "20000.00", "school": "0.00", "partner": "0.00"},
          {"item": "experts", "amount": "10000.00", "school": "0.00", "partner": "0.00"}]


def _login(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/accounts/")


def _logout(page):
    page.locator("button.user-name").click()  # the user menu holds the language and log out
    page.locator("form[action$='/accounts/logout/'] button").click()


def _pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def _studio(application_in_publicity, regions, bureau):
    """The studio's project, approved two years and ten days ago (so construction years 1 and
    2 are over and their reports due), with its plan: milestones by calendar year from the
    start, the lead teacher, the team and the budget plan."""
    school = InstitutionFactory(region=regions["liangxi"], name="无锡机电高等职业技术学校",
                                type="higher_vocational")
    application = application_in_publicity("master_teacher_studio", institution=school,
                                           title="数控加工张明名师工作室")
    today = timezone.localdate()
    start = years_after(today, -2) - timedelta(days=10)
    grant = application_approve(application=application, by=bureau, today=start)
    y = start.year
    Project.objects.filter(grant=grant).update(
        lead_name="张明", team=TEAM, budget=BUDGET,
        goals="建成市级示范名师工作室：培养青年骨干教师6名，开发数控加工模块化课程3门，"
              "面向区域中职学校开展示范培训不少于200人次。",
        milestones=[{"year": y, "text": "组建工作室团队，制定三年研修计划"},
                    {"year": y, "text": "完成数控加工课程模块开发方案"},
                    {"year": y + 1, "text": "开发模块化课程2门，青年教师技能竞赛获奖"},
                    {"year": y + 2, "text": "面向区域开展示范培训，形成建设总结"}])
    school_user = UserFactory(username="school-studio", full_name="无锡机电高职项目管理员")
    membership(school_user, "school_user", institution=school)
    return Project.objects.select_related("grant").get(grant=grant), school_user


def _report(page, *, text, reached, figures, notes, spending: dict):
    """Fill the open report's form: the text, each milestone's row, the spending per item."""
    page.locator("#report-text").fill(text)
    for index, (done, figure, note) in enumerate(zip(reached, figures, notes, strict=True)):
        page.locator(f"#report-m{index}-reached").set_checked(done)
        page.locator(f"#report-m{index}-figure").fill(figure)
        page.locator(f"#report-m{index}-note").fill(note)
    for item, amount in spending.items():
        page.locator(f"#report-item-{item}").fill(amount)


def _panel_drawn(page, base, check_round, shot=None):
    """On the round page the bureau sets up the expert panel, announces its draw on the panel
    page and, once the public value is out, enters it and performs the draw."""
    page.goto(base + reverse("projects:check_round_detail", args=[check_round.pk]))
    page.locator("[data-panel-form] button").click()
    page.wait_for_url("**/reviews/panels/*/")
    panel = Panel.objects.get(check_round=check_round)
    expected = timezone.localtime(timezone.now() + timedelta(hours=2)).replace(second=0, microsecond=0)
    page.locator("[name=public_value_source]").fill(SOURCE)
    page.locator("[name=public_value_expected]").fill(expected.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#announce-form button").click()
    expect(page.locator(".alert-success")).to_be_visible()
    # The lottery draw named in the notice takes place two hours later; the test does not
    # wait: the notice's times are moved into the past, as if they had passed.
    draw = Draw.objects.get(panel=panel)
    Draw.objects.filter(pk=draw.pk).update(
        announced_at=draw.announced_at - timedelta(hours=2, minutes=5),
        public_value_expected=draw.public_value_expected - timedelta(hours=2, minutes=5))
    page.reload()
    page.locator("[name=public_value]").fill(VALUES[check_round.kind])
    page.locator("#perform-form button").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("#members tbody tr")).to_have_count(5)  # the policy's five experts
    if shot:
        shot()
    panel.refresh_from_db()
    assert panel.state == PanelState.REVIEWING
    return panel


def _expert_scores(page, live_server, assignment, scores: dict, comments: dict, summary: str):
    """The expert logs in, opens the assignment from its list and types its scores and
    comments (the caller submits them)."""
    base = live_server.url
    _login(page, live_server, assignment.expert.user.username)
    page.goto(base + reverse("reviews:my_assignments"))
    page.locator(f"a[href='{reverse('reviews:review_edit', args=[assignment.pk])}']").first.click()
    expect(page.locator("#check-material")).to_be_visible()
    for code, value in scores.items():
        page.locator(f"#score-{code}").fill(str(value))
    for code, text in comments.items():
        page.locator(f"#comment-{code}").fill(text)
    page.locator("#review-comment").fill(summary)


def _close_collect_record(page, base, panel, check_round, project, result: str, comment: str):
    """The bureau closes the panel (all reviews are in), collects its scores on the round page
    and records the project's result on its entry page."""
    page.goto(base + reverse("reviews:panel_progress", args=[panel.pk]))
    page.locator(f"form[action='{reverse('reviews:panel_close', args=[panel.pk])}'] button").click()
    page.wait_for_url(f"**{reverse('projects:check_round_detail', args=[check_round.pk])}")
    page.locator("[data-collect]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    entry = CheckEntry.objects.get(round=check_round, project=project)
    row = page.locator(f"#check-entries tr[data-entry='{entry.pk}']")
    expect(row.locator("[data-suggested]")).to_have_attribute("data-suggested", result)
    row.locator(f"a[href='{reverse('projects:check_entry', args=[entry.pk])}']").click()
    form = page.locator("#result-form")
    expect(form.locator("[name=result]")).to_have_value(result)  # what the bands give
    form.locator("[name=comment]").fill(comment)
    form.locator("button").click()
    page.wait_for_url(f"**{reverse('projects:check_round_detail', args=[check_round.pk])}")
    expect(row.locator("[data-result]")).to_have_attribute("data-result", result)
    return entry


def _open_round(page, base, kind: str, cohort):
    page.goto(base + reverse("projects:check_round_list"))
    page.locator(f"a[href='{reverse('projects:check_round_create')}?kind={kind}']").click()
    expect(page.locator("#check-round-form [name=kind]")).to_have_value(kind)
    page.locator("#check-round-form [name=call_category]").select_option(str(cohort.pk))


def test_studio_reports_midterm_acceptance_and_bonus(
    live_server, page, screenshot, in_publicity, regions, bureau_user, reviewers,  # noqa: F811
):
    base = live_server.url
    bureau_user.full_name = "陈静"
    bureau_user.save(update_fields=["full_name"])
    project, school = _studio(in_publicity, regions, bureau_user)
    cohort = project.application.call_category
    # The pool of the check tests: experts of Xishan (a studio's experts come from another
    # region than its school, a rule of the policy). Five score the mid-term check; they are
    # not drawn again for the same project's acceptance, so five others score that.
    reviewers(16)
    assert [r.year for r in project.reports.order_by("year")] == [1, 2]
    assert sum(t.amount for t in project.grant.tranches.all()) == Decimal("110000.00")

    # 1. The school files the report on construction year 1: text, milestones, spending and
    # an evidence file; saved first, the file added, then submitted.
    _login(page, live_server, school.username)
    page.goto(base + reverse("projects:detail", args=[project.pk]))
    page.locator("#reports tr[data-report='1'] [data-report-link]").click()
    _report(page, text="组建了由6名青年教师和2名企业技师组成的工作室团队，制定了三年研修计划；"
                        "完成数控加工课程模块开发方案论证，开展校内研修活动12次。",
            reached=[True, False], figures=["团队8人", "方案初稿"],
            notes=["企业导师2名", "待专家论证后定稿"],
            spending={"training": "8,500", "materials": "3200"})
    screenshot("prj-01-report-form")
    page.locator("[data-save]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    page.locator("#evidence-file").set_input_files(files=[_pdf("第一年度研修活动记录.pdf")])
    page.locator("[data-evidence] form[enctype] button").click()
    expect(page.locator("#evidence-files [data-file]")).to_have_count(1)
    expect(page.locator("#report-text")).to_have_value(  # what was saved is shown again
        "组建了由6名青年教师和2名企业技师组成的工作室团队，制定了三年研修计划；"
        "完成数控加工课程模块开发方案论证，开展校内研修活动12次。")
    page.locator("[data-submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("[data-state]").first).to_have_attribute("data-state", "submitted")
    expect(page.locator("#spending [data-spending]")).to_have_text("1.17万元")
    screenshot("prj-02-report-submitted")

    # The report on year 2, saved and submitted at once.
    page.locator("[data-project-link]").click()
    page.locator("#reports tr[data-report='2'] [data-report-link]").click()
    _report(page, text="开发数控车削、多轴加工两门模块化课程并在两个班级试用；"
                       "工作室成员获市职业院校技能大赛教师组一等奖1项。",
            reached=[True], figures=["课程2门，获奖1项"], notes=["课程资源已上线校内平台"],
            spending={"training": "12000", "materials": "9800", "experts": "4000"})
    page.locator("[data-submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    page.locator("[data-project-link]").click()
    expect(page.locator("#reports tr[data-report-state=submitted]")).to_have_count(2)
    _logout(page)

    # 2. The bureau returns the first report with what to revise and accepts the second.
    first, second = (ProgressReport.objects.get(project=project, year=y) for y in (1, 2))
    _login(page, live_server, bureau_user.username)
    page.goto(base + reverse("projects:report_detail", args=[first.pk]))
    page.locator("#decision-comment").fill("请补充课程模块开发方案的专家论证意见。")
    page.locator("[data-return]").click()
    expect(page.locator("[data-decision-comment]")).to_be_visible()
    page.goto(base + reverse("projects:report_detail", args=[second.pk]))
    page.locator("[data-accept]").click()
    expect(page.locator("[data-state]").first).to_have_attribute("data-state", "accepted")
    _logout(page)

    # The school revises the first report and submits it again; the bureau accepts it.
    _login(page, live_server, school.username)
    page.goto(base + reverse("projects:report_detail", args=[first.pk]))
    expect(page.locator("[data-decision-comment]")).to_contain_text("专家论证意见")
    page.locator("#evidence-file").set_input_files(files=[_pdf("课程方案专家论证意见.pdf")])
    page.locator("[data-evidence] form[enctype] button").click()
    expect(page.locator("#evidence-files [data-file]")).to_have_count(2)
    page.locator("#report-m1-note").fill("方案已于年末通过校外专家论证，论证意见见佐证材料")
    page.locator("[data-submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    _logout(page)
    _login(page, live_server, bureau_user.username)
    page.goto(base + reverse("projects:report_detail", args=[first.pk]))
    page.locator("#decision-comment").fill("佐证材料齐全，同意通过。")
    page.locator("[data-accept]").click()
    expect(page.locator("[data-state]").first).to_have_attribute("data-state", "accepted")
    page.locator("[data-project-link]").click()
    expect(page.locator("#reports tr[data-report-state=accepted]")).to_have_count(2)
    page.locator("#reports-heading").scroll_into_view_if_needed()
    screenshot("prj-03-reports-accepted")
    assert [e.action for e in first.events.order_by("pk")] == [
        "saved", "file_added", "submitted", "returned", "file_added", "saved", "resubmitted",
        "accepted"]

    # 3. The mid-term check: the bureau opens a round over the cohort's projects.
    _open_round(page, base, CheckKind.MIDTERM, cohort)
    screenshot("prj-04-round-new")
    page.locator("#check-round-form button.btn-primary").click()
    page.wait_for_url(ROUND_PAGE)
    midterm = CheckRound.objects.get(kind=CheckKind.MIDTERM)
    assert list(midterm.entries.values_list("project", flat=True)) == [project.pk]
    _logout(page)

    # The school files its self-assessment with an evidence file from the project's page.
    _login(page, live_server, school.username)
    page.goto(base + reverse("projects:detail", args=[project.pk]))
    entry = CheckEntry.objects.get(round=midterm)
    page.locator(f"#project-checks a[href='{reverse('projects:check_entry', args=[entry.pk])}']").click()
    form = page.locator("#self-assessment-form")
    form.locator("[name=text]").fill("工作室按三年研修计划推进：团队组建、课程开发两项年度里程碑全部完成，"
                                     "示范培训已启动；经费按预算执行，执行率约62%。")
    form.locator("[name=self_score]").fill("85")
    form.locator("[name=files]").set_input_files(files=[_pdf("中期自评佐证材料.pdf")])
    screenshot("prj-05-self-assessment")
    form.locator("button").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("[data-self-score]")).to_have_text("85")
    _logout(page)

    # The bureau sets up the expert panel, announces the draw and performs it.
    _login(page, live_server, bureau_user.username)
    panel = _panel_drawn(page, base, midterm, lambda: screenshot("prj-06-midterm-draw"))
    live = list(Assignment.objects.filter(panel=panel, active=True)
                .select_related("expert__user").order_by("expert__code"))
    assert len(live) == 5
    _logout(page)

    # One expert scores in the browser, reading the project's material: its plan, both
    # reports with their evidence and the self-assessment; a comment on the progress is
    # required by the mid-term rubric.
    _expert_scores(page, live_server, live[0], {"progress": 8, "funds": 7.5, "quality": 8,
                                                "management": 8.5},
                   {"progress": "两个年度里程碑均已完成，课程开发进度符合计划。"},
                   "团队结构合理，建议加快示范培训进度。")
    material = page.locator("#check-material")
    expect(material.locator("details[data-report]")).to_have_count(2)
    expect(material.locator("[data-files=self_assessment] a")).to_have_text("中期自评佐证材料.pdf")
    screenshot("prj-07-expert-midterm")
    page.locator("button[name=action][value=submit]").click()
    expect(page.locator("[data-review-state=submitted]")).to_be_visible()
    expect(page.locator("#review-total")).to_have_text("79.50")
    _logout(page)
    # The panel's other four experts submit through the review service, as they would.
    # Totals 77.5, 80, 83.5 and 74: with the browser's 79.5 the trimmed mean is 79.
    for assignment, sheet in zip(live[1:], [(8, 8, 7, 8), (8, 8, 8, 8), (9, 8, 8, 8),
                                            (7, 8, 7, 8)], strict=True):
        review_submit(assignment=assignment, by=assignment.expert.user,
                      scores=dict(zip(("progress", "funds", "quality", "management"), sheet,
                                      strict=True)),
                      comments={"progress": "按计划推进，里程碑基本完成。"})

    # The bureau closes the panel, collects the scores and records "pass", then closes the
    # round: the studio's plan has no tranche on the mid-term check, so no money moves.
    _login(page, live_server, bureau_user.username)
    entry = _close_collect_record(page, base, panel, midterm, project, "pass",
                                  "中期检查合格，请按计划推进示范培训。")
    expect(page.locator(f"#check-entries tr[data-entry='{entry.pk}'] [data-score]")).to_have_text("79")
    screenshot("prj-08-midterm-results")
    page.locator("[data-close]").click()
    expect(page.locator("[data-state=closed]").first).to_be_visible()
    assert not project.grant.tranches.filter(condition=TrancheCondition.MIDTERM_PASSED).exists()

    # 4. The acceptance round, opened by the bureau ...
    _open_round(page, base, CheckKind.ACCEPTANCE, cohort)
    page.locator("#check-round-form button.btn-primary").click()
    page.wait_for_url(ROUND_PAGE)
    acceptance = CheckRound.objects.get(kind=CheckKind.ACCEPTANCE)
    _logout(page)

    # ... where the school files its summary report and self-assessment ...
    _login(page, live_server, school.username)
    entry = CheckEntry.objects.get(round=acceptance)
    page.goto(base + reverse("projects:check_entry", args=[entry.pk]))
    form = page.locator("#self-assessment-form")
    form.locator("[name=summary]").fill("三年建设期内，工作室培养青年骨干教师7名，开发模块化课程3门，"
                                        "面向区域中职学校开展示范培训236人次，获省级教学成果奖二等奖1项。")
    form.locator("[name=text]").fill("建设目标全部完成，部分指标超额完成；经费使用规范，执行率98%。")
    form.locator("[name=self_score]").fill("93")
    form.locator("[name=files]").set_input_files(files=[_pdf("验收总结报告.pdf"), _pdf("培训签到表.pdf")])
    form.locator("button").click()
    expect(page.locator("[data-summary]")).to_contain_text("示范培训236人次")
    _logout(page)

    # ... five other experts are drawn, one scores in the browser, four through the service.
    _login(page, live_server, bureau_user.username)
    panel = _panel_drawn(page, base, acceptance)
    live = list(Assignment.objects.filter(panel=panel, active=True)
                .select_related("expert__user").order_by("expert__code"))
    assert not {a.expert_id for a in live} & set(
        Assignment.objects.filter(panel__check_round=midterm).values_list("expert", flat=True))
    _logout(page)
    _expert_scores(page, live_server, live[0], {"goals": 10, "outcomes": 9, "funds": 9,
                                                "sustainability": 9},
                   {"goals": "建设目标全面完成，示范培训人次超过计划。"},
                   "成果突出，辐射带动作用明显。")
    expect(page.locator("#check-material [data-summary]")).to_contain_text("示范培训236人次")
    page.locator("button[name=action][value=submit]").click()
    expect(page.locator("#review-total")).to_have_text("93.50")
    screenshot("prj-09-expert-acceptance")
    _logout(page)
    # Totals 91.5, 95.5, 90 and 96.5: with the browser's 93.5 the trimmed mean is 93.5.
    for assignment, sheet in zip(live[1:], [(9, 9, 9, 10), (10, 9, 10, 9), (9, 9, 9, 9),
                                            (10, 10, 9, 9)], strict=True):
        review_submit(assignment=assignment, by=assignment.expert.user,
                      scores=dict(zip(("goals", "outcomes", "funds", "sustainability"), sheet,
                                      strict=True)),
                      comments={"goals": "建设目标全面完成。"})

    # The bureau closes the panel, collects the scores and records "excellent".
    _login(page, live_server, bureau_user.username)
    entry = _close_collect_record(page, base, panel, acceptance, project, "excellent",
                                  "验收优秀，予以通报表扬。")
    page.locator("[data-close]").click()
    expect(page.locator("[data-state=closed]").first).to_be_visible()
    expect(page.locator(f"#check-entries tr[data-entry='{entry.pk}'] [data-score]")).to_have_text("93.5")
    screenshot("prj-10-acceptance-results")

    # 5. The project is closed with the rating excellent; the bonus of 50,000 is payable.
    page.goto(base + reverse("projects:detail", args=[project.pk]))
    expect(page.locator("[data-rating=excellent]").first).to_be_visible()
    bonus = project.grant.tranches.get(condition=TrancheCondition.EXCELLENT)
    row = page.locator(f"#tranches tr[data-tranche='{bonus.seq}']")
    expect(row).to_have_attribute("data-status", "payable")
    expect(row.locator("[data-payable]")).to_have_text("5万元")
    screenshot("prj-11-project-excellent")
    page.locator("[data-grant-link]").click()
    expect(page.locator("[data-balance=promised]")).to_have_text("11万元")
    screenshot("prj-12-grant")

    project.refresh_from_db()
    assert (project.state, project.rating) == (ProjectState.CLOSED, Rating.EXCELLENT)
    assert project.acceptance.score == entry.score
    assert tranche_payable_amount(bonus, timezone.localdate()) == Decimal("50000.00")
    assert sum(t.amount for t in project.grant.tranches.filter(withheld_at__isnull=True)) \
        == Decimal("110000.00")
    assert set(ProgressReport.objects.filter(project=project).values_list("state", flat=True)) \
        == {ReportState.ACCEPTED}
