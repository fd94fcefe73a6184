"""The in-memory rate-limit storage of the staff sign-in limit: two threads counting at once
never start its expiry timer twice. The resident pages count in their own windows."""

from __future__ import annotations

import threading

import pytest
from limits.storage import storage_from_string

from frontoffice import rate_limits
from frontoffice.public import guard


def _racing(storage_class: type) -> type:
    """The storage, with the first thread that replaces its timer held back until a second
    one has replaced it too: both then start the second's timer, unless they take turns."""
    first, second = threading.Lock(), threading.Event()

    def set_timer(self, timer) -> None:
        self.__dict__["timer"] = timer
        if not getattr(self, "racing", False):
            return
        if first.acquire(blocking=False):
            second.wait(timeout=0.5)
        else:
            second.set()

    class Racing(storage_class):
        timer = property(lambda self: self.__dict__["timer"], set_timer)

    return Racing


@pytest.mark.no_db
@pytest.mark.parametrize("count", ["incr", "acquire_entry"])
def test_two_threads_counting_at_once_never_start_the_expiry_timer_twice(count):
    storage_class = type(storage_from_string(rate_limits.storage_uri("memory://")))
    racing = _racing(storage_class)
    storage = racing()
    storage.timer.join()  # it stopped: the next count starts a new one
    storage.racing = True
    failures: list[BaseException] = []
    start = threading.Barrier(2)

    def count_one(key: str) -> None:
        start.wait()
        try:
            if count == "incr":
                storage.incr(key, 60)
            else:
                storage.acquire_entry(key, 10, 60)
        except BaseException as error:  # noqa: BLE001 - what the thread died of
            failures.append(error)

    threads = [threading.Thread(target=count_one, args=(k,)) for k in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_on_memory_sign_in_counts_in_the_thread_safe_storage_resident_pages_in_process(
    app,
):
    """Flask-Limiter builds its storage from RATELIMIT_STORAGE_URI (off in tests); the
    resident pages count their own moving windows under one lock (guard.InProcessWindows)."""
    sign_in = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
    assert isinstance(sign_in, rate_limits.ThreadSafeMemoryStorage)
    with app.test_request_context():
        assert isinstance(guard._limiter(), guard.InProcessWindows)
    assert rate_limits.storage_uri("redis://cache:6379/2") == "redis://cache:6379/2"
