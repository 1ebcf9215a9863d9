# echostream: the two commands of the README, and the steps behind them.
#   make run    bootstrap, build, start the local broker and every service, feed the sample studies
#   make test   bootstrap, then the whole test suite (Java unit + real-broker/peer integration tests, model tests)
SHELL := /bin/bash
MVN := .tools/apache-maven-3.9.16/bin/mvn
MVN_FLAGS ?= -B -ntp
PYTHON := /usr/bin/python3

.PHONY: run test bootstrap build java-test model-test run-smoke eval-smoke clean help

help:
	@echo "make run     start echostream locally (broker, services, sample studies); Ctrl-C stops it"
	@echo "make test    run the whole test suite"
	@echo "make build   build every module without running tests"

bootstrap:
	@bin/bootstrap

build: bootstrap
	$(MVN) $(MVN_FLAGS) -q package -DskipTests

run: build
	bin/echostream run

test: bootstrap java-test model-test run-smoke eval-smoke

# `make run` itself, end to end with whatever has landed, on shifted ports and a throw-away data folder.
run-smoke:
	ECHOSTREAM_PORT_OFFSET=1000 ECHOSTREAM_DATA_DIR=$$(mktemp -d) ECHOSTREAM_RUN_DIR=target/run-smoke \
	  timeout 900 bin/echostream run --once --check-restart

# verify, not install: the reactor resolves sibling modules itself, and nothing is written to ~/.m2.
java-test:
	$(MVN) $(MVN_FLAGS) verify

model-test:
	@if [ -d model/tests ]; then $(MAKE) -C model test PYTHON=$(PYTHON); else echo "model/tests: not present yet"; fi

# The whole-pipeline evaluation harness on one short study per kind: keeps `bin/echostream evaluate`
# working (its figures need dozens per kind: see docs/model-card.md).
eval-smoke:
	ECHOSTREAM_PORT_OFFSET=1100 ECHOSTREAM_RUN_DIR=target/eval-smoke \
	  timeout 900 bin/echostream evaluate --per-kind 1 --duration 4 --out target/eval-smoke --wait 300

clean:
	$(MVN) $(MVN_FLAGS) -q clean
