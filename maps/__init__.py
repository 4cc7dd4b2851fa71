"""Offline HTML maps of an Atlas (Folium + Leaflet 1.9.4 inlined): ``maps.render.write_maps``."""
