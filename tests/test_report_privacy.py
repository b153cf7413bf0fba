"""No count the monthly report hides can be worked out from two counts it shows.

Constructed months at the bathing sites: theme B parts the incidents with the other themes
(one at a bathing site counts for B only), a bathing site hidden with a partner in the
bathing-site table is not listed with its count among the places, and a pair hidden together
reads alike.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from geo import activity_log, activity_plan, reportday, settings
from geo.model import THEMES
from geo.report import monthly
from geo.report.monthly.focus import change_reason
from geo.report.monthly.incidents import category_table, theme_tables, top_areas
from geo.report.monthly.police import bathing_table
from geo.report.monthly.selection import compared_counts
from geo.report.monthly.tables import suppress_parts
from geo.report.monthly.vocabulary import HANDLING_NOTE, PRELIMINARY_NOTE, month_label
from geo.sites import load_places, theme_mask

K = 5
MONTH = "2025-07"
PLACES = load_places()


def _incidents(*groups: tuple[str, str, int], days: list[str] | None = None) -> gpd.GeoDataFrame:
    """Return incidents: per (place_id, theme, n), n events at the place.

    On ``days`` (``YYYY-MM-DD``, one per event, in order), else in July 2025.
    """
    rows = []
    when = iter(days or [])
    for place_id, theme, n in groups:
        place = PLACES.set_index("place_id").loc[place_id]
        point = place.geometry.representative_point()
        for i in range(n):
            rows.append(
                {
                    "incident_id": f"{place_id}-{theme}-{i}",
                    "theme": theme,
                    "place_id": place_id,
                    "place_name": place["name"],
                    "source": "kommun_personal",
                    "occurred_at": pd.Timestamp(
                        f"{next(when, f'2025-07-{1 + i % 28:02d}')} 14:00", tz=settings.timezone
                    ),
                    "geometry": point,
                }
            )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=PLACES.crs)


def test_an_event_at_a_bathing_site_counts_for_b_only():
    inc = _incidents(
        ("lanna_badgruva", "S", 6), ("lanna_badgruva", "N", 1), ("fjugesta_centrum", "N", 7)
    )
    teman = {t.name: t for t in theme_tables(inc, PLACES, month=MONTH, k=K)}["teman"]
    row = teman.frame.set_index("Tema").iloc[:, 0]
    # B = the seven at Lanna; N = Fjugesta's seven only; S = none (its six are in B)
    assert row[THEMES["B"]] == 7
    assert row[THEMES["N"]] == 7
    assert row[THEMES["S"]] == 0
    platser = top_areas(inc, PLACES, month=MONTH, k=K).frame
    at_lanna = platser[platser["Plats eller område"] == "Lanna badgruva"]
    assert list(at_lanna["Tema"]) == [THEMES["B"]]  # no S 6 beside B 7
    for theme in ("N", "T", "S"):
        assert not (
            theme_mask(inc, theme, PLACES, shared=True) & theme_mask(inc, "B", PLACES, shared=True)
        ).any()


def test_a_bathing_site_hidden_with_a_partner_is_not_listed_with_its_count():
    # Lanna 5 and Leken 1: the bathing-site table hides both, as B's total is 6
    inc = _incidents(("lanna_badgruva", "S", 5), ("leken", "S", 1))
    baths = bathing_table(inc, PLACES, None, month=MONTH, k=K).frame.set_index("Badplats")
    col = month_label(MONTH)
    assert baths.loc["Lanna badgruva", col] == baths.loc["Badplats Leken", col] == "–"
    platser = top_areas(inc, PLACES, month=MONTH, k=K).frame
    assert "Lanna badgruva" not in set(platser["Plats eller område"])
    b_rows = platser[platser["Tema"] == THEMES["B"]]
    assert list(b_rows["Observationer"]) == [6]  # the other places together, not Lanna's 5


def test_a_bathing_site_shown_in_both_tables_has_one_count():
    inc = _incidents(("lanna_badgruva", "S", 8), ("leken", "N", 6))
    baths = bathing_table(inc, PLACES, None, month=MONTH, k=K).frame.set_index("Badplats")
    platser = top_areas(inc, PLACES, month=MONTH, k=K).frame.set_index("Plats eller område")
    col = month_label(MONTH)
    for name, n in (("Lanna badgruva", 8), ("Badplats Leken", 6)):
        assert baths.loc[name, col] == platser.loc[name, "Observationer"] == n


def test_a_month_compared_over_its_first_days_gives_no_hidden_rest_away():
    # October covered to the 17th: September's 1–17 (6) beside its whole month in the trend
    # (7) would tell one narcotics event on 18–30 September
    september = [f"2025-09-{d:02d}" for d in (1, 2, 3, 4, 5, 6, 25)]
    october = [f"2025-10-{d:02d}" for d in range(1, 9)]
    inc = _incidents(("fjugesta_centrum", "N", 15), days=september + october)
    teman = {t.name: t for t in theme_tables(inc, PLACES, month="2025-10", k=K, days=17)}["teman"]
    row = teman.frame.set_index("Tema").loc[THEMES["N"]]
    assert list(row) == [8, "–", 0]
    counts = compared_counts(inc, PLACES, month="2025-10", k=K, days=17)["N"]
    assert counts == [(8, False), (6, True), (0, False)]
    said = change_reason(8, 6, 0, month="2025-10", k=K, days=17, hidden=(True, False))
    assert "förra månaden (" not in said and "fler än samma dagar förra månaden" in said
    assert "samma dagar i fjol (0)" in said  # over part of a month, its same days, said so
    # the whole month covered: nothing to give away, the count is shown
    whole = theme_tables(inc, PLACES, month="2025-10", k=K)[0].frame.set_index("Tema")
    assert list(whole.loc[THEMES["N"]]) == [8, 7, 0]


def _readable(
    shown: list[int | str], *, total: int, k: int, floor: int = 1
) -> list[tuple[int, int]]:
    """Return what a reader can work out of each hidden part: its least and greatest count.

    A hidden part is not 0 (0 is shown) unless ``floor`` is 0; ``"< k"`` is ``floor`` to
    ``k - 1``; all hidden parts sum to
    the total less the parts shown. Each part's bounds narrow by the others' (sums of whole
    ranges are whole ranges, so every value between the bounds is possible).
    """
    rest = total - sum(s for s in shown if isinstance(s, int))
    ranges = [
        (floor, k - 1) if s == f"< {k}" else (floor, rest) for s in shown if not isinstance(s, int)
    ]
    lo_all, hi_all = sum(r[0] for r in ranges), sum(r[1] for r in ranges)
    return [(max(lo, rest - (hi_all - hi)), min(hi, rest - (lo_all - lo))) for lo, hi in ranges]


@given(
    parts=st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=6),
    k=st.integers(min_value=3, max_value=6),
    floor=st.sampled_from([0, 1]),
)
def test_no_hidden_part_follows_from_the_total_and_the_marker_does_not_say_which(parts, k, floor):
    total = sum(parts)
    shown = suppress_parts(parts, total=total, k=k, floor=floor)
    hidden = [i for i, s in enumerate(shown) if not isinstance(s, int)]
    # every small part is hidden, never alone when the total is shown
    assert all(i in hidden for i, n in enumerate(parts) if 0 < n < k)
    if total >= k:
        assert len(hidden) != 1
    # parts hidden together read alike: the reader cannot tell the small ones
    if "–" in shown:
        assert f"< {k}" not in shown
    # what is shown is true
    assert all(s == n for n, s in zip(parts, shown, strict=True) if isinstance(s, int))
    # no hidden part is one count to a reader who has the total: two "< 5" beside the others
    # summing to 2 were both 1. Left as it is: parts that are all hidden and all 1 (five
    # categories of one event each, the theme's 5 beside them) have no other part to hide with
    # (with floor 0, as a control's offences, a hidden 0 keeps them apart; all 0 tells no one)
    every_one = floor and all(n in (0, 1) for n in parts) and total >= k
    if hidden and total >= k and not every_one:
        bounds = _readable(shown, total=total, k=k, floor=floor)
        small = [0 < parts[i] < k for i in hidden]
        assert all(lo < hi for (lo, hi), s in zip(bounds, small, strict=True) if s), shown


def test_two_rare_categories_of_one_each_are_not_told_by_the_shared_tables(tmp_path):
    # T is 12 in July: 10 speeding, one reckless driving, one drink driving. The themes
    # table says 12; the categories table said 10, "< 5", "< 5", and 12 - 10 = 2 left
    # one event in each (one rattfylleri in the kommun that month)
    inc = _incidents(("fjugesta_centrum", "T", 12))
    inc["category"] = ["hastighet"] * 10 + ["vardslos_korning", "rattfylleri"]
    inputs = monthly.ReportInputs(
        incidents=inc,
        places=PLACES,
        plan=activity_plan.load_plan(),
        activity_log=pd.DataFrame(columns=activity_log.LOG_COLUMNS),
        data_end=pd.Timestamp("2025-08-31 12:00", tz=settings.timezone),
    )
    report = monthly.compute_report(inputs, month=MONTH, k=K, forecast_method="count_3m")
    csv_dir = monthly.export_tables(report, out_dir=tmp_path, stem="uppfoljning")["csv"]
    teman = pd.read_csv(csv_dir / "teman.csv", sep=";", encoding="utf-8-sig", dtype=str)
    total = int(teman.set_index("Tema").loc[THEMES["T"]].iloc[0])
    assert total == 12
    kategorier = pd.read_csv(csv_dir / "kategorier.csv", sep=";", encoding="utf-8-sig", dtype=str)
    col = kategorier.columns[-1]
    shown: list[int | str] = [
        int(v) if v.isdigit() else v for v in kategorier[kategorier["Tema"] == THEMES["T"]][col]
    ]
    assert len(shown) == 3
    assert all(lo < hi for lo, hi in _readable(shown, total=total, k=K)), shown


def test_an_event_inside_a_bathing_site_stored_before_the_site_was_drawn_counts_there():
    # eight at Lanna, two of them stored with no place (ingested before Lanna was drawn)
    inc = _incidents(("lanna_badgruva", "S", 8), ("leken", "N", 6))
    inc.loc[inc.index[:2], ["place_id", "place_name"]] = None
    baths = bathing_table(inc, PLACES, None, month=MONTH, k=K).frame.set_index("Badplats")
    teman = {t.name: t for t in theme_tables(inc, PLACES, month=MONTH, k=K)}["teman"]
    row = teman.frame.set_index("Tema").iloc[:, 0]
    assert baths.loc["Lanna badgruva", month_label(MONTH)] == 8
    assert row[THEMES["B"]] == 14
    assert row[THEMES["S"]] == 0
    platser = top_areas(inc, PLACES, month=MONTH, k=K).frame.set_index("Plats eller område")
    assert platser.loc["Lanna badgruva", "Observationer"] == 8  # as the bathing table says


def test_bathing_sites_in_a_month_not_over_are_compared_over_the_same_days():
    # a report made on 12 July 2026: Lanna 8 on 1–12 July; in 2025, 6 on 1–12 July and 10 later
    this_year = [f"2026-07-{d:02d}" for d in range(1, 9)]
    last_year = [f"2025-07-{d:02d}" for d in range(1, 7)] + [f"2025-07-{d}" for d in range(15, 25)]
    leken = [f"2025-07-{d:02d}" for d in range(1, 8)] + [f"2025-07-{d}" for d in range(20, 27)]
    inc = pd.concat(
        [
            _incidents(("lanna_badgruva", "S", 8), days=this_year),
            _incidents(("lanna_badgruva", "S", 16), days=last_year),
            _incidents(("leken", "N", 14), days=leken),
        ],
        ignore_index=True,
    )
    inc["incident_id"] = [f"i{i}" for i in range(len(inc))]
    inc["category"] = inc["theme"].map({"S": "nedskrapning", "N": "alkohol"})
    inputs = monthly.ReportInputs(
        incidents=inc,
        places=PLACES,
        plan=activity_plan.load_plan(),
        activity_log=pd.DataFrame(columns=activity_log.LOG_COLUMNS),
        data_end=pd.Timestamp("2026-07-12 14:00", tz=settings.timezone),
    )
    report = monthly.compute_report(
        inputs, month="2026-07", k=K, forecast_method="count_3m",
        now=pd.Timestamp("2026-07-12 20:00", tz=settings.timezone),
    )  # fmt: skip
    baths, teman = report.tables["badplatser"], report.tables["teman"]
    # the same periods as the themes table, said in the headers
    assert list(baths.frame.columns[1:3]) == list(teman.frame.columns[1:4:2])
    frame = baths.frame.set_index("Badplats")
    this, year = frame.columns[0], frame.columns[1]
    b_row = teman.frame.set_index("Tema").loc[THEMES["B"]]
    assert frame.loc["Lanna badgruva", this] == b_row[this] == 8
    # Lanna over 1–12 July 2025, as the themes table counts B then (Leken's 7 with it)
    assert frame.loc["Lanna badgruva", year] == 6
    assert frame.loc["Badplats Leken", year] == 7
    assert b_row[year] == 6 + 7


def test_a_bathing_site_whose_month_covers_few_more_than_its_first_days_is_hidden():
    # Leken: 7 on 1–12 July 2025 and 9 in the whole month, so its 7 beside last year's report
    # would tell 2 events on 13–31 July: hidden, and Lanna with it (B's total is shown)
    lanna = [f"2025-07-{d:02d}" for d in range(1, 7)] + [f"2025-07-{d}" for d in range(15, 25)]
    leken = [f"2025-07-{d:02d}" for d in range(1, 8)] + ["2025-07-20", "2025-07-21"]
    inc = pd.concat(
        [
            _incidents(("lanna_badgruva", "S", 16), days=lanna),
            _incidents(("leken", "N", 9), days=leken),
        ],
        ignore_index=True,
    )
    inc["incident_id"] = [f"i{i}" for i in range(len(inc))]
    teman = {t.name: t for t in theme_tables(inc, PLACES, month="2026-07", k=K, days=12)}["teman"]
    year = teman.frame.columns[3]
    assert teman.frame.set_index("Tema").loc[THEMES["B"], year] == 13  # 25 in all: shown
    baths = bathing_table(inc, PLACES, None, month="2026-07", k=K, days=12).frame
    shown = baths.set_index("Badplats")[year]
    assert shown["Badplats Leken"] == shown["Lanna badgruva"] == "–"


def test_bathing_sites_are_hidden_when_theme_b_over_the_same_days_is():
    # B over 1–12 July 2025 is 6 and the whole month 8: the themes table hides it, and so the
    # bathing-site table hides each site (their sum would be B's count)
    last_year = [f"2025-07-{d:02d}" for d in range(1, 7)] + ["2025-07-20", "2025-07-21"]
    inc = _incidents(("lanna_badgruva", "S", 8), days=last_year)
    teman = {t.name: t for t in theme_tables(inc, PLACES, month="2026-07", k=K, days=12)}["teman"]
    year = teman.frame.columns[3]
    assert teman.frame.set_index("Tema").loc[THEMES["B"], year] == "–"
    baths = bathing_table(inc, PLACES, None, month="2026-07", k=K, days=12).frame
    assert baths.set_index("Badplats").loc["Lanna badgruva", year] == "–"


def test_a_small_category_is_not_the_theme_total_less_the_others():
    # theme B is 8 at Lanna: 7 littering and 1 vandalism; B's 8 stands in the themes table
    inc = _incidents(("lanna_badgruva", "S", 8))
    inc["category"] = ["nedskrapning"] * 7 + ["skadegorelse"]
    table = category_table(inc, PLACES, month=MONTH, k=K).frame
    b = table[table["Tema"] == THEMES["B"]].set_index("Kategori")[month_label(MONTH)]
    assert list(b) == ["–", "–"]
    assert set(table["Tema"]) == {THEMES["B"]}  # nothing at Lanna counts for S as well


def test_the_places_table_of_a_month_not_over_counts_and_says_the_same_days_as_the_themes():
    # a council member's review: a preliminary report's tables said "1–12 juli 2025", the
    # places table "juli 2025" (as if the whole month)
    days = [f"2025-07-{d:02d}" for d in range(1, 8)] + ["2025-07-20"] * 10
    inc = _incidents(("fjugesta_centrum", "N", 17), days=days)
    places = top_areas(inc, PLACES, month=MONTH, k=K, days=12)
    assert places.title.endswith(", 1–12 juli 2025")
    teman = {t.name: t for t in theme_tables(inc, PLACES, month=MONTH, k=K, days=12)}["teman"]
    n_themes = teman.frame.set_index("Tema").loc[THEMES["N"]].iloc[0]
    row = places.frame.set_index("Plats eller område").loc["Fjugesta centrum"]
    assert row["Observationer"] == n_themes == 7
    whole = top_areas(inc, PLACES, month=MONTH, k=K)  # a month over: the month, all of it
    assert whole.title.endswith(", juli 2025")
    assert (
        whole.frame.set_index("Plats eller område").loc["Fjugesta centrum", "Observationer"] == 17
    )


def test_a_report_made_on_the_months_last_day_is_preliminary_though_the_data_reach_it():
    # a report printed at 20:00 on 31 July, its observations to 14:00 that day, read "Delad
    # rapport" and N 11 for July as if the month were over; the one made once July was over
    # reads 12, and the two subtracted tell one event on the evening of 31 July, under k
    days = [f"2025-07-{d:02d}" for d in range(1, 32, 3)]  # 11 days, the last the 31st
    inc = _incidents(("fjugesta_centrum", "N", 11), days=days)
    inc["category"] = "alkohol"

    def made(now: pd.Timestamp) -> tuple[str, list[str]]:
        inputs = monthly.ReportInputs(
            incidents=inc,
            places=PLACES,
            plan=activity_plan.load_plan(),
            activity_log=pd.DataFrame(columns=activity_log.LOG_COLUMNS),
            data_end=pd.Timestamp("2025-07-31 14:00", tz=settings.timezone),
        )
        report = monthly.compute_report(inputs, month=MONTH, k=K, forecast_method="count_3m",
                                        now=now)  # fmt: skip
        html = " ".join(monthly.render_html(report).split())
        return html, list(report.tables["teman"].frame.columns[1:])

    html, columns = made(pd.Timestamp("2025-07-31 20:00", tz=settings.timezone))
    assert "<title>Uppföljning av medborgarlöftet – juli 2025 (preliminär" in html
    assert PRELIMINARY_NOTE in html and f"{HANDLING_NOTE}:" not in html
    assert columns[0] == "1–31 juli 2025"  # not the whole month, though all its days have begun
    # made once the month is over, the same observations are the month's: shared
    html, columns = made(reportday.end_of_day(pd.Timestamp("2025-07-31").date()))
    assert "<title>Uppföljning av medborgarlöftet – juli 2025</title>" in html
    assert PRELIMINARY_NOTE not in html
    assert columns == ["juli 2025", "juni 2025", "juli 2024"]
