# The local contract (docs/architecture.md): `make run` starts the hub, `make test` runs every test.
# Both work from a fresh clone: they create .venv and install what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CDK := node_modules/.bin/cdk
export CDK_DISABLE_CLI_TELEMETRY := 1
export CDK_DISABLE_VERSION_CHECK := 1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: install run test test-fast bench synth deploy lint clean openapi

# The Lambda layer's lock constrains the venv too: the tests run with the versions the layer ships
# (docs/deploy.md "How the layers are built"; infra/layer_lock.py writes it from the venv).
$(STAMP): pyproject.toml requirements-lambda.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements-lambda.txt -e '.[local,dev]'
	touch $(STAMP)

$(CDK): package.json
	npm install --no-audit --no-fund --silent
	touch $(CDK)

install: $(STAMP) $(CDK)

# The sandbox (docs/sandbox.md): EMSPs simulated on this machine may register (the hub then calls
# loopback party URLs, and says so loudly at start), and every meter value of an active session is
# PATCHed at once (serve coalesces them to one per 300 s by default), so `mobie-hub demo` shows it flow.
run: $(STAMP)
	MOBIE_SESSION_PUSH_INTERVAL_SECONDS=0 $(BIN)/mobie-hub serve --allow-loopback-parties

test: $(STAMP) $(CDK)
	$(BIN)/pytest

test-fast: $(STAMP)
	$(BIN)/pytest -m "not infra and not e2e"

# The OCPI API's OpenAPI documents (2.2 and 2.2.1) for integrators; a test fails when they drift.
openapi: $(STAMP)
	$(BIN)/python -m mobie_hub.local.openapi docs/openapi

bench: $(STAMP)
	$(BIN)/python bench/run.py $(ARGS)

# The monthly cost at national scale, measured by running the handlers under moto (docs/operations.md
# "Cost"). ARGS passes flags, e.g. ARGS="--stations 20000 --json"; ARGS=--help lists them. The
# command is not echoed, so `make cost ARGS=--json > report.json` is JSON.
.PHONY: cost
cost: $(STAMP)
	@$(BIN)/python -m cost $(ARGS)

# synth: no values needed (a placeholder domain, not deployable). deploy: the values come from the
# environment (MOBIE_DEPLOY_DOMAIN_NAME, …), deploy.json or CDK_ARGS="-c key=value" (docs/deploy.md);
# every missing one is named before the CDK CLI runs. CDK_ARGS passes more, e.g. "--require-approval never".
synth: $(STAMP) $(CDK)
	PATH=$(abspath $(BIN)):$$PATH $(CDK) synth --quiet $(CDK_ARGS)

deploy: $(STAMP) $(CDK)
	$(BIN)/python -m infra.app --check-deploy $(CDK_ARGS)
	PATH=$(abspath $(BIN)):$$PATH $(CDK) deploy --context deploy=true $(CDK_ARGS)

clean:
	rm -rf $(VENV) node_modules cdk.out build
