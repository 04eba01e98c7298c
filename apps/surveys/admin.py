"""Question banks in Django admin: edit drafts, publish, clone, retire, import and export JSON."""

import itertools
import json

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html

from apps.surveys import (
    bank_services,
    round_admin,  # noqa: F401 - registers the read-only round admin
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
    model = Guidance
    form = GuidanceForm
    fields = ["dimension", "question", "level", "text"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("dimension", "question", "level")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only this bank's dimensions, questions and levels, fetched once per page.
        bank_id = request.resolver_match.kwargs.get("object_id")
        if db_field.name in ("dimension", "question", "level") and bank_id:
            model = {"dimension": Dimension, "question": Question, "level": Level}[db_field.name]
            kwargs["queryset"] = model.objects.filter(bank_id=bank_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        for name in ("dimension", "question", "level"):
            field = formset.form.base_fields[name]
            field.choices = list(field.choices)  # evaluate once, not once per row
        return formset


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
        "disagreement_threshold",
        "status",
        "published_at",
        "retired_at",
    ]
    readonly_fields = ["status", "published_at", "retired_at"]
    inlines = [LevelInline, DimensionInline, GuidanceInline]
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
        if not self.has_view_permission(request):
            raise PermissionError
        bank = get_object_or_404(QuestionBank, pk=bank_id)
        bank = bank_services.bank_with_content(bank.pk)
        context = {
            **self.admin_site.each_context(request),
            "bank": bank,
            "opts": self.model._meta,
            "title": f"Preview: {bank}",
        }
        return render(request, "admin/surveys/questionbank/preview.html", context)

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


class ChoiceInline(LockedInline):
    model = Choice
    min_num = 2
    fields = ["order", "label", "points"]


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["bank", "dimension", "code", "order", "text", "help", "weight"]

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
    fields = ["bank", "dimension", "code", "order", "text", "help", "weight"]
    inlines = [ChoiceInline]

    @admin.display(description="Question")
    def short_text(self, obj):
        return obj.text if len(obj.text) < 90 else f"{obj.text[:87]}…"

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
        for choice in formset.save(commit=False):
            choice.bank_id = form.instance.bank_id
            choice.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()
