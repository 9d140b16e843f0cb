# The two commands a new user runs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2

.PHONY: run test install system-packages lock bench clean demo demo-instance

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

install: $(VENV)/.installed

# Set up, import the bundled notices, build the index, serve under gunicorn.
run: install
	$(VENV)/bin/archive init
	@echo "Honors Archive: http://$(HOST):$(PORT)/"
	$(VENV)/bin/gunicorn -c gunicorn.conf.py --workers $(WORKERS) --bind $(HOST):$(PORT) \
	  --access-logfile - wsgi:app

# Debian's Chromium for the real-browser tests (Playwright never downloads one here),
# a CJK font so that its screenshots show the Chinese text, nginx for the shared-cache
# test (deploy/nginx.conf), and LibreOffice's Writer, which converts Word 97 .doc
# notices (and makes the tests' .doc files); libGL and GLib, which OpenCV (under the
# OCR engine) loads.
system-packages:
	@dpkg -s chromium fonts-wqy-microhei nginx-light libreoffice-writer-nogui libgl1 libglib2.0-0 >/dev/null 2>&1 || { \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium fonts-wqy-microhei nginx-light libgl1 libglib2.0-0 >/dev/null \
	  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    libreoffice-writer-nogui >/dev/null) \
	  || echo "warning: could not install chromium, nginx or LibreOffice; their tests will fail"; }
	@# Debian starts the nginx it installs; the tests run their own.
	@(service nginx stop >/dev/null 2>&1 || true)

# axe-core for the accessibility test (tests/test_accessibility.py): from the npm
# registry, at the version tests/axe/package-lock.json pins; test setup only, never
# served by the app.
AXE := tests/axe/node_modules/axe-core/axe.min.js
$(AXE): tests/axe/package.json tests/axe/package-lock.json
	@command -v npm >/dev/null 2>&1 || { (apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null) \
	  || echo "warning: could not install npm; the accessibility test will fail"; }
	npm ci --prefix tests/axe --no-audit --no-fund --silent
	touch $@

test: install system-packages $(AXE)
	$(PY) -m pytest -q

# A demonstration archive for newcomers: a separate instance ($(DEMO_HOME), never the
# real one) of notices the corpus generator makes (ENTRIES fictional entries, 5,000 by
# default), every page bannered 示例数据（虚构）.
DEMO_HOME ?= demo-instance
demo-instance: install
	rm -rf $(DEMO_HOME)
	mkdir -p $(DEMO_HOME)/generated
	$(PY) scripts/make_corpus.py $(or $(ENTRIES),5000) $(DEMO_HOME)/generated --seed 7
	ARCHIVE_HOME=$(DEMO_HOME) ARCHIVE_DEMO=1 $(VENV)/bin/archive import $(DEMO_HOME)/generated/*.txt

demo: demo-instance
	@echo "Honors Archive demo (fictional data): http://$(HOST):$(PORT)/"
	ARCHIVE_HOME=$(DEMO_HOME) ARCHIVE_DEMO=1 $(VENV)/bin/gunicorn -c gunicorn.conf.py \
	  --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - wsgi:app

# Regenerate the lock (exact versions with hashes) after changing pyproject.toml.
lock: install
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra test --generate-hashes \
	  --python-version 3.11 -o requirements.lock

# Datasette, the benchmark's HTTP baseline, comes with the test extra (requirements.lock);
# Tantivy, the indexing peer, with the bench extra.
bench: install
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[bench]'
	$(PY) scripts/bench.py --entries $(or $(ENTRIES),5000) --out docs/benchmarks.md

clean:
	rm -rf $(VENV) instance artifacts .pytest_cache
