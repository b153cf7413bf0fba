"""Spots, accounts and EST observations in the store (geo.spots, geo.users, geo.cli.web)."""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import date, timedelta

import geopandas as gpd
import pyogrio
import pytest
from _web_fixtures import FJUGESTA, NEAR_FJUGESTA, PASSWORD, make_store, spot_payload
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from geo import sessions, spots, store, users
from geo.cli.web import spots as spots_cli
from geo.cli.web import users as users_cli
from geo.projection import to_working


@pytest.fixture
def store_path(tmp_path):
    return make_store(tmp_path)


@pytest.fixture
def anna(store_path):
    return users.get_user("anna", path=store_path)


@pytest.fixture
def per(store_path):
    return users.get_user("per", path=store_path)


def new_id() -> str:
    return str(uuid.uuid4())


# ---------------------------------------------------------------- accounts


def test_password_is_stored_hashed_and_checked(store_path):
    with sqlite3.connect(store_path) as conn:
        (hashed,) = conn.execute("SELECT password_hash FROM users WHERE name='anna'").fetchone()
    assert PASSWORD not in hashed
    assert hashed.startswith("$argon2id$")
    assert users.authenticate("anna", PASSWORD, path=store_path) == users.User(
        "anna", "kommun", "editor"
    )
    assert users.authenticate("anna", PASSWORD + "x", path=store_path) is None
    assert users.authenticate("okand", PASSWORD, path=store_path) is None


@pytest.mark.parametrize(
    ("name", "org", "role", "password", "word"),
    [
        ("a b", "kommun", "editor", PASSWORD, "name"),
        ("bo", "skola", "editor", PASSWORD, "organisation"),
        ("bo", "kommun", "admin", PASSWORD, "role"),
        ("bo", "kommun", "editor", "kort", "too short"),
    ],
)
def test_add_user_refuses_bad_input(store_path, name, org, role, password, word):
    with pytest.raises(users.DataError, match=word):
        users.add_user(name, org=org, role=role, password=password, path=store_path)


def test_names_ignore_case_and_surrounding_spaces_passwords_do_not(store_path):
    anna = users.User("anna", "kommun", "editor")
    for typed in ("Anna", "ANNA", " anna ", "\tAnna\u00a0"):
        assert users.authenticate(typed, PASSWORD, path=store_path) == anna, typed
        assert users.get_user(typed, path=store_path) == anna, typed
    # the right name in another case does not make a wrong password right
    assert users.authenticate("ANNA", "fel-lösenord-123", path=store_path) is None
    assert users.authenticate("Anna", PASSWORD.upper(), path=store_path) is None
    # a letter that casefold() would turn into ASCII is not a name's letter
    assert users.get_user("\u212anna", path=store_path) is None  # KELVIN SIGN + "nna"
    assert users.get_user("\u212a", path=store_path) is None


def test_a_name_stored_with_capitals_logs_in_in_any_case(store_path):
    users.add_user("Anna.Berg", org="kommun", password=PASSWORD, path=store_path)
    berg = users.User("Anna.Berg", "kommun", "editor")
    for typed in ("Anna.Berg", "anna.berg", " ANNA.BERG "):
        assert users.authenticate(typed, PASSWORD, path=store_path) == berg, typed
    # listed as created, in alphabetical order whatever the case
    assert users.list_users(path=store_path)[:2] == [users.get_user("anna", path=store_path), berg]


def test_a_name_differing_only_by_case_is_refused_not_a_second_account(store_path):
    for typed in ("Anna", " ANNA "):
        with pytest.raises(
            users.DataError, match="differs only by case from the existing user 'anna'"
        ):
            users.add_user(typed, org="polis", password="annat-lösenord", path=store_path)
    assert users.authenticate("anna", PASSWORD, path=store_path) == users.User(
        "anna", "kommun", "editor"
    )
    # the same name with spaces around it resets that account, as the exact name always did
    users.add_user(" anna ", org="kommun", role="viewer", password="nytt-lösenord", path=store_path)
    assert users.authenticate("anna", "nytt-lösenord", path=store_path) == users.User(
        "anna", "kommun", "viewer"
    )
    # a deactivated account keeps its name from a case-twin too
    with sqlite3.connect(store_path) as conn:
        conn.execute("UPDATE users SET active = 0 WHERE name = 'ulla'")
    assert users.get_user("ulla", path=store_path) is None
    with pytest.raises(users.DataError, match="existing user 'ulla'"):
        users.add_user("Ulla", org="kommun", password=PASSWORD, path=store_path)
    with sqlite3.connect(store_path) as conn:
        assert conn.execute("SELECT name FROM users ORDER BY name").fetchall() == [
            ("anna",),
            ("per",),
            ("ulla",),
        ]


def test_names_differing_by_case_from_before_keep_their_accounts(store_path):
    # a store from when names were case-sensitive may hold "Per" beside "per"
    with sqlite3.connect(store_path) as conn:
        conn.execute(
            "INSERT INTO users (name, org, role, password_hash, active, created_at)"
            " SELECT 'Per', 'kommun', 'viewer', password_hash, 1, created_at"
            " FROM users WHERE name = 'per'"
        )
    assert users.authenticate("per", PASSWORD, path=store_path).org == "polis"
    assert users.authenticate("Per", PASSWORD, path=store_path).org == "kommun"
    # another case could mean either: it means neither
    assert users.authenticate("PER", PASSWORD, path=store_path) is None
    assert users.get_user("pEr", path=store_path) is None
    users.add_user("per", org="polis", password="nytt-lösenord", path=store_path)
    assert users.authenticate("per", "nytt-lösenord", path=store_path).org == "polis"
    with pytest.raises(users.DataError, match="existing users 'Per' and 'per'"):
        users.add_user("PER", org="polis", password=PASSWORD, path=store_path)


def test_every_login_verifies_one_hash_whatever_the_name(store_path, monkeypatch):
    # unknown and ambiguous names cost what a wrong password costs: one argon2 verification
    verified: list[str] = []
    real = users._hasher

    class Spy:
        def verify(self, hashed: str, password: str) -> bool:
            verified.append(hashed)
            return real.verify(hashed, password)

    with sqlite3.connect(store_path) as conn:
        conn.execute(
            "INSERT INTO users (name, org, role, password_hash, active, created_at)"
            " SELECT 'Ulla', org, role, password_hash, 1, created_at FROM users WHERE name='ulla'"
        )
    monkeypatch.setattr(users, "_hasher", Spy())
    for typed in ("okand", "ULLA", "Anna", "anna"):
        users.authenticate(typed, "fel-lösenord-123", path=store_path)
    assert len(verified) == 4
    assert verified[0] == verified[1] == users._dummy()
    assert verified[2] == verified[3] != users._dummy()


def test_cli_users_add_and_list(tmp_path):
    path = tmp_path / "s.gpkg"
    runner = CliRunner()
    r = runner.invoke(
        users_cli,
        ["add", "lisa", "--org", "polis", "--role", "viewer", "--store", str(path), "--json"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout.strip().splitlines()[-1]) == {
        "name": "lisa",
        "org": "polis",
        "role": "viewer",
    }
    r = runner.invoke(users_cli, ["list", "--store", str(path), "--json"])
    assert json.loads(r.stdout) == {"users": [{"name": "lisa", "org": "polis", "role": "viewer"}]}
    assert users.authenticate("lisa", PASSWORD, path=path) is not None
    r = runner.invoke(
        users_cli, ["add", "x y", "--org", "kommun", "--password", PASSWORD, "--store", str(path)]
    )
    assert r.exit_code == 1
    assert "not allowed" in r.output


def test_cli_users_add_refuses_a_name_differing_only_by_case(store_path):
    r = CliRunner().invoke(
        users_cli,
        [
            "add",
            " Lisa.Berg",
            "--org",
            "kommun",
            "--password",
            PASSWORD,
            "--store",
            str(store_path),
        ],
    )
    assert r.exit_code == 0, r.output
    assert "Saved user Lisa.Berg" in r.output
    r = CliRunner().invoke(
        users_cli,
        ["add", "LISA.BERG", "--org", "kommun", "--password", PASSWORD, "--store", str(store_path)],
    )
    assert r.exit_code == 1
    assert "'LISA.BERG' differs only by case from the existing user 'Lisa.Berg'" in r.output
    r = CliRunner().invoke(users_cli, ["list", "--store", str(store_path)])
    assert [line.split("\t")[0] for line in r.output.splitlines()] == [
        "anna",
        "Lisa.Berg",
        "per",
        "ulla",
    ]


def add_without_password(name, store_path, typed=""):
    """Run ``geo users add NAME`` with no --password and no GEO_PASSWORD, typing ``typed``."""
    args = ["add", name, "--org", "kommun", "--store", str(store_path)]
    return CliRunner().invoke(users_cli, args, input=typed, env={"GEO_PASSWORD": None})


@pytest.mark.parametrize("typed", ["Anna", " ANNA ", "aNNa\t"])
def test_cli_users_add_refuses_a_case_twin_before_asking_for_the_password(store_path, typed):
    r = add_without_password(typed, store_path)
    assert r.exit_code == 1, r.output
    assert "Password" not in r.output
    assert f"{typed.strip()!r} differs only by case from the existing user 'anna'" in r.output
    assert "Give 'anna' to reset that account's password" in r.output


def test_cli_users_add_asks_for_the_password_to_reset_the_same_name(store_path):
    r = add_without_password(" anna ", store_path, f"{PASSWORD}-ny\n{PASSWORD}-ny\n")
    assert r.exit_code == 0, r.output
    assert "Password:" in r.output and "Repeat for confirmation:" in r.output
    assert users.authenticate("anna", f"{PASSWORD}-ny", path=store_path) is not None


def test_cli_users_add_refuses_a_bad_name_before_asking_and_creates_no_store(tmp_path):
    path = tmp_path / "ny.gpkg"
    r = add_without_password("x y", path)
    assert r.exit_code == 1 and "not allowed" in r.output and "Password" not in r.output
    r = add_without_password("Lisa", path)  # a typed-in nothing aborts the prompt
    assert r.exit_code == 1 and "Password:" in r.output
    assert not path.exists()


def test_cli_users_remove_ends_the_account_and_its_sessions_but_not_its_spots(store_path, anna):
    spot = spots.put_spot(new_id(), spot_payload(), user=anna, path=store_path).spot
    session = sessions.start("anna", path=store_path)
    r = CliRunner().invoke(users_cli, ["remove", " Anna ", "--store", str(store_path), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == {"removed": {"name": "anna", "org": "kommun", "role": "editor"}}
    assert users.authenticate("anna", PASSWORD, path=store_path) is None
    assert not sessions.is_live(session, "anna", path=store_path)
    r = CliRunner().invoke(users_cli, ["list", "--store", str(store_path)])
    assert [line.split("\t")[0] for line in r.output.splitlines()] == ["per", "ulla"]
    # the spot stays, under its author: named to the kommun, the kommun to the police
    kept = spots.get_spot(spot["spot_id"], path=store_path)
    assert kept is not None and kept["created_by"] == "anna"
    orgs = users.account_orgs(path=store_path)
    viewers = (users.get_user(n, path=store_path) for n in ("ulla", "per"))
    assert [users.shown_name("anna", v, orgs) for v in viewers if v] == ["anna", "Kommunen"]
    # the password hash is gone with the account; adding the name again makes it anew
    with sqlite3.connect(store_path) as conn:
        assert conn.execute("SELECT password_hash FROM users WHERE name = 'anna'").fetchone() == (
            "",
        )
    users.add_user("anna", org="kommun", password=f"{PASSWORD}-ny", path=store_path)
    assert users.authenticate("anna", f"{PASSWORD}-ny", path=store_path) is not None


@pytest.mark.parametrize("name", ["okand", "ann"])
def test_cli_users_remove_refuses_a_name_no_account_has(store_path, name):
    r = CliRunner().invoke(users_cli, ["remove", name, "--store", str(store_path)])
    assert r.exit_code == 1
    assert f"No user {name!r}; `geo users list` shows the accounts." in r.output
    assert [u.name for u in users.list_users(path=store_path)] == ["anna", "per", "ulla"]
    users.remove_user("ulla", path=store_path)  # a removed account is no account either
    with pytest.raises(users.DataError, match="No user 'ulla'"):
        users.remove_user("ulla", path=store_path)


def test_users_remove_takes_only_the_exact_name_of_twins_from_before(store_path):
    with sqlite3.connect(store_path) as conn:
        conn.execute(
            "INSERT INTO users (name, org, role, password_hash, active, created_at)"
            " SELECT 'Per', org, role, password_hash, 1, created_at FROM users WHERE name = 'per'"
        )
    with pytest.raises(users.DataError, match="matches the users 'Per' and 'per'"):
        users.remove_user("PER", path=store_path)
    assert users.remove_user("Per", path=store_path).name == "Per"
    assert users.get_user("per", path=store_path) == users.User("per", "polis", "editor")


def test_a_store_that_does_not_exist_is_named_not_created(tmp_path):
    from geo.cli.web import serve

    typo = tmp_path / "lagesbld.gpkg"
    runner = CliRunner()
    for cli, args in (
        (serve, ["--store", str(typo), "--port", "8999"]),
        (users_cli, ["list", "--store", str(typo)]),
        (spots_cli, ["export", "-o", str(tmp_path / "x.geojson"), "--store", str(typo)]),
    ):
        r = runner.invoke(cli, args)
        assert r.exit_code == 2 and "does not exist" in r.output, r.output
    assert not typo.exists()


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("override", "field", "words"),
    [
        ({"category": "narkotika"}, "category", "kategori"),
        ({"weekdays": [0, 8]}, "weekdays", "veckodagar"),
        ({"weekdays": "fredag"}, "weekdays", "veckodagar"),
        ({"time_bands": ["lunch"]}, "time_bands", "tider"),
        ({"since": (date.today() + timedelta(days=3)).isoformat()}, "since", "framtiden"),
        ({"since": "igår"}, "since", "datum"),
        ({"description": "x" * 2001}, "description", "2001 tecken"),
        ({"description": "   "}, "description", "fyllas i"),
        ({"description": "Han heter 19850101-1236"}, "description", "personnummer"),
        ({"description": "Bilen ABC 123 kör fort"}, "description", "registreringsnummer"),
        ({"unit": "y" * 201}, "unit", "200"),
        ({"geometry": None}, "geometry", "Markera"),
        ({"geometry": {"type": "Point", "coordinates": [18.07, 59.33]}}, "geometry", "utanför"),
        (
            {"geometry": {"type": "Point", "coordinates": [FJUGESTA[1], FJUGESTA[0]]}},
            "geometry",
            "omkastade",
        ),
        (
            {
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[15, 59], [15.1, 59], [15, 59.1], [15, 59]]],
                }
            },
            "geometry",
            "punkt",
        ),
        (
            {"geometry": {"type": "LineString", "coordinates": [list(FJUGESTA), list(FJUGESTA)]}},
            "geometry",
            "kortare",
        ),
        ({"geometry": {"type": "Point", "coordinates": ["a", "b"]}}, "geometry", ""),
        (
            {"geometry": {"type": "Point", "coordinates": [200.0, 59.0]}},
            "geometry",
            "utanför jorden",
        ),
    ],
)
def test_validation_errors_are_swedish_and_per_field(override, field, words):
    with pytest.raises(spots.SpotValidationError) as info:
        spots.validate_spot(spot_payload(**override))
    assert set(info.value.errors) == {field}
    assert words in info.value.errors[field]


def test_swapped_sweref_coordinates_get_a_hint():
    x, y = to_working([FJUGESTA[0]], [FJUGESTA[1]], 4326)
    good = {"type": "Point", "coordinates": [float(x[0]), float(y[0])]}
    assert spots.validate_spot(
        spot_payload(geometry=good, crs="EPSG:3006")
    ).geometry.x == pytest.approx(x[0])
    swapped = {"type": "Point", "coordinates": [float(y[0]), float(x[0])]}
    with pytest.raises(spots.SpotValidationError) as info:
        spots.validate_spot(spot_payload(geometry=swapped, crs="EPSG:3006"))
    assert "omkastade" in info.value.errors["geometry"]


def test_valid_spot_is_projected_to_sweref():
    draft = spots.validate_spot(spot_payload(weekdays=[6, 5, 5]))
    x, y = to_working([FJUGESTA[0]], [FJUGESTA[1]], 4326)
    assert draft.geometry.x == pytest.approx(x[0], abs=0.01)
    assert draft.geometry.y == pytest.approx(y[0], abs=0.01)
    assert draft.weekdays == (5, 6)


# ---------------------------------------------------------------- storage


def test_put_is_idempotent_and_audited(store_path, anna):
    sid = new_id()
    first = spots.put_spot(sid, spot_payload(), user=anna, path=store_path)
    again = spots.put_spot(sid, spot_payload(), user=anna, path=store_path)
    assert (first.created, first.changed) == (True, True)
    assert (again.created, again.changed) == (False, False)
    edited = spots.put_spot(
        sid, spot_payload(description="Nu även dagtid."), user=anna, path=store_path
    )
    assert (edited.created, edited.changed) == (False, True)
    assert edited.spot["version"] == 2
    changes = spots.read_changes(sid, path=store_path)
    assert list(changes["action"]) == ["skapad", "ändrad"]
    assert list(changes["changed_by"]) == ["anna", "anna"]
    assert json.loads(changes["before"].iloc[1])["description"] == spot_payload()["description"]
    assert json.loads(changes["after"].iloc[1])["description"] == "Nu även dagtid."
    assert len(spots.read_spots(store_path)) == 1


def test_permissions(store_path, anna, per):
    viewer = users.get_user("ulla", path=store_path)
    with pytest.raises(spots.SpotPermissionError):
        spots.put_spot(new_id(), spot_payload(), user=viewer, path=store_path)
    with pytest.raises(spots.SpotPermissionError):
        spots.put_spot(new_id(), spot_payload(), user=per, path=store_path)
    sid = new_id()
    spots.put_spot(sid, spot_payload(), user=anna, path=store_path)
    with pytest.raises(spots.SpotPermissionError):
        spots.set_status(sid, status="bedomd", comment="ok", user=viewer, path=store_path)
    other_kommun_org = users.User("eva", "polis", "editor")
    with pytest.raises(spots.SpotPermissionError):
        spots.put_spot(
            sid, spot_payload(description="ändrat"), user=other_kommun_org, path=store_path
        )
    assert spots.get_spot(sid, path=store_path)["description"] == spot_payload()["description"]


def test_status_workflow(store_path, anna, per):
    sid = new_id()
    spots.put_spot(sid, spot_payload(), user=anna, path=store_path)
    with pytest.raises(spots.SpotValidationError) as info:
        spots.set_status(sid, status="atgardad", comment="klart", user=per, path=store_path)
    assert "kan inte gå från ny till åtgärdad" in info.value.errors["status"]
    with pytest.raises(spots.SpotValidationError) as info:
        spots.set_status(sid, status="bedomd", comment=" ", user=per, path=store_path)
    assert set(info.value.errors) == {"comment"}
    with pytest.raises(spots.SpotValidationError):
        spots.set_status(
            sid, status="bedomd", owner="skolan", comment="x", user=per, path=store_path
        )
    for status, owner in (
        ("bedomd", "polis"),
        ("atgard_planerad", "trafikverket"),
        ("atgardad", None),
    ):
        spot = spots.set_status(
            sid, status=status, owner=owner, comment=f"→ {status}", user=per, path=store_path
        )
        assert spot["status"] == status
    assert spot["owner"] == "trafikverket"
    changes = spots.read_changes(sid, path=store_path)
    assert list(changes["action"]) == ["skapad", "status", "status", "status"]
    assert json.loads(changes["before"].iloc[2]) == {"status": "bedomd", "owner": "polis"}
    assert list(changes["comment"])[1:] == ["→ bedomd", "→ atgard_planerad", "→ atgardad"]
    with pytest.raises(spots.SpotNotFoundError):
        spots.set_status(new_id(), status="bedomd", comment="x", user=per, path=store_path)
    # the kommun may move its own spot too, and reopen it
    assert (
        spots.set_status(sid, status="ny", comment="igen", user=anna, path=store_path)["status"]
        == "ny"
    )


def test_nearby_hint_lists_spots_within_50_m(store_path, anna):
    spots.put_spot(new_id(), spot_payload(), user=anna, path=store_path)
    near = spots.put_spot(
        new_id(),
        spot_payload(geometry={"type": "Point", "coordinates": list(NEAR_FJUGESTA)}),
        user=anna,
        path=store_path,
    )
    assert len(near.hints) == 1
    assert near.hints[0].startswith("Samma plats? Det finns redan 1 markering inom 50 m")
    far = (FJUGESTA[0] + 0.002, FJUGESTA[1])  # ~114 m east
    hints = spots.check_location({"type": "Point", "coordinates": list(far)}, path=store_path)
    assert hints == []
    line = {"type": "LineString", "coordinates": [list(far), [FJUGESTA[0], FJUGESTA[1] + 0.0003]]}
    assert "2 markeringar" in spots.check_location(line, path=store_path)[0]


def test_read_spots_contract(store_path, anna, per):
    empty = spots.read_spots(store_path)
    assert list(empty.columns) == [*spots.SPOT_COLUMNS, "geometry"]
    assert len(empty) == 0
    a, b = new_id(), new_id()
    line = {
        "type": "LineString",
        "coordinates": [list(FJUGESTA), [FJUGESTA[0] + 0.01, FJUGESTA[1]]],
    }
    spots.put_spot(a, spot_payload(), user=anna, path=store_path)
    spots.put_spot(
        b,
        spot_payload(geometry=line, category="motorburen", since=None),
        user=anna,
        path=store_path,
    )
    spots.set_status(a, status="avvisad", comment="inte trafik", user=per, path=store_path)
    gdf = spots.read_spots(store_path)
    assert gdf.crs.to_epsg() == 3006
    assert list(gdf["spot_id"]) == [a, b]
    assert list(gdf.geometry.geom_type) == ["Point", "LineString"]
    assert gdf.geometry.iloc[1].length == pytest.approx(570, rel=0.05)
    assert gdf["weekdays"].iloc[0] == [5, 6]
    assert gdf["time_bands"].iloc[0] == ["kvall", "sen_kvall"]
    assert gdf["since"].iloc[0] == date(2025, 4, 1)
    assert gdf["since"].iloc[1] is None
    assert gdf["category_label"].iloc[1] == spots.SPOT_CATEGORIES["motorburen"]
    assert str(gdf["created_at"].dt.tz) == "Europe/Stockholm"
    open_spots = spots.read_spots(store_path, status=["ny", "bedomd", "atgard_planerad"])
    assert list(open_spots["spot_id"]) == [b]


def test_a_spot_category_reads_as_the_incidents_category_of_its_id():
    # vardslos_korning read "Olämplig körning/parkering" in the form and "Vårdslös körning"
    # on the incidents (and the plan answered it with a speed check)
    from geo.model import CATEGORIES

    assert set(spots.SPOT_CATEGORIES) <= set(CATEGORIES)
    for category, label in spots.SPOT_CATEGORIES.items():
        assert label == CATEGORIES[category].label, category
    assert "parkering" not in spots.SPOT_CATEGORIES["vardslos_korning"].lower()


def test_parking_is_a_spot_category_of_its_own_and_careless_driving_spots_stay(store_path, anna):
    from geo.model import CATEGORIES, KOMMUN_MATTERS

    parked, careless = new_id(), new_id()
    payload = spot_payload(description="Bilar parkerar på gång- och cykelvägen.")
    spots.put_spot(parked, {**payload, "category": "parkering"}, user=anna, path=store_path)
    spots.put_spot(
        careless, {**payload, "category": "vardslos_korning"}, user=anna, path=store_path
    )
    got = spots.read_spots(store_path).set_index("spot_id")
    assert got.loc[parked, "category_label"] == "Felparkering/olämplig parkering"
    assert got.loc[careless, "category_label"] == "Vårdslös körning"
    # the kommun's matter, not the police's, and not counted as traffic (theme T)
    assert "parkering" in KOMMUN_MATTERS and CATEGORIES["parkering"].theme == "S"
    assert list(spots.for_police(got.reset_index())["spot_id"]) == [careless]


def test_tables_are_registered_in_the_geopackage(store_path, anna):
    spots.put_spot(new_id(), spot_payload(), user=anna, path=store_path)
    layers = dict(pyogrio.list_layers(store_path))
    assert {"spots", "spot_changes", "users"} <= set(layers)
    gdf = gpd.read_file(store_path, layer="spots")
    assert gdf.crs.to_epsg() == 3006
    assert len(gdf) == 1
    with sqlite3.connect(store_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_export_geojson_and_geopackage(store_path, anna, tmp_path):
    for _ in range(3):
        spots.put_spot(new_id(), spot_payload(), user=anna, path=store_path)
    runner = CliRunner()
    for name, epsg in (("ut.geojson", 4326), ("ut.gpkg", 3006)):
        out = tmp_path / name
        r = runner.invoke(
            spots_cli, ["export", "-o", str(out), "--store", str(store_path), "--json"]
        )
        assert r.exit_code == 0, r.output
        assert json.loads(r.stdout) == {"spots": 3, "output": str(out)}
        gdf = gpd.read_file(out)
        assert len(gdf) == 3
        assert gdf.crs.to_epsg() == epsg
        assert set(gdf["category"]) == {"hastighet"}
    r = runner.invoke(
        spots_cli, ["export", "-o", str(tmp_path / "x.csv"), "--store", str(store_path)]
    )
    assert r.exit_code == 1
    assert "geojson" in r.output
    r = runner.invoke(spots_cli, ["export", "-o", str(out), "--store", str(store_path)])
    assert r.stderr.strip() == f"Wrote 3 spots to {out}"


def test_a_nul_stored_before_it_was_refused_cuts_no_text_in_the_gpkg_export(
    store_path, anna, tmp_path
):
    # GDAL writes C strings: "Före\x00efter" was exported as "Före", the rest lost
    sid = new_id()
    text = "Buskörning före\x00efter skolan på kvällarna."
    spots.put_spot(
        sid, spot_payload(description=text, unit="Gata\x00park"), user=anna, path=store_path
    )
    out = tmp_path / "ut.gpkg"
    r = CliRunner().invoke(spots_cli, ["export", "-o", str(out), "--store", str(store_path)])
    assert r.exit_code == 0, r.output
    row = pyogrio.read_dataframe(out).iloc[0]
    assert row["description"] == "Buskörning före\ufffdefter skolan på kvällarna."
    assert row["unit"] == "Gata\ufffdpark"
    # the GeoJSON holds the text as stored (JSON writes a NUL as \u0000)
    spots.export_spots(tmp_path / "ut.geojson", path=store_path)
    collection = json.loads((tmp_path / "ut.geojson").read_text(encoding="utf-8"))
    assert collection["features"][0]["properties"]["description"] == text


def test_export_of_one_spot_says_spot(store_path, anna, tmp_path):
    spots.put_spot(new_id(), spot_payload(), user=anna, path=store_path)
    out = tmp_path / "ut.geojson"
    r = CliRunner().invoke(spots_cli, ["export", "-o", str(out), "--store", str(store_path)])
    assert r.exit_code == 0, r.output
    assert r.stderr.strip() == f"Wrote 1 spot to {out}"


def test_sql_metacharacters_are_stored_verbatim(store_path, anna):
    text = "'; DROP TABLE spots; -- \" OR 1=1 /* %_ \\"
    sid = new_id()
    spots.put_spot(sid, spot_payload(description=text, unit=text[:50]), user=anna, path=store_path)
    assert spots.get_spot(sid, path=store_path)["description"] == text.strip()
    assert len(spots.list_spots(path=store_path, text="drop table")) == 1
    assert len(spots.list_spots(path=store_path, text="%")) == 1
    assert len(spots.list_spots(path=store_path, status=["' OR 1=1 --"])) == 0


# ---------------------------------------------------------------- EST observations


def test_observation_goes_into_incidents_once(store_path, anna):
    oid = new_id()
    payload = {
        "category": "narkotika",
        "place": "badgruvan",
        "occurred_at": "2025-07-12T22:15",
        "description": "Misstänkt langning vid parkeringen.",
    }
    assert spots.record_observation(oid, payload, user=anna, path=store_path) is True
    assert spots.record_observation(oid, payload, user=anna, path=store_path) is False
    incidents = store.read_incidents(store_path)
    assert len(incidents) == 1
    row = incidents.iloc[0]
    assert row["incident_id"] == f"webb-{oid}"
    assert (row["source"], row["reporter_org"], row["category"], row["theme"]) == (
        "kommun_est",
        "kommun",
        "narkotika",
        "N",
    )
    assert row["place_id"] == "lanna_badgruva"
    assert row["occurred_at"].isoformat() == "2025-07-12T22:15:00+02:00"
    assert row["description"] == payload["description"]
    clicked = {
        "category": "buller",
        "geometry": {"type": "Point", "coordinates": list(FJUGESTA)},
        "occurred_at": "2025-07-12T23:00",
    }
    assert spots.record_observation(new_id(), clicked, user=anna, path=store_path) is True
    assert len(store.read_incidents(store_path, categories=["buller"])) == 1


def test_observation_validation_and_permission(store_path, anna, per):
    future = (date.today() + timedelta(days=2)).isoformat() + "T10:00"
    with pytest.raises(spots.SpotValidationError) as info:
        spots.record_observation(
            new_id(),
            {"category": "x", "place": "Ingenstans", "occurred_at": future},
            user=anna,
            path=store_path,
        )
    assert set(info.value.errors) == {"category", "place", "occurred_at"}
    assert "framtiden" in info.value.errors["occurred_at"]
    with pytest.raises(spots.SpotValidationError) as info:
        spots.record_observation(
            new_id(),
            {"category": "buller", "occurred_at": "2025-03-30T02:30", "place": "Fjugesta centrum"},
            user=anna,
            path=store_path,
        )
    assert "sommartid" in info.value.errors["occurred_at"]
    with pytest.raises(spots.SpotPermissionError):
        spots.record_observation(new_id(), {}, user=per, path=store_path)
    assert len(store.read_incidents(store_path)) == 0


# ---------------------------------------------------------------- street addresses

#: Words that cannot form a street address, road numbers among them.
_SAFE_WORDS = (
    "korsningen",
    "vid",
    "skolan",
    "väg",
    "204",
    "E18",
    "riksväg",
    "50",
    "länsväg",
    "EPA-traktor",
    "kör",
    "fort",
    "på",
    "kvällarna",
    "3",
    "gånger",
    "vägen",
    "backen",
    "torget",
    "mot",
    "Fjugesta",
    "30",
    "km/h",
    "och",
    "Storgatan,",
    "korsningen Storgatan/Kungsvägen,",
    "gång- och cykelvägen",
    "GC-vägen",
    "vändplatsen",
    "4",
    "av",
)
_safe_texts = st.lists(st.sampled_from(_SAFE_WORDS), min_size=1, max_size=12).map(" ".join)
_addresses = st.builds(
    lambda stem, suffix, number, letter, upper: (
        ((stem + suffix).upper() if upper else stem.capitalize() + suffix) + f" {number}{letter}"
    ),
    st.text(alphabet="abcdefghijklmnoprstuvyåäö", min_size=1, max_size=10).filter(
        lambda stem: stem not in spots.GENERIC_ROAD_WORDS  # "gång" + "vägen" names no street
    ),
    st.sampled_from(spots.STREET_SUFFIXES),
    st.integers(min_value=1, max_value=999),
    st.sampled_from(["", "A", "b"]),
    st.booleans(),
)


@given(_safe_texts)
def test_texts_without_a_street_address_are_accepted(text):
    # road numbers, street names without a number and counts are no address to a home
    spots.validate_spot(spot_payload(description=text))


@given(_safe_texts, _addresses, _safe_texts)
def test_a_street_address_with_a_house_number_is_refused(before, address, after):
    with pytest.raises(spots.SpotValidationError) as info:
        spots.validate_spot(spot_payload(description=f"{before} {address}, {after}"))
    assert set(info.value.errors) == {"description"}
    message = info.value.errors["description"]
    assert "gatuadress" in message and "korsningen vid skolan" in message


@pytest.mark.parametrize(
    "text",
    [
        "Sven Svensson på Storgatan 5 kör EPA-traktor",
        "bor på kungsvägen 12B",
        "Ågatan 3",
        "vid Lindallén 4",
        "Anna-Lisas-gatan 7",
    ],
)
def test_named_street_addresses_are_refused(text):
    assert spots.has_street_address(text)


@pytest.mark.parametrize(
    "text",
    [
        "Buskörning längs väg 204 vid E18",
        "Riksvägen 50 och länsväg 204",
        "Storgatan 30 km/h men många kör fortare",
        "Stortorget 3 kvällar i rad",
        "på vägen 3 gånger",
        "Storgatan 22.30 varje fredag",
        "korsningen Storgatan/Kungsvägen",
        # a road or place named by its kind, then a number that is no house number
        "Mopeder på gång- och cykelvägen 4 av 5 kvällar",
        "Parkerade bilar på vändplatsen 4 av 5 dagar",
        "Fortkörning på infartsvägen 70 i 40-zon",
        "Skräp vid badplatsen 3 helger i rad",
    ],
)
def test_road_numbers_and_counts_are_no_addresses(text):
    assert not spots.has_street_address(text)


def test_every_kind_of_identifying_detail_is_named_at_once():
    # one round of mending, not three: each kind the text holds is named in the one message
    text = "Sven 19850101-1236 kör ABC123 och bor på Storgatan 5"
    with pytest.raises(spots.SpotValidationError) as info:
        spots.validate_spot(spot_payload(description=text))
    message = info.value.errors["description"]
    for kind in ("personnummer", "registreringsnummer", "gatuadress"):
        assert kind in message
    assert "ta bort dem" in message and "korsningen vid skolan" in message
    with pytest.raises(spots.SpotValidationError) as info:
        spots.validate_spot(spot_payload(description="Bilen ABC 123 kör fort"))
    message = info.value.errors["description"]
    assert "ta bort det." in message and "gatuadress" not in message


def test_spots_saved_in_one_millisecond_keep_the_order_they_were_saved_in(
    store_path, anna, monkeypatch
):
    # two officers saving at once (or one form sent twice quickly) share a created_at to the
    # millisecond; the list, the maps and the plan then showed them in either order
    monkeypatch.setattr(spots.writing, "now_text", lambda: "2026-11-27T21:00:00.000Z")
    ids = [new_id() for _ in range(4)]
    for spot_id in ids:
        spots.put_spot(spot_id, spot_payload(), user=anna, path=store_path)
    assert list(spots.read_spots(store_path)["spot_id"]) == ids
    assert [s["spot_id"] for s in spots.list_spots(path=store_path)] == ids[::-1]  # newest first
