"""Plain-text and JSON reports of traced rivers (used by ``rivermap trace``)."""

from __future__ import annotations

from layers.atlas import Atlas
from layers.styles import COUNTRY_NAMES


def trace_rows(atlas: Atlas) -> list[dict]:
    """One dict per traced river: lengths (km, geodesic WGS 84), crossings, end water body."""
    courses = atlas["river_courses"]
    crossings = atlas.traced.crossing_rivers
    out = []
    for row in courses.itertuples(index=False):
        per_country = {
            col.removeprefix("length_km_").upper(): round(float(getattr(row, col)), 1)
            for col in courses.columns
            if col.startswith("length_km_") and float(getattr(row, col)) > 0
        }
        mine = crossings.loc[crossings["river_id"] == row.river_id]
        out.append(
            {
                "river_id": row.river_id,
                "name": row.name_en,
                "names": {"kk": row.name_kk, "ru": row.name_ru, "zh": row.name_zh},
                "length_km": round(float(row.length_km), 1),
                "length_km_by_country": per_country,
                "crossings": [
                    {
                        "lon": round(float(c.lon), 4),
                        "lat": round(float(c.lat), 4),
                        "from": c.from_country,
                        "to": c.to_country,
                        "km_from_source": round(float(c.km_from_source), 1),
                        "crossing_id": c.crossing_id,
                    }
                    for c in mine.itertuples(index=False)
                ],
                "lakes_on_course": row.lakes_on_course,
                "ends_in": row.ends_in,
                "source_via": row.source_via,
                "drawn_from": [
                    {"from_km": round(a, 1), "to_km": round(b, 1), "source": title}
                    for a, b, title in atlas.traced.stretches.get(row.river_id, [])
                ],
            }
        )
    return out


def trace_text(rows: list[dict]) -> str:
    """The trace report as aligned plain-text tables, one block per river."""
    blocks = []
    for r in rows:
        names = " / ".join(v for v in (r["name"], *r["names"].values()) if v)
        lines = [f"{names}  [{r['river_id']}]", f"  total length      {r['length_km']:>9,.1f} km"]
        for code, km in r["length_km_by_country"].items():
            label = COUNTRY_NAMES.get(code, code)
            lines.append(f"    in {label:<14} {km:>9,.1f} km")
        if r["crossings"]:
            lines.append(
                "  crossings         lon        lat      direction                km from source"
            )
            for c in r["crossings"]:
                direction = f"{COUNTRY_NAMES.get(c['from'], c['from'])} → " + COUNTRY_NAMES.get(
                    c["to"], c["to"]
                )
                lines.append(
                    f"                  {c['lon']:>8.4f}  {c['lat']:>8.4f}  {direction:<24} "
                    f"{c['km_from_source']:>8,.1f}"
                )
        else:
            lines.append("  crossings         none")
        if r["lakes_on_course"]:
            lines.append(f"  passes through    {r['lakes_on_course']}")
        if r["source_via"]:
            lines.append(
                f"  source via        {r['source_via']} (its longest headwater in the data)"
            )
        lines.append(f"  ends in           {r['ends_in']}")
        for i, d in enumerate(r.get("drawn_from", [])):
            head = "drawn from" if i == 0 else ""
            span = f"km {d['from_km']:,.1f}–{d['to_km']:,.1f}"
            lines.append(f"  {head:<17} {span:<16} {d['source']}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
