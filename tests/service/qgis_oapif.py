"""Load collections of a running OGC API – Features service with QGIS's own OAPIF provider.

Run with the system Python that has Debian's python3-qgis, headless:
``QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/service/qgis_oapif.py URL rivers crossings``.
Prints one JSON line per collection: valid, feature count, CRS, field names.
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import QgsApplication, QgsVectorLayer  # noqa: E402


def main() -> int:
    base, names = sys.argv[1].rstrip("/"), sys.argv[2:]
    app = QgsApplication([], False)
    app.initQgis()
    for name in names:
        layer = QgsVectorLayer(f"url='{base}' typename='{name}'", name, "OAPIF")
        info = {"collection": name, "valid": layer.isValid()}
        if layer.isValid():
            info.update(
                features=layer.featureCount(),
                iterated=sum(1 for _ in layer.getFeatures()),
                crs=layer.crs().authid(),
                fields=[f.name() for f in layer.fields()],
            )
        print(json.dumps(info, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # QGIS 3.22 can crash in its exit handlers after the work is done
