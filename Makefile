# Two commands do everything: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
MANAGE := $(CURDIR)/$(BIN)/python $(CURDIR)/manage.py

.PHONY: demo test install migrate translations worker messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the pinned versions or the package metadata change.
$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP) translations

# The compiled catalogues are committed too, so pages stay Vietnamese where gettext is missing.
translations:
	@if command -v msgfmt >/dev/null 2>&1; then cd src/chiso && CHISO_DEBUG=1 $(MANAGE) compilemessages -v 0; fi

migrate: install
	CHISO_DEBUG=1 $(MANAGE) migrate --noinput -v 0

demo: migrate
	CHISO_DEBUG=1 $(MANAGE) load_demo
	CHISO_DEBUG=1 $(MANAGE) demo_logins
	@# The task worker runs beside the web server, so exports and batches work in the demo too.
	CHISO_DEBUG=1 $(MANAGE) db_worker --no-startup-delay & worker=$$!; \
	trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	CHISO_DEBUG=1 $(MANAGE) runserver 127.0.0.1:8000

# A task worker on its own (production runs it as a service; `make demo` starts one).
worker: migrate
	CHISO_DEBUG=1 $(MANAGE) db_worker

# The whole suite: unit, integration and browser tests (DATABASE_URL picks PostgreSQL).
# Bytecode is kept even where the environment says PYTHONDONTWRITEBYTECODE: otherwise each test
# process rewrites the asserts of every test module again (about 7 s of each one's start) and
# every `manage.py` or server the tests start compiles chiso again.
test: install
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n auto --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

# After changing user-facing strings: update the catalogues, translate (no fuzzy entry may stay:
# tests/core/test_translations.py checks), then `make translations`. The apps with their own
# catalogue (a locale/ folder in the app) run makemessages in their own folder; the main catalogue
# (src/chiso/locale) collects the others.
APP_CATALOGUES := $(patsubst src/chiso/%/locale,%,$(wildcard src/chiso/*/locale))
messages: install
	cd src/chiso && CHISO_DEBUG=1 $(MANAGE) makemessages -l vi -l en --ignore='engine/*' $(foreach app,$(APP_CATALOGUES),--ignore='$(app)/*')
	for app in $(APP_CATALOGUES); do (cd src/chiso/$$app && CHISO_DEBUG=1 $(MANAGE) makemessages -l vi -l en -v 0) || exit 1; done

bench: install
	$(BIN)/python bench/engine.py

clean:
	rm -rf $(VENV) var/
