"""Form fields every app's pages share (a leaf: imports no app)."""

from django import forms

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"]


class DateField(forms.DateField):
    """A date typed as 13/03/2023 (or picked in the browser's calendar, which sends 2023-03-13)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_FORMATS)
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        super().__init__(**kwargs)
