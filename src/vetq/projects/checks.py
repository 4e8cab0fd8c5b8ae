"""Check rounds (中期检查 mid-term checks and 验收 acceptances) over the projects of one cohort:
opening a round, the schools' self-assessments, the experts' scoring and closing the round.
The results with their money, the rectification and the re-check are in check_results.py.

- The bureau opens a round (`check_round_create`) over the cohort's projects under
  construction, with the policy's rubric and score bands copied onto it.
- Each school files its self-assessment (and, at acceptance, its summary report) with
  evidence files by the due date (`self_assessment_submit`).
- The experts are an ordinary review panel whose `check_round` is the round
  (`check_panel_create`): the bureau announces its draw, enters the public value, follows
  the scoring and closes it on the panel pages, as for a review (reviews/check_panels.py says
  what differs). `check_scores_collect` then gives each project the panel's score, computed
  as a ranking's is (the trimmed mean of the submitted totals).
- The bureau records each result (check_results.py); the round closes when each project has
  its final result (`check_round_close`).

Every service checks who acts, locks its rows, writes ProjectEvents and an audit entry and
sends its notices in one transaction; a refusal (ProjectRefused) changes nothing.
"""

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vetq.accounts.roles import Role
from vetq.accounts.scoping import has_role, memberships
from vetq.applications.models import Application
from vetq.audit.services import audit_log
from vetq.core.uploads import UploadRefused, stored_file_create
from vetq.notices.services import notice_send
from vetq.programs.models import CallCategory
from vetq.reviews.models import Panel, PanelState
from vetq.reviews.ranking import panel_ranking_sheet
from vetq.reviews.rubrics import review_rules

from .acceptance import rating_for_score
from .models import (
    CheckEntry,
    CheckFile,
    CheckKind,
    CheckResult,
    CheckRound,
    CheckRoundState,
    Project,
    ProjectEvent,
    ProjectState,
)
from .services import ProjectRefused, project_rules

TEXT_MAX = 20_000
FILES_MAX = 20  # evidence files of one project in one round
CENT = Decimal("0.01")
# The policy values a round copies when it opens (its score bands and deadlines).
RULE_KEYS = ("midterm_pass_from", "midterm_rectify_from", "rectification_days", "excellent_from",
             "pass_from", "self_assessment_days")
MIDTERM_RESULTS = (CheckResult.PASS, CheckResult.RECTIFY, CheckResult.FAIL)
ACCEPTANCE_RESULTS = (CheckResult.EXCELLENT, CheckResult.PASS, CheckResult.FAIL)
FINAL = {CheckResult.PASS, CheckResult.FAIL, CheckResult.EXCELLENT}


# Pure rules ---------------------------------------------------------------------------------

def midterm_result_for_score(score: Decimal, bands: Mapping) -> str:
    """The mid-term result a score gets under the policy's bands (`midterm_pass_from`,
    `midterm_rectify_from`): at least the first passes, at least the second must rectify,
    lower fails."""
    if score >= Decimal(str(bands["midterm_pass_from"])):
        return CheckResult.PASS.value
    if score >= Decimal(str(bands["midterm_rectify_from"])):
        return CheckResult.RECTIFY.value
    return CheckResult.FAIL.value


def result_for_score(kind: str, score: Decimal, bands: Mapping) -> str:
    """The result the round's bands give a score: mid-term bands, or the acceptance
    ratings (excellent, pass, fail)."""
    if kind == CheckKind.MIDTERM:
        return midterm_result_for_score(score, bands)
    return rating_for_score(score, bands)


def entry_final(entry: CheckEntry) -> bool:
    """Whether a project is done in its round: a final result, a rectification re-checked,
    or no result and no longer under construction (it left the round)."""
    if entry.result in FINAL:
        return True
    if entry.result == CheckResult.RECTIFY:
        return bool(entry.recheck_result)
    return entry.project.state != ProjectState.ACTIVE


# Helpers ------------------------------------------------------------------------------------

def day_text(value: date) -> str:
    return date_format(value, "Y-m-d")


def require_bureau(by) -> None:
    if not has_role(by, Role.BUREAU_ADMIN):
        raise ProjectRefused(_("Only the education bureau runs check rounds and records their "
                               "results."))


def require_school(by, project: Project) -> None:
    if not any(m.role == Role.SCHOOL_USER and m.institution_id == project.institution_id
               for m in memberships(by)):
        raise ProjectRefused(_("Only the project's school files its reports in a check round."))


def require_active(project: Project) -> None:
    if project.state != ProjectState.ACTIVE:
        raise ProjectRefused(_("%(title)s is no longer under construction (it is %(state)s).")
                             % {"title": project.title, "state": project.get_state_display()})


def clean_text(value, message: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ProjectRefused(message)
    if len(value) > TEXT_MAX:
        raise ProjectRefused(_("The text is too long (at most %(count)s characters).")
                             % {"count": TEXT_MAX})
    return value


def _score(value) -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ProjectRefused(_("Enter the self-assessed score from 0 to 100.")) from exc
    if not score.is_finite() or score < 0 or score > 100 or score != score.quantize(CENT):
        raise ProjectRefused(_("Enter the self-assessed score from 0 to 100, with at most two "
                               "decimals."))
    return score.quantize(CENT)


def check_rubric(program, kind: str) -> dict:
    """A copy of the rubric the policy names for `kind` ([projects] midterm_rubric or
    acceptance_rubric, one of its [[rubrics]]). Refuses a policy that names none or names
    one it does not have."""
    key = "midterm_rubric" if kind == CheckKind.MIDTERM else "acceptance_rubric"
    code = getattr(project_rules(program), key)
    label = CheckKind(kind).label
    if not code:
        raise ProjectRefused(_("The policy names no rubric for the %(kind)s (set %(key)s in its "
                               "[projects] section).") % {"kind": label, "key": key})
    chosen = next((r for r in (program.policy or {}).get("rubrics") or []
                   if r.get("code") == code), None)
    if chosen is None:
        raise ProjectRefused(_("The policy has no rubric “%(code)s” for the %(kind)s.")
                             % {"code": code, "kind": label})
    return {**chosen, "criteria": [dict(c) for c in chosen.get("criteria", [])]}


def round_url(check_round: CheckRound) -> str:
    return reverse("projects:check_round_detail", args=[check_round.pk])


def entry_url(entry: CheckEntry) -> str:
    return reverse("projects:check_entry", args=[entry.pk])


def school_users(project: Project) -> list:
    return list(get_user_model().objects.filter(
        is_active=True, memberships__role=Role.SCHOOL_USER,
        memberships__institution_id=project.institution_id).distinct())


def bureau_users() -> list:
    return list(get_user_model().objects.filter(
        is_active=True, memberships__role=Role.BUREAU_ADMIN).distinct())


def entry_locked(entry: CheckEntry) -> CheckEntry:
    return (CheckEntry.objects.select_for_update(of=("self",))
            .select_related("round__call_category__call__program", "project__institution")
            .get(pk=entry.pk))


def files_store(entry: CheckEntry, files, by, purpose: str) -> list[str]:
    """Store the evidence uploads of an entry; an upload the checks refuse refuses all."""
    files = [f for f in files or () if f]
    if entry.files.count() + len(files) > FILES_MAX:
        raise ProjectRefused(_("A project may attach at most %(count)s evidence files in a "
                               "round.") % {"count": FILES_MAX})
    names = []
    for upload in files:
        try:
            stored = stored_file_create(upload=upload, by=by)
        except UploadRefused as refusal:
            raise ProjectRefused(_("%(name)s: %(reason)s")
                                 % {"name": getattr(upload, "name", ""), "reason": refusal}
                                 ) from refusal
        CheckFile.objects.create(entry=entry, purpose=purpose, file=stored)
        names.append(stored.original_name)
    return names


def event_write(project: Project, action: str, by, *, check_round: CheckRound, before=None,
           after=None, reason: str = "") -> None:
    ProjectEvent.objects.create(
        project=project, action=action, before=before or {}, by=by, reason=reason,
        after={"round": check_round.pk, "kind": check_round.kind, **(after or {})})


# Opening a round and filing the self-assessments ----------------------------------------------

def check_round_create(*, kind: str, call_category: CallCategory, by, projects=None,
                       self_assessment_due: date | None = None, name: str = "",
                       today: date | None = None) -> CheckRound:
    """Open a check round over projects of one cohort (a call category): by default all its
    projects under construction; the self-assessments due on `self_assessment_due` (by
    default the policy's `self_assessment_days` from today). Copies the policy's rubric for
    `kind` and its score bands onto the round; writes an entry, a ProjectEvent and a notice to
    the school for each project.

    Refuses anyone but the bureau, an unknown kind, a policy without the rubric, a due date
    in the past, no project, a project of another cohort or no longer under construction,
    and one already in an unfinished round of the same kind.
    """
    today = today or timezone.localdate()
    require_bureau(by)
    if kind not in CheckKind.values:
        raise ProjectRefused(_("Choose a mid-term check or an acceptance."))
    with transaction.atomic():
        cohort = (CallCategory.objects.select_for_update()
                  .select_related("call__program", "category").get(pk=call_category.pk))
        program = cohort.call.program
        rubric = check_rubric(program, kind)
        rules = project_rules(program)
        due = self_assessment_due or today + timedelta(days=rules.self_assessment_days)
        if due < today:
            raise ProjectRefused(_("The self-assessments cannot be due before today, %(date)s.")
                                 % {"date": day_text(today)})
        if projects is None:
            ids = list(Project.objects.filter(application__call_category=cohort,
                                              state=ProjectState.ACTIVE).values_list("pk", flat=True))
        else:
            ids = sorted({p.pk for p in projects})
        chosen = list(Project.objects.select_for_update(of=("self",)).filter(pk__in=ids)
                      .select_related("application").order_by("pk"))
        if not chosen:
            raise ProjectRefused(_("No project under construction of %(cohort)s to check.")
                                 % {"cohort": cohort.category.name})
        _refuse_unfit(chosen, cohort, kind)
        name = clean_text(name, "", required=False)[:100] or _(
            "%(year)s %(category)s: %(kind)s") % {"year": cohort.call.year,
                                                  "category": cohort.category.name,
                                                  "kind": CheckKind(kind).label}
        created = CheckRound.objects.create(
            kind=kind, name=name, call_category=cohort, self_assessment_due=due, rubric=rubric,
            rules={k: v for k, v in rules.model_dump(mode="json").items() if k in RULE_KEYS},
            created_by=by)
        CheckEntry.objects.bulk_create([CheckEntry(round=created, project=p) for p in chosen])
        for project in chosen:
            event_write(project, "check_opened", by, check_round=created,
                   after={"due": due.isoformat()})
            notice_send(users=school_users(project), kind="project.check_opened",
                        params={"title": project.title, "round": name, "due": day_text(due)},
                        url=round_url(created))
        audit_log(action="check_round.create", actor=by, obj=created,
                  after={"kind": kind, "call_category": cohort.pk, "due": due.isoformat(),
                         "projects": [p.pk for p in chosen], "rubric": rubric.get("code")})
    return created


def _refuse_unfit(projects: list[Project], cohort: CallCategory, kind: str) -> None:
    def titles(rows) -> str:
        return "、".join(p.title for p in rows)

    foreign = [p for p in projects if p.application.call_category_id != cohort.pk]
    if foreign:
        raise ProjectRefused(_("These projects are not of the cohort %(cohort)s: %(titles)s.")
                             % {"cohort": cohort.category.name, "titles": titles(foreign)})
    inactive = [p for p in projects if p.state != ProjectState.ACTIVE]
    if inactive:
        raise ProjectRefused(_("These projects are no longer under construction: %(titles)s.")
                             % {"titles": titles(inactive)})
    busy = (CheckEntry.objects.filter(project__in=projects, round__kind=kind)
            .exclude(round__state=CheckRoundState.CLOSED).select_related("project", "round"))
    if busy:
        raise ProjectRefused(_("These projects are already in an unfinished round of this kind: "
                               "%(titles)s.")
                             % {"titles": "、".join(f"{e.project.title}（{e.round.name}）"
                                                    for e in busy)})


def self_assessment_open(entry: CheckEntry) -> bool:
    """Whether the round still takes self-assessments (before the experts start scoring);
    the due date is checked apart."""
    if entry.round.state == CheckRoundState.CLOSED:
        return False
    panel = Panel.objects.filter(check_round_id=entry.round_id).only("state").first()
    return panel is None or panel.state in (PanelState.DRAFT, PanelState.ANNOUNCED)


def self_assessment_submit(*, entry: CheckEntry, text: str, by, self_score=None,
                           summary: str = "", files=(), today: date | None = None) -> CheckEntry:
    """File (or file again, replacing the text) the school's self-assessment of a project in a
    round, with its self-assessed score, at acceptance its summary report, and evidence files
    (added to those filed before). Tells the bureau.

    Refuses anyone but the project's school, a round closed or whose experts have started
    scoring, a filing after the due date (naming it), a project no longer under construction,
    no self-assessment, no summary report at acceptance, a score outside 0–100 and an upload
    the checks refuse.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = entry_locked(entry)
        project, check_round = locked.project, locked.round
        require_school(by, project)
        if not self_assessment_open(locked):
            raise ProjectRefused(_("The self-assessments of this round are closed: the experts "
                                   "have started scoring."))
        if today > check_round.self_assessment_due:
            raise ProjectRefused(_("The self-assessment was due on %(date)s; it can no longer "
                                   "be filed.") % {"date": day_text(check_round.self_assessment_due)})
        require_active(project)
        text = clean_text(text, _("Please write the self-assessment."))
        summary = clean_text(summary, _("Please write the summary report."),
                        required=check_round.kind == CheckKind.ACCEPTANCE)
        score = _score(self_score)
        names = files_store(locked, files, by, "self_assessment")
        again = locked.submitted_at is not None
        locked.self_assessment, locked.self_score, locked.summary = text, score, summary
        locked.submitted_by, locked.submitted_at = by, timezone.now()
        locked.save(update_fields=["self_assessment", "self_score", "summary", "submitted_by",
                                   "submitted_at"])
        after = {"self_score": str(score) if score is not None else None, "files": names}
        event_write(project, "self_assessment_updated" if again else "self_assessment_filed", by,
               check_round=check_round, after=after)
        audit_log(action="check_entry.self_assessment", actor=by, obj=locked,
                  after={**after, "again": again})
        notice_send(users=bureau_users(), kind="project.self_assessment_filed",
                    params={"title": project.title, "round": check_round.name},
                    url=entry_url(locked))
    return locked


# The experts ---------------------------------------------------------------------------------

def check_panel_create(*, check_round: CheckRound, by, review_deadline=None) -> Panel:
    """Set up the round's expert panel: a draft review panel of the round's cohort whose
    `check_round` is the round, with the applications of its projects under construction,
    the policy's review rules (draw, conflicts, trimming) and the round's rubric; the round
    moves to expert scoring. Projects without a self-assessment are scored all the same (the
    round page warns of them); a school may still file until the panel's draw is performed.

    Refuses anyone but the bureau, a round not collecting self-assessments or with a panel
    already, a round with no project under construction, and a deadline in the past.
    """
    require_bureau(by)
    with transaction.atomic():
        locked = (CheckRound.objects.select_for_update()
                  .select_related("call_category__call__program").get(pk=check_round.pk))
        if locked.state != CheckRoundState.OPEN or Panel.objects.filter(check_round=locked).exists():
            raise ProjectRefused(_("This round's expert panel is already set up."))
        applications = list(Application.objects.filter(
            project__checks__round=locked, project__state=ProjectState.ACTIVE).order_by("pk"))
        if not applications:
            raise ProjectRefused(_("No project of this round is under construction any more."))
        rules = review_rules(locked.call_category.call.program)
        now = timezone.now()
        if review_deadline is None:
            review_deadline = now + timedelta(days=int(rules["review_days"]))
        elif review_deadline <= now:
            raise ProjectRefused(_("The review deadline must be in the future."))
        panel = Panel.objects.create(
            call_category=locked.call_category, check_round=locked, rules=rules,
            rubric=locked.rubric, review_deadline=review_deadline, created_by=by,
            name=(_("%(round)s: expert panel") % {"round": locked.name})[:100])
        panel.applications.set(applications)
        locked.state = CheckRoundState.REVIEWING
        locked.save(update_fields=["state"])
        missing = list(locked.entries.filter(submitted_at__isnull=True)
                       .values_list("project_id", flat=True))
        audit_log(action="panel.create", actor=by, obj=panel,
                  after={"check_round": locked.pk, "applications": [a.pk for a in applications],
                         "rubric": panel.rubric.get("code"),
                         "review_deadline": review_deadline.isoformat()})
        audit_log(action="check_round.reviewing", actor=by, obj=locked,
                  before={"state": CheckRoundState.OPEN},
                  after={"state": CheckRoundState.REVIEWING, "panel": panel.pk,
                         "without_self_assessment": missing})
    return panel


def check_scores_collect(*, check_round: CheckRound, by) -> list[CheckEntry]:
    """Give each project of the round without a result yet the score of the round's closed
    panel: its application's score in the panel's ranking (the trimmed mean of the submitted
    totals, as a review's; none without a submitted review). Writes a ProjectEvent per
    project whose score changed.

    Refuses anyone but the bureau, a round not in expert scoring, and a panel not closed.
    """
    require_bureau(by)
    with transaction.atomic():
        locked = CheckRound.objects.select_for_update().get(pk=check_round.pk)
        if locked.state != CheckRoundState.REVIEWING:
            raise ProjectRefused(_("The round is not in expert scoring (it is %(state)s).")
                                 % {"state": locked.get_state_display()})
        panel = Panel.objects.filter(check_round=locked).first()
        if panel is None or panel.state != PanelState.CLOSED:
            raise ProjectRefused(_("Close the round's expert panel first: its scores are final "
                                   "then."))
        rows = {row.application.pk: row for row in panel_ranking_sheet(panel).rows}
        entries = list(locked.entries.select_for_update(of=("self",)).select_related("project")
                       .order_by("pk"))
        scored = {}
        for entry in entries:
            row = rows.get(entry.project.application_id)
            score = row.score if row is not None else None
            if entry.result or score == entry.score:
                continue
            entry.score = score
            entry.save(update_fields=["score"])
            scored[entry.pk] = None if score is None else str(score)
            event_write(entry.project, "check_scored", by, check_round=locked,
                   after={"score": scored[entry.pk], "reviews": row.reviews if row else 0})
        audit_log(action="check_round.collect", actor=by, obj=locked,
                  after={"panel": panel.pk, "scores": scored})
    return entries


def check_round_close(*, check_round: CheckRound, by) -> CheckRound:
    """Close a round whose projects each have their final result (a rectification re-checked;
    a project no longer under construction needs none).

    Refuses anyone but the bureau, a round not in expert scoring, a panel not closed, and
    projects still waiting for a result (naming them).
    """
    require_bureau(by)
    with transaction.atomic():
        locked = CheckRound.objects.select_for_update().get(pk=check_round.pk)
        if locked.state != CheckRoundState.REVIEWING:
            raise ProjectRefused(_("Only a round in expert scoring can be closed (this one is "
                                   "%(state)s).") % {"state": locked.get_state_display()})
        panel = Panel.objects.filter(check_round=locked).first()
        if panel is None or panel.state != PanelState.CLOSED:
            raise ProjectRefused(_("Close the round's expert panel first."))
        waiting = [e for e in locked.entries.select_related("project").order_by("pk")
                   if not entry_final(e)]
        if waiting:
            raise ProjectRefused(_("%(count)s project(s) still wait for their final result: "
                                   "%(titles)s.") % {"count": len(waiting), "titles": "、".join(
                                       e.project.title for e in waiting)})
        locked.state, locked.closed_at = CheckRoundState.CLOSED, timezone.now()
        locked.save(update_fields=["state", "closed_at"])
        audit_log(action="check_round.close", actor=by, obj=locked,
                  before={"state": CheckRoundState.REVIEWING},
                  after={"state": CheckRoundState.CLOSED})
    return locked
