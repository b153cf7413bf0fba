"""Output files are written whole, with the permissions the user's umask gives."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.errors import GeoError
from geo.outputfile import write_atomically

FIX = "Choose a writable folder with --out."


@pytest.fixture
def umask() -> Iterator[None]:
    """Restore the process umask after a test that sets its own."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_a_new_file_gets_the_mode_of_the_umask(umask, tmp_path: Path, mask: int, mode: int) -> None:
    os.umask(mask)
    path = write_atomically(tmp_path / "ut" / "plan.csv", b"nr;plats\n", fix=FIX)
    assert path.read_bytes() == b"nr;plats\n"
    assert _mode(path) == mode


def test_a_rewritten_file_keeps_the_mode_it_was_given(umask, tmp_path: Path) -> None:
    path = tmp_path / "lagesbild.html"
    path.write_bytes(b"old")
    path.chmod(0o640)  # an administrator's choice: the planning group only
    write_atomically(path, b"new", fix=FIX)
    assert path.read_bytes() == b"new"
    assert _mode(path) == 0o640


def test_a_failed_write_names_the_file_and_the_fix_and_leaves_no_debris(tmp_path: Path) -> None:
    target = tmp_path / "plan.csv"
    target.mkdir()  # a folder where the file should go: the final rename fails
    with pytest.raises(GeoError, match=r"Cannot write '.*plan\.csv'.*writable folder with --out"):
        write_atomically(target, b"data", fix=FIX)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.csv"]
    assert target.is_dir()


def test_a_folder_that_is_a_file_is_refused_with_the_fix(tmp_path: Path) -> None:
    (tmp_path / "maps").write_text("not a folder")
    with pytest.raises(GeoError, match=r"maps/lagesbild\.html.*writable folder"):
        write_atomically(tmp_path / "maps" / "lagesbild.html", b"x", fix=FIX)


def test_a_rewritten_file_keeps_its_group(tmp_path: Path) -> None:
    """chmod 640 for the planners' group only works if the group stays the planners'."""
    path = tmp_path / "lagesbild.html"
    path.write_bytes(b"old")
    other = next(g for g in (65534, 1, 2, 3) if g != os.getgid())  # nogroup, daemon, …
    try:
        os.chown(path, -1, other)
    except PermissionError:
        pytest.skip("this account cannot give a file another group")
    path.chmod(0o640)
    write_atomically(path, b"new", fix=FIX)
    assert (path.stat().st_gid, _mode(path)) == (other, 0o640)
