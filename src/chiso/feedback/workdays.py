"""Working days (ngày làm việc): Monday to Friday, less the holidays in the `Holiday` table, plus
the weekend days worked in exchange. Deadlines and response times are counted with these."""

from __future__ import annotations

import datetime

from .models import Holiday

ONE_DAY = datetime.timedelta(days=1)


class WorkCalendar:
    """The calendar between two dates, read once (figures for a year count thousands of items)."""

    def __init__(self, start: datetime.date, end: datetime.date):
        self.start, self.end = start, end
        self.exceptions = dict(
            Holiday.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_day_off")
        )

    @classmethod
    def around(cls, day: datetime.date, *, before: int = 0, after: int = 120) -> WorkCalendar:
        return cls(day - datetime.timedelta(days=before), day + datetime.timedelta(days=after))

    def is_working_day(self, day: datetime.date) -> bool:
        if not (self.start <= day <= self.end):
            # Outside the range read: read it (rare — a deadline beyond four months).
            return WorkCalendar(day, day).is_working_day(day)
        off = self.exceptions.get(day)
        if off is not None:
            return not off
        return day.weekday() < 5

    def add(self, start: datetime.date, days: int) -> datetime.date:
        """The `days`-th working day after `start` (the day of receipt is not counted)."""
        day, counted = start, 0
        while counted < days:
            day += ONE_DAY
            if self.is_working_day(day):
                counted += 1
        return day

    def between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after `start` up to and including `end` (0 for the same day)."""
        if end <= start:
            return 0
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            if self.is_working_day(day):
                count += 1
        return count


def working_days_add(start: datetime.date, days: int) -> datetime.date:
    return WorkCalendar.around(start, after=max(120, days * 3)).add(start, days)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    return WorkCalendar(start, max(start, end)).between(start, end)
