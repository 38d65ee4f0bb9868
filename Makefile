# Two set-up commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test index chat bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

index: $(STAMP)
	$(BIN)/cspbot index

# Starts the Telegram bot when a token is configured, else the local chat.
run: $(STAMP)
	$(BIN)/cspbot index
	$(BIN)/cspbot run --config $(or $(CONFIG),config.toml) --fallback-chat

chat: $(STAMP)
	$(BIN)/cspbot chat

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run_all

clean:
	rm -rf $(VENV) data/*.db data/*.model
