"""A brake on guessing one account's password that does not lock its owner out.

After :data:`FREE_FAILURES` wrong passwords for a login name, each further attempt for that
name must wait twice as long as the one before (1 s, 2 s, 4 s … at most :data:`MAX_WAIT_S`)
after the last one checked; an attempt that comes sooner is answered at once, without
checking the password. An attempt counts as wrong from the moment it is let through to its
check (so that guesses sent at once are not all checked), and a right password resets the
count. Names are counted as logins compare them
(case and surrounding spaces ignored), every name alike, whether an account has it or not, so
the brake tells no one which names exist.

A brake per name alone would let anyone keep the owner out by guessing at the moment each
wait ends. The browser that logged in as a name before therefore carries a signed cookie
naming it (:data:`DEVICE_COOKIE`, a year), and its attempts for that name never wait: the
owner's own phone always gets to try, while a guesser elsewhere gets one guess per wait.
The counts live in the server's memory (a restart forgets them), for at most
:data:`TRACKED_NAMES` names.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections import OrderedDict
from collections.abc import Callable

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import Request
from starlette.responses import Response

from geo.users import clean_name

#: Wrong passwords for a name that wait for nothing.
FREE_FAILURES = 5
#: The longest wait between two attempts for a name.
MAX_WAIT_S = 300.0
#: Names whose counts are kept (the least recently failed are forgotten first).
TRACKED_NAMES = 10_000
#: The cookie naming the accounts that logged in with this browser before.
DEVICE_COOKIE = "geo_device"
#: How long the browser keeps it.
DEVICE_MAX_AGE_S = 365 * 24 * 3600
#: The names one browser's cookie holds at most (a shared phone), the latest kept.
DEVICE_NAMES = 10


def name_key(name: str) -> str:
    """Return a typed login name as the brake counts it: cleaned and case-folded.

    Parameters
    ----------
    name
        The name as typed.

    Returns
    -------
    str
        The key.
    """
    return clean_name(name).casefold()


class LoginThrottle:
    """Count wrong passwords per login name and say how long the next attempt must wait.

    Parameters
    ----------
    free_failures
        Wrong passwords that wait for nothing.
    max_wait_s
        The longest wait.
    tracked
        Names whose counts are kept.
    clock
        Seconds, monotonic (a test's own clock).
    """

    def __init__(
        self,
        *,
        free_failures: int = FREE_FAILURES,
        max_wait_s: float = MAX_WAIT_S,
        tracked: int = TRACKED_NAMES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free_failures = free_failures
        self.max_wait_s = max_wait_s
        self.tracked = tracked
        self.clock = clock
        self._failed: OrderedDict[str, tuple[int, float]] = OrderedDict()

    def wait_s(self, name: str) -> float:
        """Return the seconds left before an attempt for ``name`` is checked (0: now).

        Parameters
        ----------
        name
            The login name as typed.

        Returns
        -------
        float
            ``0.0`` within the free failures, else what is left of the wait since the last
            attempt checked: 1 s after the first past them, doubling, at most ``max_wait_s``.
        """
        failures, last = self._failed.get(name_key(name), (0, 0.0))
        if failures < self.free_failures:
            return 0.0
        wait = min(2.0 ** (failures - self.free_failures), self.max_wait_s)
        return max(0.0, last + wait - self.clock())

    def attempted(self, name: str) -> None:
        """Count an attempt for ``name`` let through to its check, as wrong until it proves right.

        Counted before the (slow) check, not after: guesses sent at once, which all passed
        :meth:`wait_s` before the first was found wrong, were each checked.

        Parameters
        ----------
        name
            The login name as typed.
        """
        key = name_key(name)
        failures, _ = self._failed.pop(key, (0, 0.0))
        self._failed[key] = (failures + 1, self.clock())
        while len(self._failed) > self.tracked:
            self._failed.popitem(last=False)

    def succeeded(self, name: str) -> None:
        """Forget the wrong passwords for ``name``: its owner logged in.

        Parameters
        ----------
        name
            The login name as typed.
        """
        self._failed.pop(name_key(name), None)


class DeviceNames:
    """The signed cookie of the names that logged in with a browser before.

    It holds each name as a keyed hash, not as text: a shared phone's cookie does not tell
    who used the phone.

    Parameters
    ----------
    secret
        The key signing it (the session's).
    secure
        Mark the cookie ``Secure`` (served over HTTPS).
    """

    def __init__(self, secret: str, *, secure: bool) -> None:
        self._serializer = URLSafeSerializer(secret, salt="geo-device-names")
        self._key = hashlib.sha256(f"geo-device-name:{secret}".encode()).digest()
        self.secure = secure

    def _token(self, name: str) -> str:
        """Return the keyed hash the cookie holds for a typed login name."""
        return hmac.new(self._key, name_key(name).encode(), hashlib.sha256).hexdigest()[:32]

    def read(self, request: Request) -> list[str]:
        """Return the name tokens the request's cookie holds, none if it is forged.

        Parameters
        ----------
        request
            A login request.

        Returns
        -------
        list of str
            The tokens, oldest first.
        """
        try:
            names = self._serializer.loads(request.cookies.get(DEVICE_COOKIE, ""))
        except BadSignature:
            return []
        return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []

    def knows(self, request: Request, name: str) -> bool:
        """Tell whether this browser logged in as ``name`` before.

        Parameters
        ----------
        request
            A login request.
        name
            The login name as typed.

        Returns
        -------
        bool
            ``True`` when the cookie names it.
        """
        return self._token(name) in self.read(request)

    def remember(self, request: Request, response: Response, name: str) -> None:
        """Add ``name`` to the browser's cookie on the answer to its successful login.

        Parameters
        ----------
        request
            The login request.
        response
            Its answer.
        name
            The account's name.
        """
        key = self._token(name)
        kept = [n for n in self.read(request) if n != key][-(DEVICE_NAMES - 1) :]
        response.set_cookie(
            DEVICE_COOKIE,
            self._serializer.dumps([*kept, key]),
            max_age=DEVICE_MAX_AGE_S,
            httponly=True,
            samesite="strict",
            secure=self.secure,
        )
