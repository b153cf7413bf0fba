"""Write an output file atomically, with the permissions any other program would give it.

A map, a plan or a report is written to a hidden file beside its target and then renamed
over it, so a reader (a browser, a file share, the next ``geo`` run) never sees half a file.
The new file gets the mode a plain ``open()`` would give, ``0o666`` less the umask, and a
file that is already there keeps its mode and, where this account may set it, its group: an
administrator who made ``maps/lagesbild.html`` readable by the planning group only
(``chgrp planering``, ``chmod 640``) keeps it so after the next run.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

from geo.errors import GeoError


def write_atomically(path: Path, data: bytes, *, fix: str) -> Path:
    """Write ``data`` to ``path`` in one step (a half-written file is never left).

    Parameters
    ----------
    path
        The output file; its folder is created.
    data
        The whole content.
    fix
        What the user can do when the file cannot be written, e.g. ``"Choose a writable
        folder with --out."``; ends the error message.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    GeoError
        If the folder or the file cannot be written; names the file, the reason and ``fix``.
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        old = path.stat() if path.exists() else None
        mode = stat.S_IMODE(old.st_mode) if old is not None else 0o666
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            if old is not None:
                _keep_group(tmp, old.st_gid)
                tmp.chmod(mode)  # the umask does not apply to a mode kept from the old file
            tmp.replace(path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as e:
        msg = f"Cannot write {str(path)!r}: {e.strerror or e}. {fix}"
        raise GeoError(msg) from e
    return path


def check_writable(path: Path, *, fix: str) -> None:
    """Check before a long run that ``path`` can be written, as :func:`write_atomically` will.

    The nearest existing folder on its way must be a folder this account may write in (the
    missing ones are made when the file is written), and ``path`` no folder.

    Parameters
    ----------
    path
        The output file.
    fix
        What the user can do, ending the error message.

    Raises
    ------
    GeoError
        Naming the file, why it cannot be written and ``fix``.
    """
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    why = None
    if path.is_dir():
        why = "it is a folder"
    elif not folder.is_dir():
        why = f"{str(folder)!r} is not a folder"
    elif not os.access(folder, os.W_OK | os.X_OK):
        why = f"the folder {str(folder)!r} is not writable"
    if why is not None:
        msg = f"Cannot write {str(path)!r}: {why}. {fix}"
        raise GeoError(msg)


def _keep_group(path: Path, gid: int) -> None:
    """Give ``path`` the group ``gid`` if this account may (a member of it, or root)."""
    with contextlib.suppress(PermissionError):  # not a member: this account's group stays
        os.chown(path, -1, gid)
