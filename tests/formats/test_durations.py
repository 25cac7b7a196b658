"""Durations in words, in the page's language."""

from django.utils import translation

from chiso.formats.durations import duration_words


def test_durations_in_vietnamese_words():
    with translation.override("vi"):
        assert duration_words(101) == "1 phút 41 giây"
        assert duration_words(600) == "10 phút"
        assert duration_words(45.4) == "45 giây"
        assert duration_words(7500) == "2 giờ 5 phút"
        assert duration_words(0) == "0 giây"
        assert duration_words(None) == "—"


def test_durations_in_english_as_units():
    with translation.override("en"):
        assert duration_words(101) == "1 min 41 s"
