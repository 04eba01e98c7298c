from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`{{ answers|get_item:question.pk }}`: look a key up in a dict."""
    return mapping.get(key) if mapping else None


@register.filter
def add_class(field, css: str):
    """Render a form field's widget with an extra CSS class (for hand-laid-out forms)."""
    return field.as_widget(attrs={"class": css})
