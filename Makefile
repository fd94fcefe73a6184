# Two commands: `make run` (set up and run on SQLite with demo data) and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PORT   ?= 5000
PYTEST_ARGS ?=

.PHONY: run test install assets lint format migration chromium clean

run: install assets
	PORT=$(PORT) $(PY) scripts/run.py

test: install assets chromium
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest $(PYTEST_ARGS)

install: $(STAMP)

$(PY):
	python3 -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: frontoffice/static/application.css

frontoffice/static/application.css: node_modules/.installed $(wildcard assets/scss/*.scss) scripts/build-assets.mjs
	npm run --silent build

chromium:
	@bash scripts/ensure-chromium.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# After changing a model: `make migration m="what changed"`.
migration: install
	FRONTOFFICE_INSTANCE=$$(mktemp -d) sh -c '$(VENV)/bin/flask --app frontoffice db upgrade && $(VENV)/bin/flask --app frontoffice db migrate -m "$(m)"'

clean:
	rm -rf $(VENV) node_modules frontoffice/static instance
