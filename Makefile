# Two commands do everything: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install migrate serve worker messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the pinned versions or the package metadata change.
$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py compilemessages --ignore='.venv/*' -v 0

demo: migrate
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py demo_logins
	$(BIN)/python manage.py runserver 127.0.0.1:8000

worker: migrate
	$(BIN)/python manage.py db_worker

# The whole suite: unit, integration and browser tests.
test: install
	$(BIN)/python manage.py compilemessages --ignore='.venv/*' -v 0
	$(BIN)/python -m pytest -n auto --dist loadfile $(PYTEST_ARGS)

messages:
	$(BIN)/python manage.py makemessages -l vi -l en --ignore='.venv/*' --ignore='tests/*'

bench: install
	$(BIN)/python bench/engine.py

clean:
	rm -rf $(VENV) var/*.sqlite3*
