# yuqing — the two commands a newcomer runs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
YQ     := $(VENV)/bin/yuqing
DATA   ?= ../shared/data
DEMO   := demo
# the demo store's login only; a real install adds its users with `yuqing user add`
DEMO_PASSWORD := demo-yuqing
PORT ?= 8000

VENDOR := src/yuqing/web/static/vendor

.PHONY: install assets vendor demo dashboard test test-fast bench bench-hostile docs models clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# The dashboard's front-end files (ECharts, htmx, Swagger UI for /api/docs) come from the npm registry at install time and are
# served by the package itself: never a CDN, never committed. A wheel built after this carries them.
# Without npm the dashboard still works, with tables instead of charts: say so, don't stop.
$(VENDOR)/.installed: assets/package.json assets/package-lock.json
	@command -v npm >/dev/null || { echo "npm not found: the dashboard will show tables without charts (apt install npm, then make assets)"; exit 0; }; \
	$(MAKE) --no-print-directory vendor

vendor:
	cd assets && SCARF_ANALYTICS=false npm ci --ignore-scripts --no-audit --no-fund --silent
	mkdir -p $(VENDOR)
	cp assets/node_modules/echarts/dist/echarts.min.js $(VENDOR)/
	cp assets/node_modules/echarts/LICENSE $(VENDOR)/echarts.LICENSE
	cp assets/node_modules/echarts/NOTICE $(VENDOR)/echarts.NOTICE
	cp assets/node_modules/echarts-wordcloud/dist/echarts-wordcloud.min.js $(VENDOR)/
	cp assets/node_modules/echarts-wordcloud/package.json $(VENDOR)/echarts-wordcloud.package.json  # ISC: its licence and author
	cp assets/node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp assets/node_modules/htmx.org/LICENSE $(VENDOR)/htmx.LICENSE
	cp assets/node_modules/swagger-ui-dist/swagger-ui-bundle.js assets/node_modules/swagger-ui-dist/swagger-ui.css $(VENDOR)/
	cp assets/node_modules/swagger-ui-dist/LICENSE $(VENDOR)/swagger-ui.LICENSE
	touch $(VENDOR)/.installed

assets: $(VENDOR)/.installed

install: $(VENV)/.installed $(VENDOR)/.installed

# A fresh store in ./demo that comes alive: `yuqing run` replays four days of the fictional district
# stream in about three minutes while `yuqing serve` shows it; Ctrl-C stops (DEMO_SECONDS=N: stop after N s).
demo: install
	rm -rf $(DEMO) && mkdir -p $(DEMO)
	cd $(DEMO) && ../$(YQ) init --region 131003
	cp src/yuqing/data/demo/page_gbk.html $(DEMO)/inbox/
	printf '\n[[sources]]\nname = "demo-stream"\nkind = "replay"\npath = "%s"\nplatform = "other"\nspeed = 2000\nretime = "shift"\ninterval = "5s"\n' \
		"$(CURDIR)/src/yuqing/data/demo/stream.jsonl" >> $(DEMO)/yuqing.toml
	cd $(DEMO) && ../$(YQ) scheme add wanzhuang ../src/yuqing/data/demo/schemes/wanzhuang.yaml --owner 万庄镇 --later \
		&& ../$(YQ) scheme add laojiu ../src/yuqing/data/demo/schemes/laojiu.yaml --owner 住建局 --later
	@echo "$(DEMO_PASSWORD)" | (cd $(DEMO) && ../$(YQ) user add demo --role admin --password-stdin)
	@echo "$(DEMO_PASSWORD)" | (cd $(DEMO) && ../$(YQ) user add wanzhuang --role analyst --scheme wanzhuang --password-stdin)
	$(PY) scripts/demo.py $(DEMO) $(PORT)
	@echo "The demo store stays in ./$(DEMO): cd $(DEMO) && ../$(YQ) events --since 7d; make dashboard serves it again."

# The dashboard over the demo store (after `make demo`).
dashboard: install
	@test -f $(DEMO)/yuqing.db || { echo "run make demo first"; exit 2; }
	cd $(DEMO) && ../$(YQ) serve --host 127.0.0.1 --port $(PORT)

# The whole suite on SQLite (the bus tests on a real NATS JetStream server), then the store,
# search, list, web, events and pipeline tests again on a real PostgreSQL server.
PG_TESTS := tests/test_store.py tests/test_list.py tests/test_web.py tests/test_events.py tests/test_run.py

test: install
	YUQING_DATA=$(DATA) $(PY) -m pytest -n 2 -q
	YUQING_TEST_BACKEND=postgresql YUQING_DATA=$(DATA) $(PY) -m pytest -n 2 -q $(PG_TESTS)

test-fast: install
	YUQING_DATA=$(DATA) $(PY) -m pytest -n 2 -q -m "not slow"

bench: install
	YUQING_DATA=$(DATA) $(PY) bench/run.py

# Hostile input at full size: 10,000 records in every format, bombs, 50 misbehaving feeds (~4 min).
bench-hostile: install
	$(PY) bench/hostile.py --records 10000 --feeds 50 --seconds 60

docs: install
	$(YQ) settings --markdown > docs/settings.md

# Retrain the shipped category and sentiment models from the shared data (a few minutes).
models: install
	$(PY) -m pip install --quiet -e '.[train]'
	YUQING_DATA=$(DATA) $(PY) scripts/train_models.py

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache build *.egg-info src/*.egg-info assets/node_modules $(VENDOR)
