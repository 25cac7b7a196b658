"""Working days: weekends, Vietnamese public holidays (fixed and lunar, a row per year), swapped days."""

import datetime

import pytest

from chiso.feedback.models import Holiday
from chiso.feedback.workdays import WorkCalendar, working_days_add, working_days_between

D = datetime.date


def test_a_plain_week_skips_the_weekend(defaults):
    # Monday 6 March 2023 + 10 working days = Monday 20 March (the day of receipt is not counted)
    assert working_days_add(D(2023, 3, 6), 10) == D(2023, 3, 20)
    assert working_days_add(D(2023, 3, 10), 1) == D(2023, 3, 13)  # Friday → Monday
    assert working_days_between(D(2023, 3, 6), D(2023, 3, 20)) == 10
    assert working_days_between(D(2023, 3, 6), D(2023, 3, 6)) == 0


def test_tet_2023_and_the_lunar_hung_kings_day_are_skipped(defaults):
    # Thursday 19 January 2023; Tết Quý Mão: 20 (Fri) and 23–26 January off → 1 day later is Friday 27
    assert working_days_add(D(2023, 1, 19), 1) == D(2023, 1, 27)
    # Giỗ Tổ 2023 fell on Saturday 29/04: 1–3 May off; Friday 28 April + 1 = Thursday 4 May
    assert working_days_add(D(2023, 4, 28), 1) == D(2023, 5, 4)
    # 2/9/2022 (Friday) and 1/9 (Thursday) off
    assert working_days_add(D(2022, 8, 31), 1) == D(2022, 9, 5)


def test_a_saturday_worked_in_exchange_counts(defaults):
    # 2024: Monday 29 April off, Saturday 4 May worked instead
    calendar = WorkCalendar(D(2024, 4, 1), D(2024, 6, 1))
    assert not calendar.is_working_day(D(2024, 4, 29))
    assert calendar.is_working_day(D(2024, 5, 4))
    assert calendar.add(D(2024, 5, 3), 1) == D(2024, 5, 4)


def test_the_calendar_is_data(defaults):
    day = D(2023, 3, 7)  # an ordinary Tuesday
    assert working_days_add(D(2023, 3, 6), 1) == day
    Holiday.objects.create(date=day, name_vi="Nghỉ đột xuất (thử)")
    assert working_days_add(D(2023, 3, 6), 1) == D(2023, 3, 8)


@pytest.mark.parametrize("year,lunar_new_year", [(2022, D(2022, 2, 1)), (2023, D(2023, 1, 22)), (2024, D(2024, 2, 10)),
                                                   (2025, D(2025, 1, 29)), (2026, D(2026, 2, 17))])
def test_every_seeded_year_has_tet_and_its_working_days_off(defaults, year, lunar_new_year):
    rows = Holiday.objects.filter(date__year=year, is_day_off=True)
    tet = [h for h in rows if abs((h.date - lunar_new_year).days) <= 6]
    assert len(tet) == 5  # the Labour Code's five days of Tết, on working days
    assert all(h.date.weekday() < 5 for h in rows)
