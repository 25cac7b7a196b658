"""Codes and stored values in words: block names, audit values, a run's steps."""

import datetime

import pytest
from django.utils import timezone, translation

from chiso.core.templatetags.words import block_names, stored_value, steps_in_words


@pytest.mark.django_db
def test_block_codes_become_their_names_in_block_order():
    with translation.override("vi"):
        text = block_names(["central_agency", "department", "nowhere"])
    assert "department" not in text and "central_agency" not in text
    assert text.startswith("Sở, ban, ngành; ") and text.endswith("; nowhere")


def test_stored_values_read_the_local_way():
    with translation.override("vi"):
        assert stored_value("2023-03-17 17:00 – 2023-05-31 17:00") == "17:00 17/03/2023 – 17:00 31/05/2023"
        assert stored_value("2025-03-13") == "13/03/2025"
        moment = timezone.make_aware(datetime.datetime(2025, 3, 13, 1, 30), datetime.timezone.utc)
        assert stored_value(moment.isoformat()) == "08:30 13/03/2025"  # Asia/Ho_Chi_Minh
        assert stored_value("1.35") == "1,35" and stored_value("0.0") == "0" and stored_value("12") == "12"
        assert stored_value("F8.3.4") == "F8.3.4" and stored_value(None) == ""


def test_a_runs_steps_in_words_not_parameters():
    log = [["normalise", {"method": "minmax", "l_u": [1, 10], "overrides": None}],
           ["aggregate", {"method": "amean", "methods": {"3": "sum"}, "weights": None, "dat_thresh": None, "p": None, "scale": 10}],
           ["points", {"bonus": {"PAR": "bonus"}, "penalty": {"PAR": "penalty"}, "output": "percent"}]]
    with translation.override("vi"):
        steps = steps_in_words(log)
    assert steps == [
        ("Chuẩn hóa", "min-max, từ 1 đến 10"),
        ("Tổng hợp", "trung bình cộng có trọng số; trọng số lấy từ bộ chỉ số; cấp 3: tổng có trọng số; tổng quy về thang 10"),
        ("Điểm", "điểm theo thang điểm của bộ chỉ số, tính theo % điểm tối đa; có điểm thưởng và điểm trừ"),
    ]
    text = " ".join(t for _name, t in steps)
    assert "{" not in text and "None" not in text and "=" not in text
