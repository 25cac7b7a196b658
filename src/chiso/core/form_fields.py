"""Form fields every app's pages share (a leaf: imports no app)."""

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from chiso.formats.numbers import NumberRefused, parse_number, shown

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"]


class DateField(forms.DateField):
    """A date typed as 13/03/2023 (or picked in the browser's calendar, which sends 2023-03-13)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_FORMATS)
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        super().__init__(**kwargs)


class NumberField(forms.Field):
    """A number typed the Vietnamese way: '1.000' is a thousand, '1,5' one and a half, '1.234,5'.

    The reading is chiso.formats.numbers.parse_number (the one parser): an entry that could be read
    two ways ('1.5') is refused with a message showing how to write it, never changed. The value
    shown in the input is written the same way (0,5 — never 0.5 or an exponent) and reads back
    exactly. `decimals=False` for whole numbers; `coerce=float` where the service takes floats;
    `grouped=False` for a year (2025, not 2.025).
    """

    def __init__(self, *, decimals: bool = True, min_value=None, max_value=None, decimal_places: int | None = None,
                 coerce=None, grouped: bool = True, **kwargs):
        self.decimals, self.min_value, self.max_value, self.grouped = decimals, min_value, max_value, grouped
        self.decimal_places, self.coerce = decimal_places, coerce
        kwargs.setdefault("widget", forms.TextInput)
        kwargs.pop("localize", None)  # always the Vietnamese way, whatever the page's language
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.setdefault("inputmode", "decimal" if self.decimals else "numeric")
        return attrs

    def prepare_value(self, value):
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            return shown(value, grouped=self.grouped)
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            return Decimal(str(value))
        try:
            return parse_number(str(value), decimals_allowed=self.decimals, decimal_places=self.decimal_places)
        except NumberRefused as refusal:
            raise ValidationError(str(refusal), code="invalid") from None

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if self.min_value is not None and value < Decimal(str(self.min_value)):
            raise ValidationError(_("Enter a number of at least %(limit)s.") % {"limit": shown(self.min_value, grouped=self.grouped)}, code="min_value")
        if self.max_value is not None and value > Decimal(str(self.max_value)):
            raise ValidationError(_("Enter a number of at most %(limit)s.") % {"limit": shown(self.max_value, grouped=self.grouped)}, code="max_value")
        if self.decimal_places is not None and -min(value.normalize().as_tuple().exponent, 0) > self.decimal_places:
            rounded = value.quantize(Decimal(1).scaleb(-self.decimal_places), rounding=ROUND_HALF_UP)
            raise ValidationError(_("Enter at most %(places)s decimal places, e.g. %(example)s.")
                                  % {"places": self.decimal_places, "example": shown(rounded)}, code="decimal_places")

    def clean(self, value):
        value = super().clean(value)
        return self.coerce(value) if value is not None and self.coerce is not None else value
