"""Submit an admin change form as a browser would: every field as rendered, plus the changes."""

import datetime

from django import forms
from django.utils import timezone


def form_data(form):
    data = {}
    for bound_field in form:
        field, value, name = bound_field.field, bound_field.value(), bound_field.html_name
        if isinstance(field, forms.SplitDateTimeField):
            if isinstance(value, datetime.datetime):
                local = timezone.localtime(value)
                value = [local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")]
            date, time = value if isinstance(value, list) else ("", "")
            data[f"{name}_0"], data[f"{name}_1"] = date, time
        elif isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        elif isinstance(field, forms.FileField):
            continue
        elif value is None:
            data[name] = ""
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        else:
            data[name] = str(value)
    return data


def admin_form_data(response, **changes):
    """The POST data the change page in `response` would send, with `changes` applied
    (a value of None removes the field, like an unticked checkbox)."""
    data = form_data(response.context["adminform"].form)
    # The history pages' forms have no inlines.
    for inline in response.context.get("inline_admin_formsets", []):
        data.update(form_data(inline.formset.management_form))
        for form in inline.formset.forms:
            data.update(form_data(form))
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}
