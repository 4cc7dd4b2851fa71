"""The project's exception tree.

It follows the levels of the data, like pyogrio (data source -> layer -> CRS / geometry / field),
and each class also inherits the builtin it resembles, like rasterio's ``CRSError(ValueError)``.
Every message is meant to be shown to a user as one line: it names the input (file, layer,
column or row), the offending value and what would be accepted. Catch by type, never by text.
"""

from __future__ import annotations


class RivermapError(Exception):
    """Base of every error the project raises on purpose (user input, data, output)."""


class DataSourceError(RivermapError, OSError):
    """A file or folder cannot be found, opened or parsed at all."""


class LayerError(RivermapError, ValueError):
    """A layer (or table) was opened but its content is not what is needed."""


class CRSError(LayerError):
    """A coordinate reference system is missing, unknown or unsuitable."""


class GeometryError(LayerError):
    """Geometries of the wrong type, empty, invalid or out of place."""


class FieldError(LayerError):
    """A column is missing, duplicated or holds values that are not accepted."""


class NetworkError(RivermapError, ValueError):
    """A river network cannot be built or traced (missing ids, cycles, no river near a point)."""


class ViaPointError(NetworkError):
    """A river's via point (the branch to follow) lies on no reach of the network."""


class RegisterError(RivermapError, ValueError):
    """The river register (TOML) is malformed or names something that does not exist."""


class FlowTableError(FieldError):
    """A flow table cannot be parsed or joined (bad number, date, unit or key)."""


class UnitError(FlowTableError):
    """A unit is not understood or cannot be converted to the one asked for."""


class RasterError(RivermapError, ValueError):
    """A raster has no CRS, does not cover the area, or the band asked for does not exist."""


class OutputError(RivermapError, OSError):
    """An output cannot be written (missing or read-only folder, full disk, interrupted write)."""


class Interrupted(BaseException):
    """The process was asked to stop (SIGINT / Ctrl-C, SIGTERM) while working.

    Raised by the CLI's signal handlers (:mod:`rivermap.signals`) so that every ``finally``
    and ``except BaseException`` clean-up runs (temporary files are removed). Like
    KeyboardInterrupt it derives from BaseException only, so ``except Exception`` never
    swallows it; it is not a KeyboardInterrupt, which click would turn into "Aborted!" and
    exit code 1. ``signum`` is the signal's number; the exit code is ``128 + signum``.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
