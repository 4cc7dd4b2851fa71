"""The embedded default dataset, its provenance, and the analyst's replacements for it."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from geo import containers
from geo.errors import DataSourceError, RivermapError

DATA_DIR = Path(__file__).parent / "data"
PROVENANCE_FILE = DATA_DIR / "provenance.toml"

#: what each role of the product is read from by default (a key of provenance.toml)
DEFAULT_ROLES = {
    "rivers": "rivers_merged",
    "basins": "wh_watersheds",
    "subbasins": "wh_subbasins",
    "lakes": "ne_lakes",
    "borders": "ne_boundary_lines",
    "countries": "ne_countries",
    "ne_rivers": "ne_rivers",
    "water_balance": "wh_water_balance_gleam",
    "precipitation": "wh_precip_mswep",
    "gauges": "grdc_gauges",
    "gauge_climatology": "grdc_monthly_climatology",
    "flows": "seed_flows",
    "dem": "dem_5arcmin_region",
    "dem_fine": "dem_gebco_15arcsec_ili",
    "relief": "shaded_relief_region",
}

#: roles without an embedded default: ``headwaters`` (secondary lines that extend the
#: ``rivers`` network upstream, see :mod:`layers.river_network`)
OPTIONAL_ROLES = ("headwaters",)


@dataclass(frozen=True)
class Provenance:
    """Where one input came from and under which licence (shown on maps, stored in exports)."""

    key: str
    file: str
    title: str
    source: str
    licence: str
    attribution: str
    url: str = ""
    #: who publishes the data (the layer metadata's contact); the attribution when not known
    publisher: str = ""
    #: the scale or resolution the data was drawn at (shown beside lengths measured on it)
    scale: str = ""
    #: a short name for tables and popups ("World Data Bank II"); the title when empty
    short: str = ""

    def one_line(self) -> str:
        return f"{self.title}. Source: {self.source}. Licence: {self.licence}."

    def label(self) -> str:
        """How a reader sees this input beside a figure: ``World Data Bank II (1:1–3M)``."""
        name = self.short or self.title
        return f"{name} ({self.scale})" if self.scale else name


@dataclass(frozen=True)
class Sources:
    """Paths of every input role, each with its provenance."""

    paths: dict[str, Path]
    provenance: dict[str, Provenance]
    user_roles: frozenset[str] = field(default_factory=frozenset)
    #: layer names for roles whose file holds several layers (``PATH::LAYER`` on the command line)
    layer_names: dict[str, str] = field(default_factory=dict)

    def path(self, role: str) -> Path:
        return self.paths[role]

    def layer(self, role: str) -> str | None:
        return self.layer_names.get(role)

    def about(self, role: str) -> Provenance:
        return self.provenance[role]


def load_provenance(path: Path = PROVENANCE_FILE) -> dict[str, Provenance]:
    """Read provenance.toml into ``{key: Provenance}``."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return {key: Provenance(key=key, **entry) for key, entry in raw.items()}


def default_sources() -> Sources:
    """The embedded default dataset (shipped inside the package, no network needed)."""
    prov = load_provenance()
    paths = {role: DATA_DIR / prov[key].file for role, key in DEFAULT_ROLES.items()}
    return Sources(paths=paths, provenance={role: prov[k] for role, k in DEFAULT_ROLES.items()})


def with_overrides(sources: Sources, overrides: dict[str, str | Path]) -> Sources:
    """Replace some roles by the analyst's own files (``{"rivers": "hydrorivers.gpkg"}``).

    A value ``PATH::LAYER`` names the layer to read in a file that holds several. Each file is
    checked before anything is read (:func:`geo.containers.check_file`).
    """
    paths = dict(sources.paths)
    prov = dict(sources.provenance)
    layer_names = dict(sources.layer_names)
    for role, value in overrides.items():
        if role not in DEFAULT_ROLES and role not in OPTIONAL_ROLES:
            raise RivermapError(
                f"--data {role}={value}: unknown role {role!r}; accepted: "
                f"{', '.join((*DEFAULT_ROLES, *OPTIONAL_ROLES))}"
            )
        text, sep, layer = str(value).partition("::")
        p = Path(text)
        if not containers.exists(text):
            raise DataSourceError(f"--data {role}={value}: file {p} not found")
        containers.check_file(text, folder_ok=True)  # a pipe or a device is never opened
        paths[role] = p
        if sep:
            layer_names[role] = layer
        prov[role] = Provenance(
            key=role,
            file=str(p),
            title=f"{role} supplied by the user ({p.name})",
            source=str(p.resolve()),
            licence="as supplied by the user",
            attribution=f"{role}: user data ({p.name})",
        )
    return replace(
        sources,
        paths=paths,
        provenance=prov,
        user_roles=sources.user_roles | frozenset(overrides),
        layer_names=layer_names,
    )
