"""The description of one GeoPackage column (:class:`Field`), and of a style class column
built from its own classes."""

from __future__ import annotations

from dataclasses import dataclass

from layers.styles import Classes


@dataclass(frozen=True)
class Field:
    """One column: ``title`` (the QGIS alias), ``description`` (with its unit), ``kind``
    (``""``, ``date``, ``period`` or ``class``) and ``rename`` (its GeoPackage name, if not
    the Atlas's)."""

    title: str
    description: str
    kind: str = ""
    rename: str = ""
    #: True when the registry does not know the column (generic description)
    generic: bool = False


def class_field(classes: Classes, what: str, drawn: str, rename: str) -> Field:
    """A style class column described from its own classes (bins and unit)."""
    legend = "; ".join(f"{k} = {label}" for k, (label, _) in enumerate(classes.legend()[:-1]))
    return Field(
        f"{what} class ({drawn})",
        f"Class of {classes.source_column} used to draw the {drawn} in the maps and in QGIS: "
        f"{legend}; NULL: no figure.",
        kind="class",
        rename=rename,
    )
