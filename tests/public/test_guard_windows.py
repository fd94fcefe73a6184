"""The resident pages' limits counted in one process (the default, in-memory storage): a
moving window per address, as the limits library counts one, on a clock the test moves."""

from __future__ import annotations

import pytest
from limits import parse, parse_many

from frontoffice.public.guard import InProcessWindows

pytestmark = pytest.mark.no_db


class Clock:
    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


def test_a_window_lets_its_amount_through_then_refuses_until_the_oldest_leaves_it():
    clock = Clock()
    windows = InProcessWindows(clock)
    per_minute = parse("3 per minute")
    for _ in range(3):
        assert windows.hit(per_minute, "submit", "ip:192.0.2.1")
        clock.seconds += 10
    assert not windows.test(per_minute, "submit", "ip:192.0.2.1")
    assert not windows.hit(per_minute, "submit", "ip:192.0.2.1")
    assert windows.hit(per_minute, "submit", "ip:198.51.100.7"), "another address counts apart"
    clock.seconds += 31  # the first hit is now more than a minute old; the refusal never counted
    assert windows.test(per_minute, "submit", "ip:192.0.2.1")
    assert windows.hit(per_minute, "submit", "ip:192.0.2.1")
    assert not windows.hit(per_minute, "submit", "ip:192.0.2.1")


def test_every_limit_of_a_name_counts():
    clock = Clock()
    windows = InProcessWindows(clock)
    minute, day = parse_many("10 per minute;12 per day")
    for _ in range(10):
        assert windows.hit(minute, "submit", "ip:a") and windows.hit(day, "submit", "ip:a")
    assert not windows.hit(minute, "submit", "ip:a")
    clock.seconds += 61
    assert windows.hit(minute, "submit", "ip:a") and windows.hit(day, "submit", "ip:a")
    assert windows.hit(minute, "submit", "ip:a") and windows.hit(day, "submit", "ip:a")
    assert not windows.hit(day, "submit", "ip:a"), "twelve in the day"
    clock.seconds += 24 * 3600
    assert windows.hit(day, "submit", "ip:a")


def test_windows_idle_for_their_length_are_dropped():
    clock = Clock()
    windows = InProcessWindows(clock)
    minute, hour = parse("5 per minute"), parse("5 per hour")
    for n in range(100):
        windows.hit(minute, "track", f"ip:{n}")
    windows.hit(hour, "guess_refuse", "ip:kept")
    assert len(windows) == 101
    clock.seconds += 120
    windows.hit(minute, "track", "ip:new")
    assert len(windows) == 2, "only the hour's window and the new one are left"


def test_looking_at_a_window_never_makes_one():
    windows = InProcessWindows(Clock())
    minute = parse("5 per minute")
    for n in range(50):
        assert windows.test(minute, "guess_slow", f"ip:{n}")
    assert len(windows) == 0, "only a hit keeps a window"
