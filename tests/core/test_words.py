"""Stored values in words: audit values as a reader reads them."""

import datetime

from django.utils import timezone, translation

from chiso.core.templatetags.words import stored_value


def test_stored_values_read_the_local_way():
    with translation.override("vi"):
        assert stored_value("2023-03-17 17:00 – 2023-05-31 17:00") == "17:00 17/03/2023 – 17:00 31/05/2023"
        assert stored_value("2025-03-13") == "13/03/2025"
        moment = timezone.make_aware(datetime.datetime(2025, 3, 13, 1, 30), datetime.timezone.utc)
        assert stored_value(moment.isoformat()) == "08:30 13/03/2025"  # Asia/Ho_Chi_Minh
        assert stored_value("1.35") == "1,35" and stored_value("0.0") == "0" and stored_value("12") == "12"
        assert stored_value("F8.3.4") == "F8.3.4" and stored_value(None) == ""
