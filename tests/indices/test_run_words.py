"""A run's steps in words, not parameters."""

from django.utils import translation

from chiso.indices.templatetags.run_words import steps_in_words


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
