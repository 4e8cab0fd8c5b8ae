"""The panel and draw forms: setting up a panel, the draw notice, the public value, hand
additions and declines, and the public page's verify upload. The forms check what a
well-formed entry is; `panels` decides what the rules allow."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from vetq.applications.states import ApplicationState
from vetq.institutions.models import Industry
from vetq.programs.models import CallCategory, CallState

from . import draw
from .models import Expert
from .panels import PUBLIC_VALUE_MAX, REASON_MAX, SOURCE_MAX

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
VERIFY_MAX_BYTES = 5 * 1024 * 1024


def _datetime_field(label, **kwargs) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={**TEXT, "type": "datetime-local"}, format=DATETIME_FORMAT),
        **kwargs)


class CallCategoryChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(call)s · %(category)s (%(count)s eligible)") % {
            "call": obj.call.title, "category": obj.category.name, "count": obj.waiting}


def call_categories_waiting():
    """Call categories of open or closed calls with eligible applications on no panel."""
    waiting = Count("applications", distinct=True, filter=Q(
        applications__state=ApplicationState.ELIGIBLE, applications__panels__isnull=True))
    return (CallCategory.objects.exclude(call__state=CallState.DRAFT)
            .select_related("call", "category").annotate(waiting=waiting)
            .filter(waiting__gt=0).order_by("-call__year", "category__order"))


class PanelCreateForm(forms.Form):
    call_category = CallCategoryChoice(label=_("Call and category"), queryset=CallCategory.objects.none(),
                                       widget=forms.Select(attrs=SELECT))
    name = forms.CharField(label=_("Name"), max_length=100, required=False,
                           widget=forms.TextInput(attrs=TEXT),
                           help_text=_("Empty: the year and the category."))
    review_deadline = _datetime_field(_("Review deadline"), required=False,
                                      help_text=_("Empty: the policy's review period from today."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call_category"].queryset = call_categories_waiting()


class DrawAnnounceForm(forms.Form):
    public_value_source = forms.CharField(
        label=_("Public value that will fix the draw"), max_length=SOURCE_MAX,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
        help_text=_("Name it precisely, e.g. the winning numbers of a named lottery draw on a "
                    "named date, or a drand round."))
    public_value_expected = _datetime_field(_("Value expected on"))
    industries = forms.ModelMultipleChoiceField(
        label=_("Restrict the pool to experts in these industries"), required=False,
        queryset=Industry.objects.order_by("order", "code"),
        widget=forms.SelectMultiple(attrs={**SELECT, "size": 6}),
        help_text=_("Empty: every active expert of the pool."))


class DrawPerformForm(forms.Form):
    public_value = forms.CharField(label=_("Public value as published"), max_length=PUBLIC_VALUE_MAX,
                                   widget=forms.TextInput(attrs=TEXT))


class ExpertChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class MemberAddForm(forms.Form):
    expert = ExpertChoice(label=_("Expert"), queryset=Expert.objects.none(),
                          widget=forms.Select(attrs=SELECT))
    application = forms.ModelChoiceField(label=_("Application"), queryset=None,
                                         widget=forms.Select(attrs=SELECT))
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX,
                             widget=forms.Textarea(attrs={**TEXT, "rows": 2}))

    def __init__(self, *args, panel, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expert"].queryset = Expert.objects.filter(active=True).only("pk", "code", "name")
        self.fields["application"].queryset = panel.applications.order_by("pk").only("pk", "title")


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason for declining"), max_length=REASON_MAX,
                             widget=forms.TextInput(attrs=TEXT))


class VerifyForm(forms.Form):
    """A draw file to re-run: JSON, at most VERIFY_MAX_BYTES."""

    file = forms.FileField(
        label=_("Draw file (.json)"),
        widget=forms.ClearableFileInput(attrs={**TEXT, "accept": ".json,application/json"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > VERIFY_MAX_BYTES:
            raise ValidationError(_("The file is larger than %(limit)s MB; a draw file is far "
                                    "smaller.") % {"limit": VERIFY_MAX_BYTES // (1024 * 1024)})
        data = upload.read(VERIFY_MAX_BYTES + 1)
        try:
            return draw.load_document(data)
        except (draw.DocumentError, RecursionError) as error:
            raise ValidationError(_("This is not a JSON file. Download the draw file from its "
                                    "page and upload it unchanged.")) from error
