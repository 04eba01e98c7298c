import datetime as dt

from django import template
from django.utils import timezone
from django.utils.formats import date_format

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`{{ answers|get_item:question.pk }}`: look a key up in a dict."""
    return mapping.get(key) if mapping else None


@register.filter
def closing(value):
    """A close date-time for people: midnight is "end of" the day before."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    if local.time() == dt.time(0):
        return f"end of {date_format(local - dt.timedelta(days=1), 'j M Y')}"
    return date_format(local, "j M Y, H:i")


@register.filter
def add_class(field, css: str):
    """Render a form field's widget with an extra CSS class (for hand-laid-out forms)."""
    return field.as_widget(attrs={"class": css})
