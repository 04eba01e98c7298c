"""The action form: the same fields for a new action and an edit, on the page, inline (htmx)
and without JavaScript. It only parses; apps.plans.services checks and says what is wrong, so
the page and the API give the same messages."""

import uuid

from django import forms
from django.core.exceptions import ValidationError

from apps.plans.models import Action, ActionStatus
from apps.plans.selectors import owner_candidates, question_choices, question_value
from apps.plans.services import QuestionRef, owner_message


class ActionForm(forms.Form):
    title = forms.CharField(
        max_length=200, help_text="What the team will do, in a few words.", strip=True
    )
    question = forms.CharField(
        required=False,
        label="Question it addresses",
        widget=forms.Select,
        help_text="Optional. The next round shows whether this question moved.",
    )
    owner = forms.CharField(required=False, widget=forms.Select, help_text="A member of the team.")
    due_date = forms.DateField(
        required=False, label="Due date", widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(choices=ActionStatus.choices, initial=ActionStatus.TODO)
    done_when = forms.CharField(
        required=False,
        label="Done when",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="How the team will know it is done.",
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    # Hidden: the form's one-time token (a double click creates one action) and, for an action
    # from a next step, the round it comes from.
    form_token = forms.UUIDField(required=False, widget=forms.HiddenInput)
    source_round = forms.UUIDField(required=False, widget=forms.HiddenInput)
    # Hidden: an organization action made from an organization pattern (its question).
    from_pattern = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, organization, team, action: Action | None = None, **kwargs):
        if action is not None:
            kwargs.setdefault("initial", {}).update(
                title=action.title,
                question=question_value(action.bank_slug, action.question_code),
                owner=str(action.owner.public_id) if action.owner else "",
                due_date=action.due_date,
                status=action.status,
                done_when=action.done_when,
                notes=action.notes,
            )
        super().__init__(*args, **kwargs)
        self.action = action
        self.owner_refused = owner_message(team, organization)
        prefix = f"action-{action.public_id}" if action else "new-action"
        self.auto_id = f"id_{prefix}_%s"
        self.owners = {str(m.public_id): m for m in owner_candidates(organization, team)}
        if team is None:
            self.fields["owner"].help_text = "An executive, admin or owner of the organization."
            self.fields["done_when"].help_text = "How the organization will know it is done."
            self.owner_refused = (
                "The owner of an organization action is an executive, admin or owner."
            )
        self.fields["owner"].widget.choices = [("", "Nobody yet")] + [
            (key, m.user.display_name) for key, m in self.owners.items()
        ]
        choices = question_choices(team)
        current = self.initial.get("question") or (self.data.get(self.add_prefix("question")))
        known = {value for _, group in choices for value, _ in group}
        if current and current not in known and action is not None:
            # A question of an older bank version: keep it selectable.
            choices.append(("Earlier question", [(current, current.replace(":", " · "))]))
        self.fields["question"].widget.choices = [("", "None"), *choices]
        if action is None:
            self.fields["form_token"].initial = uuid.uuid4()
        else:
            del self.fields["form_token"]
            del self.fields["source_round"]
        if action is not None or team is not None:
            del self.fields["from_pattern"]

    def clean_owner(self):
        key = self.cleaned_data["owner"]
        if not key:
            return None
        if key not in self.owners:
            raise ValidationError(self.owner_refused)
        return self.owners[key]

    def clean_question(self):
        return QuestionRef.parse(self.cleaned_data["question"])
