"""The public registration's limit per browser session: three a minute, a sliding window."""

from services.rate_limit import attempt


def test_three_a_minute_then_a_wait_that_counts_down():
    recent: tuple[float, ...] = ()
    for second in (0, 10, 20):
        verdict = attempt(recent, now=second)
        assert verdict.allowed
        recent = verdict.recent
    refused = attempt(recent, now=30)
    assert (refused.allowed, refused.wait_seconds, refused.recent) == (False, 30, (0, 10, 20))
    assert attempt(recent, now=59.5).allowed is False
    later = attempt(recent, now=60)  # the first attempt has left the window
    assert later.allowed and later.recent == (10, 20, 60)


def test_a_refused_attempt_does_not_extend_the_wait():
    recent = attempt(attempt(attempt((), now=0).recent, now=1).recent, now=2).recent
    for now in (3, 30, 59):
        assert attempt(recent, now=now).allowed is False
    assert attempt(recent, now=60).allowed
