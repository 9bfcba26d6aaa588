"""The write sequence's retry loop (registry/store/writing.py): which failures are run again,
how often, and that the request's budget bounds the retries.  A store of its own, whose
transaction fails as told, stands in for the database here; the real stores are in tests/contract."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext

import pytest

from registry.domain.errors import ErrorCode, RegistryError, StoreUnavailable
from registry.store import budget
from registry.store.port import WriteBatch
from registry.store.writing import ATTEMPTS, T, Transient, WriteSequence, WriteTransaction


class _Flaky(Exception):
    """A failure the store says is transient."""


class _Failing(WriteSequence):
    """Every transaction fails with `error`; counts its attempts."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.attempts = 0

    def _writers_turn(self, left: float | None) -> AbstractContextManager[object]:
        return nullcontext()

    def _in_transaction(self, work: Callable[[WriteTransaction], T]) -> T:
        self.attempts += 1
        raise self.error

    def _failure(self, error: Exception) -> Exception | Transient:
        if isinstance(error, _Flaky):
            return Transient(StoreUnavailable())
        return error


@pytest.fixture
def no_budget() -> Iterator[None]:
    token = budget.DEADLINE.set(None)
    yield
    budget.DEADLINE.reset(token)


def test_a_transient_failure_is_run_again_a_bounded_number_of_times(no_budget: None) -> None:
    store = _Failing(_Flaky())
    with pytest.raises(StoreUnavailable):
        store.write(WriteBatch())
    assert store.attempts == ATTEMPTS


def test_a_decided_error_is_raised_at_once(no_budget: None) -> None:
    store = _Failing(RegistryError(ErrorCode.DUPLICATE, "taken", "slug"))
    with pytest.raises(RegistryError) as raised:
        store.write(WriteBatch())
    assert (raised.value.code, store.attempts) == (ErrorCode.DUPLICATE, 1)


def test_a_failure_the_store_does_not_know_is_raised_as_it_is(no_budget: None) -> None:
    store = _Failing(KeyError("x"))
    with pytest.raises(KeyError):
        store.write(WriteBatch())
    assert store.attempts == 1


def test_retries_stop_when_the_budget_is_spent() -> None:
    store = _Failing(_Flaky())
    codes: list[ErrorCode] = []
    token = budget.DEADLINE.set(time.monotonic() + 0.05)
    try:
        for _ in range(1000):  # the jitter may be short: write again until the budget runs out
            try:
                store.write(WriteBatch())
            except StoreUnavailable:
                continue
            except RegistryError as error:
                codes.append(error.code)
                break
    finally:
        budget.DEADLINE.reset(token)
    assert codes == [ErrorCode.TIMEOUT]
