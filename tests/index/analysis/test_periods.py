"""Question periods: publication-date windows resolved against today."""

from __future__ import annotations

from datetime import date

import pytest

from index.analysis.periods import find_periods

TODAY = date(2024, 8, 7)  # a Wednesday


@pytest.mark.parametrize(
    ("question", "window"),
    [
        ("what happened in July 2024", ((2024, 7, 1), (2024, 7, 31))),
        ("у липні 2024", ((2024, 7, 1), (2024, 7, 31))),
        ("в июле 2024 года", ((2024, 7, 1), (2024, 7, 31))),
        ("in 2023", ((2023, 1, 1), (2023, 12, 31))),
        ("last week", ((2024, 7, 29), (2024, 8, 7))),
        ("на прошлой неделе", ((2024, 7, 29), (2024, 8, 7))),
        ("минулого тижня", ((2024, 7, 29), (2024, 8, 7))),
        ("past week", ((2024, 7, 31), (2024, 8, 7))),
        ("за останній тиждень", ((2024, 7, 31), (2024, 8, 7))),
        ("за последнюю неделю", ((2024, 7, 31), (2024, 8, 7))),
        ("this month", ((2024, 8, 1), (2024, 8, 7))),
        ("last month", ((2024, 7, 1), (2024, 8, 7))),
        ("since Monday", ((2024, 8, 5), (2024, 8, 7))),
        ("з понеділка", ((2024, 8, 5), (2024, 8, 7))),
        ("с понедельника", ((2024, 8, 5), (2024, 8, 7))),
        ("yesterday", ((2024, 8, 6), (2024, 8, 7))),
        ("in July", ((2024, 7, 1), (2024, 7, 31))),
        ("in September", ((2023, 9, 1), (2023, 9, 30))),
        ("in the last 3 days", ((2024, 8, 4), (2024, 8, 7))),
        ("за останні 3 дні", ((2024, 8, 4), (2024, 8, 7))),
        ("за последние 2 недели", ((2024, 7, 24), (2024, 8, 7))),
        ("2 days ago", ((2024, 8, 5), (2024, 8, 6))),
        ("3 дні тому", ((2024, 8, 4), (2024, 8, 5))),
        ("since 2023", ((2023, 1, 1), (2024, 8, 7))),
        ("з 2023 року", ((2023, 1, 1), (2024, 8, 7))),
        ("с 2023 года", ((2023, 1, 1), (2024, 8, 7))),
        ("who was recently elected", ((2024, 7, 8), (2024, 8, 7))),
        ("що нещодавно сталося", ((2024, 7, 8), (2024, 8, 7))),
        ("что произошло в последнее время", ((2024, 7, 8), (2024, 8, 7))),
    ],
)
def test_periods_resolve_against_today(
    question: str, window: tuple[tuple[int, int, int], tuple[int, int, int]]
) -> None:
    (period,) = find_periods(question, TODAY)
    assert period.window == (date(*window[0]), date(*window[1]))


@pytest.mark.parametrize(
    "question",
    [
        "what did Stoltenberg say on 14 July",
        "we may see",
        "who won the 2024 vote",
        "the fighting lasted 3 days",
        "a recent match",
    ],
)
def test_no_period_where_none_is_named(question: str) -> None:
    assert find_periods(question, TODAY) == []
