from datetime import date

import geopandas as gpd
import pandas as pd
import pytest

from geo.errors import DataError
from geo.sample import make_sample
from geo.sites import inside_kommun

END = date(2026, 11, 23)  # a Monday


@pytest.fixture(scope="module")
def sample():
    df = make_sample(end=END)
    df["at"] = pd.to_datetime(df["tidpunkt"], utc=True).dt.tz_convert("Europe/Stockholm")
    return df


def test_reproducible_labelled_and_about_1500(sample):
    assert 1300 <= len(sample) <= 1700
    assert set(sample["källa"]) == {"syntetisk"}
    assert make_sample(end=END).drop(columns=[]).equals(sample.drop(columns=["at"]))
    assert not make_sample(end=END, seed=7).equals(sample.drop(columns=["at"]))


def test_ends_with_the_last_full_iso_week_and_spans_two_years(sample):
    assert sample["at"].max() < pd.Timestamp(END, tz="Europe/Stockholm")
    assert sample["at"].max() >= pd.Timestamp(END, tz="Europe/Stockholm") - pd.Timedelta(days=7)
    assert sample["at"].min() >= pd.Timestamp(END, tz="Europe/Stockholm") - pd.Timedelta(weeks=104)
    with pytest.raises(DataError, match="Monday"):
        make_sample(end=date(2026, 11, 25))


def test_all_points_lie_in_the_kommun(sample):
    pts = gpd.GeoSeries(gpd.points_from_xy(sample["longitud"], sample["latitud"]), crs=4326).to_crs(
        3006
    )
    assert inside_kommun(pts, buffer_m=0).all()


def test_bathing_sites_only_in_the_warm_season_on_weekend_afternoons(sample):
    bath = sample[sample["plats"].isin(["Lanna badgruva", "Badplats Leken"])]
    assert len(bath) > 300
    assert bath["at"].dt.month.between(5, 9).all()
    weekend_share = bath["at"].dt.day_of_week.isin([4, 5, 6]).mean()
    afternoon_share = bath["at"].dt.hour.between(12, 23).mean()
    assert weekend_share > 0.6 and afternoon_share > 0.9


def test_narcotics_in_fjugesta_on_friday_saturday_evenings(sample):
    n = sample[
        sample["kategori"].isin(["narkotika", "alkohol"]) & (sample["plats"] == "Fjugesta centrum")
    ]
    assert len(n) > 200
    evening = n["at"].dt.hour.isin([*range(18, 24), 0, 1, 2])
    fri_sat_night = (n["at"] - pd.Timedelta(hours=5)).dt.day_of_week.isin([4, 5])
    assert evening.mean() > 0.9 and fri_sat_night.mean() > 0.6


def test_motorburen_spots_move_between_years(sample):
    motor = sample[sample["kategori"].isin(["motorburen", "buller"]) & (sample["plats"] != "")]
    first, second = (
        motor[motor["at"] < motor["at"].min() + pd.Timedelta(weeks=52)],
        motor[motor["at"] >= motor["at"].min() + pd.Timedelta(weeks=60)],
    )
    assert set(first["plats"]) & {"Fjugesta centrum", "Gropen"}
    assert set(second["plats"]) & {"Vintrosa", "Mullhyttan"}
    assert not (set(second["plats"]) & {"Gropen"})
