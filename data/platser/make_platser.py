"""Regenerate ``platser.geojson`` from the source points listed below (run: python make_platser.py).

Each place is drawn as a circle of ``radius_m`` metres around its source point, computed in
SWEREF 99 TM (EPSG:3006) and written in WGS84. Edit a place here or in the GeoJSON; `geo places`
validates the result.
"""

from __future__ import annotations

import json
from pathlib import Path

import shapely
from pyproj import Transformer

BATH = [5, 6, 7, 8, 9]
#: Inhabitants of the places that are SCB tätorter (SCB tätorter 2020, in
#: ../sources/lekeberg_key_places.csv; Fjugesta centrum has the tätort Fjugesta's): where names
#: compete for room on a map, the larger locality is named first.
POPULATION = {"fjugesta_centrum": 2422, "vintrosa": 2994, "mullhyttan": 533, "gropen": 283}
#: The places the medborgarlöfte names: on the maps their names come before all others.
NAMED_IN_LOFTE = ("fjugesta_centrum", "lanna_badgruva", "leken")
# id, name, kind, themes, season, lat, lon, source, precision_m, radius_m, drawing, aliases
PLACES = [
    (
        "lanna_badgruva",
        "Lanna badgruva",
        "badplats",
        ["B", "S", "N"],
        BATH,
        59.2449628670858,
        14.9233684299016,
        "HaV badplatsregister 2021, nutsCode SE0241814000004068 (provpunkt)",
        50,
        200,
        "cirkel 200 m runt HaV:s provpunkt: täcker den vattenfyllda kalkgruvan, stranden och parkeringen",
        ["Lanna gruva", "badgruvan", "Lanna kalkbrott", "Lanna badplats", "Lannagruvan"],
    ),
    (
        "leken",
        "Badplats Leken",
        "badplats",
        ["B", "S"],
        BATH,
        59.2766089455894,
        14.782574439928,
        "HaV badplatsregister 2021, SE0241814000003852; Wikidata Q106711631",
        50,
        200,
        "cirkel 200 m runt HaV:s provpunkt: badplatsen vid sjön Leken, Lantmäteriets badplatspunkt 170 m bort ingår",
        ["Leken", "Lekens badplats", "badplats Leken", "Lekhyttans badplats"],
    ),
    (
        "lillsjon",
        "Lillsjöns badplats",
        "badplats",
        ["B", "S"],
        BATH,
        59.2303683653331,
        14.7261532549206,
        "HaV badplatsregister 2021, SE0241814000003850; Wikidata Q106711627",
        50,
        120,
        "cirkel 120 m runt HaV:s provpunkt",
        ["Lillsjön"],
    ),
    (
        "multen_sixtorp",
        "Multen, Sixtorp",
        "badplats",
        ["B", "S"],
        BATH,
        59.1803205823403,
        14.6481448922352,
        "HaV badplatsregister 2021, SE0241814000003849; Wikidata Q106711626",
        50,
        120,
        "cirkel 120 m runt HaV:s provpunkt",
        ["Sixtorp", "Multen Sixtorp", "Sixtorps badplats"],
    ),
    (
        "multen_brogalandet",
        "Multen, Brogalandet",
        "badplats",
        ["B", "S"],
        BATH,
        59.16377906315,
        14.6556974956604,
        "HaV badplatsregister 2021, SE0241814000003851; Wikidata Q106711629",
        50,
        120,
        "cirkel 120 m runt HaV:s provpunkt",
        ["Brogalandet", "Multen Brogalandet"],
    ),
    (
        "fjugesta_centrum",
        "Fjugesta centrum",
        "centrum",
        ["N", "S", "T"],
        [],
        59.175736,
        14.871689,
        "SCB tätorter 2020, 1814TC101 (tätortspunkt)",
        300,
        400,
        "cirkel 400 m runt SCB:s tätortspunkt för Fjugesta: torget, busshållplatsen och väg 204 genom orten",
        ["Fjugesta", "Fjugesta torg", "Fjugesta busstation", "centrala Fjugesta"],
    ),
    (
        "vintrosa",
        "Vintrosa",
        "ort",
        ["S", "T"],
        [],
        59.246742,
        14.904007,
        "SCB tätorter 2020, 1814TB105 (468 ha)",
        300,
        1220,
        "cirkel med samma yta som SCB:s tätort (468 ha, radie 1 220 m) runt tätortspunkten",
        [],
    ),
    (
        "mullhyttan",
        "Mullhyttan",
        "ort",
        ["S", "T"],
        [],
        59.160318,
        14.678571,
        "SCB tätorter 2020, 1814TB104 (174 ha)",
        300,
        744,
        "cirkel med samma yta som SCB:s tätort (174 ha, radie 744 m)",
        [],
    ),
    (
        "gropen",
        "Gropen",
        "ort",
        ["S", "T"],
        [],
        59.154992,
        14.826251,
        "SCB tätorter 2020, 1814TB102 (114 ha)",
        300,
        602,
        "cirkel med samma yta som SCB:s tätort (114 ha, radie 602 m)",
        [],
    ),
    (
        "hidinge",
        "Hidinge",
        "ort",
        ["S", "T"],
        [],
        59.227243,
        14.890937,
        "kodapan/geodata OSM-punkt, SCB småort S6075 (ungefärlig, spårad ur översiktskarta 1:700 000)",
        2000,
        500,
        "cirkel 500 m runt en ungefärlig punkt; läget kan vara fel med upp till ett par km",
        ["Hidinge kyrka"],
    ),
    (
        "knista",
        "Knista",
        "ort",
        ["S"],
        [],
        59.188738,
        14.912078,
        "kodapan/geodata OSM-punkt, Knista kyrka (ungefärlig, 1:700 000)",
        2000,
        500,
        "cirkel 500 m runt en ungefärlig punkt; läget kan vara fel med upp till ett par km",
        ["Knista kyrka"],
    ),
    (
        "kvistbro",
        "Kvistbro",
        "ort",
        ["S"],
        [],
        59.161824,
        14.821261,
        "kodapan/geodata OSM-punkt, SCB småort S6117 (ungefärlig, 1:700 000)",
        2000,
        500,
        "cirkel 500 m runt en ungefärlig punkt; läget kan vara fel med upp till ett par km",
        ["Kvistbro kyrka"],
    ),
    (
        "edsberg",
        "Edsberg",
        "ort",
        ["S"],
        [],
        59.134175,
        14.871859,
        "kodapan/geodata OSM-punkt, Edsbergs kyrka (ungefärlig, 1:700 000)",
        2000,
        500,
        "cirkel 500 m runt en ungefärlig punkt; läget kan vara fel med upp till ett par km",
        ["Edsbergs kyrka", "Edsbergs slott"],
    ),
    (
        "tangerasa",
        "Tångeråsa",
        "ort",
        ["S"],
        [],
        59.112039,
        14.817943,
        "kodapan/geodata OSM-punkt, Tångeråsa kyrka (ungefärlig, 1:700 000)",
        2000,
        500,
        "cirkel 500 m runt en ungefärlig punkt; läget kan vara fel med upp till ett par km",
        ["Tångeråsa kyrka"],
    ),
]


def main() -> None:
    """Write platser.geojson beside this script."""
    to_m = Transformer.from_crs(4326, 3006, always_xy=True)
    to_deg = Transformer.from_crs(3006, 4326, always_xy=True)
    features = []
    for pid, name, kind, themes, season, lat, lon, source, prec, radius, drawing, aliases in PLACES:
        x, y = to_m.transform(lon, lat)
        circle = shapely.Point(x, y).buffer(radius, quad_segs=8)
        ring = [to_deg.transform(cx, cy) for cx, cy in circle.exterior.coords]
        ring = [[round(a, 6), round(b, 6)] for a, b in ring]
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "place_id": pid,
                    "name": name,
                    "kind": kind,
                    "themes": themes,
                    "season_months": season,
                    "aliases": aliases,
                    "source": source,
                    "precision_m": prec,
                    "radius_m": radius,
                    "drawing": drawing,
                    "population": POPULATION.get(pid),
                    "lofte": pid in NAMED_IN_LOFTE,
                    "lon": round(lon, 6),
                    "lat": round(lat, 6),
                },
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    out = {"type": "FeatureCollection", "name": "platser", "features": features}
    path = Path(__file__).with_name("platser.geojson")
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(features)} places to {path}")


if __name__ == "__main__":
    main()
