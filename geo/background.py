"""Run a function in a forked child process while the parent goes on (the main job's two cores).

A forked child starts with the parent's memory: its imports, the incidents it has read and
the road graph are there without pickling; only the result travels back, through a pipe.
Where ``fork`` does not exist (Windows) the function runs in the calling process when its
result is asked for, so a function that waits for a signal from the parent still works.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Generic, ParamSpec, TypeVar, cast

from geo.errors import GeoError

T = TypeVar("T")
P = ParamSpec("P")


class ChildError(GeoError):
    """The child process died, or failed with an error that could not be sent back."""


def _child_main(
    conn: Connection, fn: Callable[..., object], args: tuple[object, ...], kwargs: dict[str, object]
) -> None:
    """Run ``fn(*args, **kwargs)`` and send ``("ok", result)`` or ``("error", exception)``."""
    try:
        outcome: tuple[str, object] = ("ok", fn(*args, **kwargs))
    except BaseException as e:  # every failure must reach the parent
        outcome = ("error", e)
    try:
        conn.send(outcome)
    except Exception:  # the result or the exception does not pickle
        conn.send(("error", ChildError(traceback.format_exc())))
    finally:
        conn.close()


class Background(Generic[T]):
    """A call running in a forked child; :meth:`result` waits for it.

    Use it as a context manager: leaving the block without taking the result (the parent
    failed meanwhile) stops the child.

    Parameters
    ----------
    fn
        The function; it must not touch what the parent writes meanwhile.
    *args, **kwargs
        Its arguments (inherited by the child, never pickled).
    """

    def __init__(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> None:
        self._value: tuple[str, Any] | None = None
        self._process: multiprocessing.process.BaseProcess | None = None
        self._deferred: tuple[Callable[..., T], tuple[object, ...], dict[str, object]] | None = None
        if "fork" not in multiprocessing.get_all_start_methods():
            self._deferred = (fn, args, kwargs)
            return
        ctx = multiprocessing.get_context("fork")
        self._conn, child_conn = ctx.Pipe(duplex=False)
        self._process = ctx.Process(
            target=_child_main, args=(child_conn, fn, args, kwargs), name=f"geo-{fn.__name__}"
        )
        self._process.start()
        child_conn.close()

    @staticmethod
    def _inline(
        fn: Callable[..., T], args: tuple[object, ...], kwargs: dict[str, object]
    ) -> tuple[str, Any]:
        try:
            return ("ok", fn(*args, **kwargs))
        except Exception as e:
            return ("error", e)

    def __enter__(self) -> Background[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self._deferred = None
        if self._value is None and self._process is not None:
            self._process.terminate()
            self._process.join()
            self._conn.close()

    def result(self) -> T:
        """Wait for the child and return its result (or raise its exception).

        Raises
        ------
        ChildError
            If the child died without sending a result.
        """
        if self._value is None and self._deferred is not None:
            self._value = self._inline(*self._deferred)
        if self._value is None:
            assert self._process is not None
            try:
                self._value = self._conn.recv()
            except EOFError:
                self._process.join()
                code = self._process.exitcode
                died = ChildError(f"{self._process.name} died (exit code {code})")
                self._value = ("error", died)
            finally:
                self._conn.close()
                self._process.join()
        status, value = self._value
        if status == "error":
            raise value
        return cast("T", value)
