# Two commands do everything on a fresh Debian machine (run as root, or with sudo available):
#   make build   -> maps (HTML) and the GeoPackage from the embedded data, in ./out
#   make test    -> the whole test suite (installs Chromium + ChromeDriver and Python packages)
VENV ?= .venv
PYTHON ?= python3
OUT ?= out
BIN = $(VENV)/bin
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# fonts-wqy-microhei: Chinese names in screenshots; python3-gdal: the COG validator;
# python3-qgis + qgis-providers: the QGIS checks (system python3, QT_QPA_PLATFORM=offscreen)
DEBIAN_PACKAGES = chromium chromium-driver python3-gdal fonts-wqy-microhei python3-qgis qgis-providers

.PHONY: build test lint bench screenshot catalogs network system-deps clean

build: $(BIN)/.installed
	$(BIN)/rivermap build --out $(OUT)

test: system-deps $(BIN)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q

bench: system-deps $(BIN)/.installed-test
	$(BIN)/pip install -q --config-settings editable_mode=compat -e ".[test,bench]"
	$(BIN)/python -m bench

# the README's pictures: the overview in each language at desk size and in Kazakh on a phone
screenshot: build system-deps $(BIN)/.installed-test
	$(BIN)/python -c "from maps.screenshot import save_screenshot as s; \
	s('$(OUT)/overview.html', 'docs/overview.png', size=(1280, 800)); \
	[s(f'$(OUT)/{l}/overview.html', f'docs/overview-{l}.png', size=(1280, 800)) for l in ('kk', 'ru', 'zh')]; \
	s('$(OUT)/kk/overview.html', 'docs/phone-overview-kk.png', size=(390, 844))"

# the maps' messages: extract them from the code, templates and embedded data into the template,
# then add new ones to the kk/ru/zh catalogs (translate them there: the suite fails on any left empty)
CATALOG_LANGS = kk ru zh
catalogs: $(BIN)/.installed
	$(BIN)/pybabel extract -F maps/babel.cfg --no-location --sort-output --project rivermap \
	  --copyright-holder "rivermap contributors" -o maps/locale/rivermap.pot .
	for l in $(CATALOG_LANGS); do $(BIN)/pybabel update -i maps/locale/rivermap.pot -d maps/locale \
	  -D rivermap -l $$l --no-fuzzy-matching --ignore-obsolete; done

# the embedded default river network, rebuilt from its two raw inputs (portal + World Data Bank II)
network: $(BIN)/.installed
	$(BIN)/rivermap merge-network --out layers/data/rivers_merged.geojson

lint: $(BIN)/.installed-test
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

system-deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# compat editable mode: a plain path in a .pth file, no import hook to load at start-up
# (a faster start, and a shorter window before the CLI's signal handlers are in place)
$(BIN)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q --config-settings editable_mode=compat -e .
	touch $@

$(BIN)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q --config-settings editable_mode=compat -e ".[test]"
	# GDAL's GeoPackage validator (pure Python, sqlite3 only); its wheel declares the GDAL
	# bindings as a dependency, which we do not need, hence --no-deps
	$(BIN)/pip install -q --no-deps gdal-utils
	touch $@ $(BIN)/.installed

clean:
	rm -rf $(OUT) build *.egg-info
