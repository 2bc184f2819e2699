# The README's two commands: `make run` (set up and run the bot) and `make test`.
VENV ?= .venv
BIN = $(VENV)/bin
PYTHON ?= python3

.PHONY: run test setup lint bench

$(BIN)/liaison: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	touch $(BIN)/liaison

setup: $(BIN)/liaison

run: setup
	$(BIN)/liaison db upgrade
	$(BIN)/liaison demo
	$(BIN)/liaison serve

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Coverage counts the `liaison` processes the tests start (serve, its workers, the CLI) too.
test: lint
	rm -rf instance/coverage
	$(BIN)/pytest -n 2 -p no:cacheprovider --cov --cov-report=
	@echo "覆盖率合计（含测试启动的 serve 和 CLI 进程）：$$($(BIN)/coverage report --format=total)%"

# The callback benchmark loads the server with wrk (Debian's package), installed if missing.
bench: setup
	command -v wrk >/dev/null || (apt-get update -q && apt-get install -y -q wrk)
	LIAISON_BENCH_PG_URL="$${LIAISON_BENCH_PG_URL-$$(pg_isready -q -h 127.0.0.1 2>/dev/null && echo postgresql+psycopg://postgres@127.0.0.1:5432/test)}" \
		$(BIN)/python -m bench
	$(BIN)/python -m bench.bench_bulletin
	$(BIN)/python -m bench.bench_warning
