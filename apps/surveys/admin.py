"""Question banks in Django admin: edit drafts, publish, clone, retire, import and export JSON."""

import itertools
import json
import re

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html

from apps.organizations.models import Team
from apps.surveys import (
    bank_services,
    page_markup,
    round_admin,  # noqa: F401 - registers the read-only round admin
    round_selectors,
)
from apps.surveys.bank_format import (
    MAX_FILE_BYTES,
    MAX_QUESTIONS,
    BankFormatError,
    read_bank_file,
    too_large_problem,
)
from apps.surveys.models import (
    BankStatus,
    Choice,
    Dimension,
    Guidance,
    Level,
    Question,
    QuestionBank,
    Round,
)


class LockedWhenPublished:
    """Inlines and admins of bank content: read-only once the bank is not a draft."""

    def _bank(self, obj):
        if obj is None:
            return None
        return obj if isinstance(obj, QuestionBank) else obj.bank

    def _editable(self, obj) -> bool:
        bank = self._bank(obj)
        return bank is None or bank.status == BankStatus.DRAFT

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class LockedInline(LockedWhenPublished, admin.TabularInline):
    extra = 0
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})},
    }

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)


class LevelFormSet(forms.BaseInlineFormSet):
    """Bands must start at 0 and rise with the level number; say so instead of failing at commit."""

    def clean(self):
        super().clean()
        rows = [
            (form.cleaned_data["number"], form.cleaned_data["min_score"])
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("number") is not None
            and form.cleaned_data.get("min_score") is not None
        ]
        rows.sort()
        if rows and rows[0][1] != 0:
            raise forms.ValidationError("The first level must start at a min score of 0.")
        for (number, bound), (next_number, next_bound) in itertools.pairwise(rows):
            if next_bound <= bound:
                raise forms.ValidationError(
                    f"Level {next_number} must start above level {number} ({next_bound} ≤ {bound})."
                )


class LevelInline(LockedInline):
    model = Level
    formset = LevelFormSet
    fields = ["number", "name", "min_score", "description"]


class DimensionInline(LockedInline):
    model = Dimension
    fields = ["order", "key", "name", "description", "question_count"]
    readonly_fields = ["question_count"]
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_questions=Count("questions"))

    @admin.display(description="Questions")
    def question_count(self, obj):
        if obj.pk is None:
            return "-"
        url = reverse("admin:surveys_question_changelist") + f"?dimension__id__exact={obj.pk}"
        return format_html('<a href="{}">{} question(s)</a>', url, obj.n_questions)


class GuidanceForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        dimension, question = cleaned.get("dimension"), cleaned.get("question")
        if dimension and question and question.dimension_id != dimension.pk:
            self.add_error("question", f"{question.code} is not in the dimension {dimension}.")
        return cleaned


class GuidanceInline(LockedInline):
    """Advice on a whole dimension, per target level. A question's own advice is edited on the
    question's page, beside its options."""

    model = Guidance
    form = GuidanceForm
    fields = ["dimension", "level", "text"]
    verbose_name = "dimension guidance"
    verbose_name_plural = "dimension guidance (advice for reaching a level, per dimension)"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(question__isnull=True)
            .select_related("dimension", "level")
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only this bank's dimensions and levels, fetched once per page.
        bank_id = request.resolver_match.kwargs.get("object_id")
        if db_field.name in ("dimension", "level") and bank_id:
            model = {"dimension": Dimension, "level": Level}[db_field.name]
            kwargs["queryset"] = model.objects.filter(bank_id=bank_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        for name in ("dimension", "level"):
            field = formset.form.base_fields.get(name)
            if field is not None:
                field.choices = list(field.choices)  # evaluate once, not once per row
        return formset


class QuestionListInline(admin.TabularInline):
    """The bank's questions as a compact table (code, text, options, guidance, a link to edit
    each on its own page with its options and guidance) instead of every form inline."""

    model = Question
    extra = 0
    can_delete = False
    fields = ["edit_link", "dimension_name", "short_text", "options", "guidance_count", "weight"]
    readonly_fields = fields
    verbose_name_plural = "questions"
    template = "admin/surveys/questionbank/question_list.html"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("dimension")
            .annotate(
                n_choices=Count("choices", distinct=True),
                n_guidance=Count("guidance", distinct=True),
            )
            .order_by("dimension__order", "order", "pk")
        )

    @admin.display(description="Code")
    def edit_link(self, obj):
        url = reverse("admin:surveys_question_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.code)

    @admin.display(description="Dimension")
    def dimension_name(self, obj):
        return obj.dimension.name

    @admin.display(description="Question")
    def short_text(self, obj):
        return _short(obj.text)

    @admin.display(description="Options")
    def options(self, obj):
        return f"{obj.n_choices}{' + N/A' if obj.allow_na else ''}"

    @admin.display(description="Guidance")
    def guidance_count(self, obj):
        return obj.n_guidance


def _short(text: str) -> str:
    return text if len(text) < 90 else f"{text[:87]}…"


class BankImportForm(forms.Form):
    file = forms.FileField(
        help_text=f"A question bank in the JSON interchange format (see README): at most "
        f"{MAX_FILE_BYTES // 1024 // 1024} MB and {MAX_QUESTIONS} questions."
    )
    publish = forms.BooleanField(
        required=False, help_text="Publish at once (the bank must be complete)."
    )


@admin.register(QuestionBank)
class QuestionBankAdmin(LockedWhenPublished, admin.ModelAdmin):
    list_display = [
        "title",
        "slug",
        "version",
        "status_badge",
        "dimension_count",
        "question_count",
        "published_at",
    ]
    list_filter = ["status", "slug"]
    search_fields = ["title", "slug", "description"]
    fields = [
        "slug",
        "version",
        "title",
        "description",
        "scale",
        "options_per_level",
        "allow_dont_know",
        "disagreement_threshold",
        "status",
        "published_at",
        "retired_at",
    ]
    readonly_fields = ["status", "published_at", "retired_at"]
    inlines = [LevelInline, DimensionInline, GuidanceInline, QuestionListInline]
    actions = ["publish", "new_draft_version", "retire", "export_json"]
    change_form_template = "admin/surveys/questionbank/change_form.html"
    change_list_template = "admin/surveys/questionbank/change_list.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_dimensions=Count("dimensions", distinct=True),
                n_questions=Count("questions", distinct=True),
            )
        )

    def has_delete_permission(self, request, obj=None):
        # Only a draft, one at a time from its page: no bulk delete can reach a published bank.
        return obj is not None and super().has_delete_permission(request, obj)

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj):
        return obj.get_status_display()

    @admin.display(description="Dimensions", ordering="n_dimensions")
    def dimension_count(self, obj):
        return obj.n_dimensions

    @admin.display(description="Questions", ordering="n_questions")
    def question_count(self, obj):
        return obj.n_questions

    # --- Actions

    @admin.action(description="Publish selected drafts")
    def publish(self, request, queryset):
        for bank in queryset:
            try:
                bank_services.bank_publish(bank=bank)
            except bank_services.BankNotReady as error:
                self.message_user(request, f"{bank} was not published:", messages.ERROR)
                for problem in error.problems:
                    self.message_user(request, f"• {problem}", messages.ERROR)
            else:
                self.message_user(
                    request, f"{bank} is published. It can no longer change.", messages.SUCCESS
                )

    @admin.action(description="New draft version of selected")
    def new_draft_version(self, request, queryset):
        for bank in queryset:
            try:
                draft = bank_services.bank_new_draft(bank=bank)
            except BankFormatError as error:
                self.message_user(request, " ".join(error.problems), messages.ERROR)
            else:
                url = reverse("admin:surveys_questionbank_change", args=[draft.pk])
                self.message_user(
                    request,
                    format_html('Created <a href="{}">{}</a> as a draft to edit.', url, draft),
                    messages.SUCCESS,
                )

    @admin.action(description="Retire selected published banks")
    def retire(self, request, queryset):
        for bank in queryset:
            if bank.status != BankStatus.PUBLISHED:
                self.message_user(
                    request, f"{bank} is not published, so it cannot be retired.", messages.WARNING
                )
                continue
            bank_services.bank_retire(bank=bank)
            self.message_user(
                request, f"{bank} is retired: new rounds can no longer use it.", messages.SUCCESS
            )

    @admin.action(description="Export selected as JSON")
    def export_json(self, request, queryset):
        banks = list(queryset)
        if len(banks) != 1:
            self.message_user(request, "Select exactly one bank to export.", messages.WARNING)
            return None
        return _json_download(banks[0])

    # --- Extra pages: preview, export, import

    def get_urls(self):
        extra = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="surveys_questionbank_import",
            ),
            path(
                "<int:bank_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="surveys_questionbank_preview",
            ),
            path(
                "<int:bank_id>/export/",
                self.admin_site.admin_view(self.export_view),
                name="surveys_questionbank_export",
            ),
        ]
        return extra + super().get_urls()

    def preview_view(self, request, bank_id):
        """The bank as a respondent sees it: the respondent's own page template, one page per
        dimension (`?page=N`), with nothing saved. Its links and forms lead back here."""
        if not self.has_view_permission(request):
            raise PermissionError
        bank = get_object_or_404(QuestionBank, pk=bank_id)
        pages = round_selectors.dimension_pages(bank.pk)
        here = reverse("admin:surveys_questionbank_preview", args=[bank.pk])
        if not pages:
            self.message_user(request, f"{bank} has no questions to preview yet.", messages.WARNING)
            return HttpResponseRedirect(
                reverse("admin:surveys_questionbank_change", args=[bank.pk])
            )
        number = _page_number(request.GET.get("page"), len(pages))
        if request.method == "POST":
            if request.GET.get("save"):  # an answer or note autosaving: not in a preview
                return HttpResponse('<span class="text-body-secondary">Preview: not saved</span>')
            # "Next page" / "Review answers": on to the next page; after the last, the bank.
            if number < len(pages):
                return HttpResponseRedirect(f"{here}?page={number + 1}")
            self.message_user(request, "That was the last page of the preview.", messages.INFO)
            return HttpResponseRedirect(
                reverse("admin:surveys_questionbank_change", args=[bank.pk])
            )
        messages.info(
            request,
            format_html(
                "Preview of <strong>{}</strong> ({}): this is the respondents' page; nothing "
                'is saved. <a href="{}">Back to the bank</a>',
                bank,
                bank.get_status_display().lower(),
                reverse("admin:surveys_questionbank_change", args=[bank.pk]),
            ),
        )
        response = render(
            request,
            "surveys/page.html",
            {
                # An unsaved round: the page names its team and title in the header.
                "round": Round(bank=bank, title=f"Preview: {bank}", team=Team(name="Your team")),
                "bank": bank,
                "token": PREVIEW_TOKEN,
                "page": pages[number - 1],
                "number": number,
                "page_count": len(pages),
                "percent": round(100 * (number - 1) / len(pages)),
                "questions": page_markup.page_questions(
                    pages[number - 1]["questions"],
                    {},
                    {},
                    answer_url=reverse("surveys:answer", args=[PREVIEW_TOKEN]),
                    note_url=reverse("surveys:note", args=[PREVIEW_TOKEN]),
                ),
                "preview": True,
            },
        )
        response.content = _preview_links(response.content.decode(), here).encode()
        return response

    def export_view(self, request, bank_id):
        if not self.has_view_permission(request):
            raise PermissionError
        return _json_download(get_object_or_404(QuestionBank, pk=bank_id))

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionError
        problems = []
        if request.method == "POST" and _content_length(request) > MAX_FILE_BYTES + 64 * 1024:
            # Refused before Django reads the upload: a 50 MB file is not parsed at all.
            problems = [too_large_problem(_content_length(request))]
            form = BankImportForm()
        else:
            form = BankImportForm(request.POST or None, request.FILES or None)
        if not problems and request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                data = read_bank_file(upload, size=upload.size)
                bank = bank_services.bank_import(data, publish=form.cleaned_data["publish"])
            except (BankFormatError, bank_services.BankNotReady) as error:
                problems = error.problems
            else:
                self.message_user(
                    request,
                    f"Imported {bank} as {bank.get_status_display().lower()}.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:surveys_questionbank_change", args=[bank.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "problems": problems,
            "opts": self.model._meta,
            "title": "Import a question bank",
        }
        return render(
            request,
            "admin/surveys/questionbank/import.html",
            context,
            status=400 if problems else 200,
        )


# The respondent's pages link by their token (/s/<token>/page/2/, /s/<token>/answer/, ...). The
# preview renders them with this stand-in token, which no link can have (a real token is
# URL-safe base64 without "!"), and points every such link back at the preview.
PREVIEW_TOKEN = "bank-preview!"


def _preview_links(html: str, here: str) -> str:
    prefix = re.escape(reverse("surveys:intro", args=[PREVIEW_TOKEN]))
    html = re.sub(prefix + r"page/(\d+)/", lambda m: f"{here}?page={m.group(1)}", html)
    html = re.sub(prefix + r"[a-z]+/", f"{here}?save=1", html)
    return re.sub(prefix, f"{here}?page=1", html)


def _page_number(value, count: int) -> int:
    try:
        return min(max(int(value), 1), count)
    except (TypeError, ValueError):
        return 1


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _json_download(bank: QuestionBank) -> HttpResponse:
    body = json.dumps(bank_services.bank_export(bank), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{bank.slug}-v{bank.version}.json"'
    return response


def _bank_levels(request) -> list[tuple[int, str]]:
    """The levels of the bank of the question being edited (its page's object, or `?bank=` on
    the add page), as (number, name) choices."""
    question_id = request.resolver_match.kwargs.get("object_id")
    if question_id:
        bank_id = Question.objects.filter(pk=question_id).values_list("bank_id", flat=True).first()
    else:
        bank_id = request.GET.get("bank")
    if not str(bank_id or "").isdigit():
        return []
    return [
        (number, f"{number}. {name}")
        for number, name in Level.objects.filter(bank_id=bank_id)
        .order_by("number")
        .values_list("number", "name")
    ]


class ChoiceInline(LockedInline):
    """A question's options: the label respondents read, its points and the level whose
    practice it describes (required when the bank has one option per level)."""

    model = Choice
    min_num = 2
    fields = ["order", "label", "points", "level"]
    verbose_name = "option"
    verbose_name_plural = "options (respondents see the labels only, never the points)"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        levels = _bank_levels(request)
        if levels and "level" in formset.form.base_fields:
            formset.form.base_fields["level"] = forms.TypedChoiceField(
                choices=[("", "---------"), *levels],
                coerce=int,
                empty_value=None,
                required=False,
                label="Level",
            )
        return formset


class QuestionGuidanceInline(LockedInline):
    """The question's advice per target level: what to do to reach that level. The PDF roadmap
    quotes it as the question's next step."""

    model = Guidance
    fk_name = "question"
    fields = ["level", "text"]
    verbose_name = "guidance for a target level"
    verbose_name_plural = "guidance per target level"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("level").order_by("level__number")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "level":
            question_id = request.resolver_match.kwargs.get("object_id")
            bank = Question.objects.filter(pk=question_id).values("bank_id")
            kwargs["queryset"] = Level.objects.filter(bank_id__in=bank).order_by("number")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request, obj=None):
        # Guidance needs the question's dimension and bank: add it once the question is saved.
        return obj is not None and super().has_add_permission(request, obj)


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["bank", "dimension", "code", "order", "text", "help", "weight", "allow_na"]

    def clean(self):
        cleaned = super().clean()
        bank = cleaned.get("bank") or (self.instance.bank if self.instance.bank_id else None)
        dimension = cleaned.get("dimension")
        if bank and dimension and dimension.bank_id != bank.pk:
            self.add_error("dimension", f"Choose a dimension of {bank}.")
        return cleaned


@admin.register(Question)
class QuestionAdmin(LockedWhenPublished, admin.ModelAdmin):
    form = QuestionForm
    list_display = ["code", "short_text", "dimension", "bank", "order", "weight"]
    list_filter = ["bank__slug", "bank__status", "dimension__key"]
    search_fields = ["code", "text", "help"]
    list_select_related = ["dimension", "bank"]
    ordering = ["bank", "dimension__order", "order"]
    fields = ["bank", "dimension", "code", "order", "text", "help", "weight", "allow_na"]
    inlines = [ChoiceInline, QuestionGuidanceInline]
    change_form_template = "admin/surveys/question/change_form.html"

    def get_inlines(self, request, obj):
        # Guidance takes the question's dimension: it is added once the question exists.
        return self.inlines if obj is not None else [ChoiceInline]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:  # "Preview as a respondent" opens the page this question is on
            keys = list(
                Dimension.objects.filter(bank_id=obj.bank_id, questions__isnull=False)
                .distinct()
                .order_by("order", "pk")
                .values_list("pk", flat=True)
            )
            context["preview_page"] = keys.index(obj.dimension_id) + 1
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description="Question")
    def short_text(self, obj):
        return _short(obj.text)

    def get_readonly_fields(self, request, obj=None):
        return ["bank"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "bank":
            kwargs["queryset"] = QuestionBank.objects.filter(status=BankStatus.DRAFT)
        if db_field.name == "dimension":
            kwargs["queryset"] = Dimension.objects.filter(
                bank__status=BankStatus.DRAFT
            ).select_related("bank")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_formset(self, request, form, formset, change):
        question = form.instance
        for obj in formset.save(commit=False):
            obj.bank_id = question.bank_id
            if isinstance(obj, Guidance):
                obj.dimension_id = question.dimension_id
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()
