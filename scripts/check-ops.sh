#!/usr/bin/env bash
# Validates ops/: the Prometheus alert rules (promtool check rules), their unit tests (promtool test rules) and the
# example scrape configuration. promtool comes from PATH or .tools/bin (.ci/run installs it from Debian's
# `prometheus` package: the static binary only, no service).
set -euo pipefail
cd "$(dirname "$0")/.."
PROMTOOL=$(command -v promtool || echo "$PWD/.tools/bin/promtool")
if [ ! -x "$PROMTOOL" ]; then
  echo "promtool not found: install Debian's prometheus package, or run .ci/run once" >&2
  exit 1
fi
"$PROMTOOL" check rules ops/prometheus/alerts.yml
(cd ops/prometheus && "$PROMTOOL" test rules alerts.test.yml)
"$PROMTOOL" check config --syntax-only ops/prometheus/prometheus.example.yml
