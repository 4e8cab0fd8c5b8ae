"""Construction periods (建设期) as pure functions: no Django, no database."""

from datetime import date, timedelta


def years_after(day: date, years: int) -> date:
    """The same day `years` later; 29 February falls back to 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def period_end(start: date, construction_years: int | None) -> date:
    """The end of a construction period starting on `start`: its category's construction
    years later, at least one year (a category without construction years, such as a
    yearly award, still gets a year to report on)."""
    return years_after(start, max(construction_years or 1, 1))


def extension_latest(ends_on: date, max_days: int) -> date:
    """The latest date a construction period ending on `ends_on` may be extended to."""
    return ends_on + timedelta(days=max_days)
