"""Yearly data (R20, R32, R33): enrolment by major, school resource figures, industry
structure by region, exam and skill-test results, graduate destinations, and the bureau's
major–industry mapping. Each year's data of one kind can be locked once checked."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vetq.institutions.models import Industry, Institution, Major, Region

YEAR = [MinValueValidator(2000), MaxValueValidator(2100)]


class Dataset(models.TextChoices):
    ENROLMENT = "enrolment", _("Enrolment and graduates")
    RESOURCES = "resources", _("School resources")
    INDUSTRY = "industry", _("Industry structure")
    EXAMS = "exams", _("Exams and skill tests")
    GRADUATES = "graduates", _("Graduate destinations")


class YearLock(models.Model):
    """A year's data of one kind, locked by the bureau once checked: no import or edit
    changes it until unlocked (both recorded in the audit log)."""

    dataset = models.CharField(_("data"), max_length=12, choices=Dataset.choices)
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR)
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("locked by"))
    locked_at = models.DateTimeField(_("locked at"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "dataset"]
        verbose_name = _("locked year")
        verbose_name_plural = _("locked years")
        constraints = [
            models.UniqueConstraint(fields=["dataset", "year"], name="year_lock_once"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset} {self.year}"


class DataImport(models.Model):
    """One Excel import (or API import) of yearly data: who, what, how many rows were
    written and refused. The file itself is kept."""

    dataset = models.CharField(_("data"), max_length=12, choices=Dataset.choices)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+",
                                    verbose_name=_("institution"))
    file = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("file"))
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    rows_refused = models.PositiveIntegerField(_("rows refused"), default=0)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name=_("by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("data import")
        verbose_name_plural = _("data imports")

    def __str__(self) -> str:
        return f"{self.dataset} {self.year} {self.at:%Y-%m-%d}"


class Enrolment(models.Model):
    """Students of one major of a school in one year: new students, students on roll and
    graduates."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT,
                                    related_name="enrolments", verbose_name=_("institution"))
    major = models.ForeignKey(Major, on_delete=models.PROTECT, related_name="enrolments",
                              verbose_name=_("major"))
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR, db_index=True)
    enrolled = models.PositiveIntegerField(_("new students"))
    students = models.PositiveIntegerField(_("students on roll"))
    graduates = models.PositiveIntegerField(_("graduates"))

    class Meta:
        ordering = ["year", "institution", "major"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["major", "year"], name="enrolment_once_a_year"),
        ]

    def __str__(self) -> str:
        return f"{self.major} {self.year}"


class SchoolResource(models.Model):
    """One figure of a school's resource table (资源表) for a year; the indicator codes and
    units are those of surveys/resource_table.py (the national layout)."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT,
                                    related_name="resources", verbose_name=_("institution"))
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR, db_index=True)
    indicator = models.CharField(_("indicator"), max_length=40)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["year", "institution", "indicator"]
        verbose_name = _("resource figure")
        verbose_name_plural = _("resource figures")
        constraints = [
            models.UniqueConstraint(fields=["institution", "year", "indicator"],
                                    name="resource_once_a_year"),
            models.CheckConstraint(condition=Q(value__gte=0), name="resource_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.year} {self.indicator}"


class IndustryFigure(models.Model):
    """Output value and employment of one industry in one region (or the whole city when
    `region` is empty) in one year, as the statistical yearbook gives them."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="industry_figures",
                               verbose_name=_("region (empty: the whole city)"))
    industry = models.ForeignKey(Industry, on_delete=models.PROTECT, related_name="figures",
                                 verbose_name=_("industry"))
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR, db_index=True)
    output_value = models.DecimalField(_("output value (10,000 yuan)"), max_digits=16,
                                       decimal_places=2)
    employment = models.PositiveIntegerField(_("employed persons"))
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["year", "region", "industry"]
        verbose_name = _("industry figure")
        verbose_name_plural = _("industry figures")
        constraints = [
            models.UniqueConstraint(fields=["region", "industry", "year"],
                                    name="industry_figure_once"),
            models.UniqueConstraint(fields=["industry", "year"], condition=Q(region__isnull=True),
                                    name="industry_city_figure_once"),
            models.CheckConstraint(condition=Q(output_value__gte=0),
                                   name="industry_output_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.region or '-'} {self.industry} {self.year}"


class ExamKind(models.TextChoices):
    ACADEMIC = "academic", _("Academic proficiency test (学业水平考试)")
    SKILL = "skill", _("Skill spot test (技能抽测)")


class ExamResult(models.Model):
    """Results of one exam subject for one major of a school in one year (R20)."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT,
                                    related_name="exam_results", verbose_name=_("institution"))
    major = models.ForeignKey(Major, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="exam_results", verbose_name=_("major"))
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR, db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=ExamKind.choices)
    subject = models.CharField(_("subject"), max_length=60)
    candidates = models.PositiveIntegerField(_("candidates"))
    passed = models.PositiveIntegerField(_("passed"))
    excellent = models.PositiveIntegerField(_("excellent"))

    class Meta:
        ordering = ["year", "institution", "kind", "subject"]
        verbose_name = _("exam result")
        verbose_name_plural = _("exam results")
        constraints = [
            models.UniqueConstraint(fields=["institution", "major", "year", "kind", "subject"],
                                    name="exam_result_once"),
            models.UniqueConstraint(fields=["institution", "year", "kind", "subject"],
                                    condition=Q(major__isnull=True),
                                    name="exam_school_result_once"),
            models.CheckConstraint(condition=Q(passed__lte=F("candidates")),
                                   name="exam_passed_within_candidates"),
            models.CheckConstraint(condition=Q(excellent__lte=F("passed")),
                                   name="exam_excellent_within_passed"),
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.year} {self.subject}"


class MajorIndustryWeight(models.Model):
    """The bureau's mapping of a catalogue major (专业代码) to the industries it serves, with
    weights: a major's students count towards each industry by its weight ÷ the sum of the
    major's weights."""

    catalogue_code = models.CharField(_("catalogue code"), max_length=12, db_index=True)
    industry = models.ForeignKey(Industry, on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("industry"))
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2,
                                 validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["catalogue_code", "industry"]
        verbose_name = _("major–industry weight")
        verbose_name_plural = _("major–industry mapping")
        constraints = [
            models.UniqueConstraint(fields=["catalogue_code", "industry"],
                                    name="major_industry_once"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="major_industry_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.catalogue_code} → {self.industry} ({self.weight})"


class TrackingPoint(models.TextChoices):
    GRADUATION = "graduation", _("At graduation")
    HALF_YEAR = "half_year", _("Half a year after")
    ONE_YEAR = "one_year", _("One year after")
    THREE_YEARS = "three_years", _("Three years after")


class Destination(models.TextChoices):
    EMPLOYED = "employed", _("Employed")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    FURTHER_STUDY = "further_study", _("Further study")
    NOT_EMPLOYED = "not_employed", _("Not employed")


class Location(models.TextChoices):
    WUXI = "local", pgettext_lazy("location", "In the city")
    PROVINCE = "province", _("Elsewhere in the province")
    ELSEWHERE = "elsewhere", _("Elsewhere in China")
    ABROAD = "abroad", _("Abroad")


SATISFACTION = [MinValueValidator(1), MaxValueValidator(4)]


class GraduateRecord(models.Model):
    """One graduate at one tracking point (R33). The person is a keyed hash of the identity
    number (surveys/pseudonyms.py), never the number itself. Satisfaction is on a 4-point
    scale (4 very satisfied … 1 dissatisfied); empty means "cannot judge" and is left out of
    the averages."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT,
                                    related_name="graduates", verbose_name=_("institution"))
    major = models.ForeignKey(Major, on_delete=models.PROTECT, related_name="graduates",
                              verbose_name=_("major"))
    cohort = models.PositiveSmallIntegerField(_("graduation year"), validators=YEAR,
                                              db_index=True)
    point = models.CharField(_("tracking point"), max_length=12, choices=TrackingPoint.choices)
    person = models.CharField(_("pseudonym"), max_length=64)
    destination = models.CharField(_("destination"), max_length=14,
                                   choices=Destination.choices)
    in_field = models.BooleanField(_("in the field studied"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=10, choices=Location.choices,
                                blank=True)
    contract = models.BooleanField(_("labour contract"), null=True, blank=True)
    starting_pay = models.DecimalField(_("monthly pay (yuan)"), max_digits=9, decimal_places=2,
                                       null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction with the school"),
                                                    null=True, blank=True,
                                                    validators=SATISFACTION)
    employer_satisfaction = models.PositiveSmallIntegerField(
        _("employer's satisfaction"), null=True, blank=True, validators=SATISFACTION)

    class Meta:
        ordering = ["cohort", "institution", "major", "point", "pk"]
        verbose_name = _("graduate record")
        verbose_name_plural = _("graduate records")
        constraints = [
            models.UniqueConstraint(fields=["person", "cohort", "point"],
                                    name="graduate_once_per_point"),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=4),
                name="graduate_satisfaction_scale"),
            models.CheckConstraint(
                condition=Q(employer_satisfaction__isnull=True)
                | Q(employer_satisfaction__gte=1, employer_satisfaction__lte=4),
                name="graduate_employer_satisfaction_scale"),
        ]
        indexes = [models.Index(fields=["institution", "cohort", "point"])]

    def __str__(self) -> str:
        return f"{self.person[:8]} {self.cohort} {self.point}"
