from django import template

from apps.core import design, text

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`{{ answers|get_item:question.pk }}`: look a key up in a dict."""
    return mapping.get(key) if mapping else None


@register.filter
def add_class(field, css: str):
    """Render a form field's widget with an extra CSS class (for hand-laid-out forms)."""
    return field.as_widget(attrs={"class": css})


@register.filter
def possessive(name) -> str:
    """`{{ organization.name|possessive }}`: "Ada's", "NewCo Labs'" (core.text.possessive)."""
    return text.possessive(name)


@register.filter
def points(value) -> str:
    """`{{ row.mean|points }} / {{ row.max_points|points }}`: one format for every score in
    points (core.text.format_points)."""
    return text.format_points(value)


@register.filter
def change_since(change, since: str | None = None):
    """`{{ t.change|change_since:t.first_quarter }}`: "▼ -3 pp since Q2 2026" (without `since`
    where the caption says what the change is against), a decline in its colour
    (`design.change_html`, the one way a change is written)."""
    return design.change_html(change, since)
