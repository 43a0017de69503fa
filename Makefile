# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test venv system-deps bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Debian packages the tests drive for real: redis-server (log backend, fault tests).
system-deps:
	@command -v redis-server >/dev/null 2>&1 || { \
	  echo "installing redis-server from Debian packages"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; }

run: venv
	$(BIN)/multiplex serve

test: venv system-deps
	$(BIN)/python -m pytest -q

bench: venv
	$(BIN)/python -m bench.fanout

clean:
	rm -rf $(VENV) data build *.egg-info
