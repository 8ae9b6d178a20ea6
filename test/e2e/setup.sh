#!/usr/bin/env bash
# Builds (once) the real components the e2e tests run, outside the repo, keyed by version + manifest hash:
#   otelcol   ocb v0.159.0 + collector/builder-config.yaml -> $CACHE/otelcol-0.159.0-<hash>/
#   jaeger    Jaeger v2 (module github.com/jaegertracing/jaeger v1.76.0 = Jaeger v2.13.0) -> $CACHE/jaeger-v1.76.0/
#   moto      moto server in a venv, test/e2e/requirements.txt -> $CACHE/moto-<hash>/
# Idempotent: a cached component costs a stat. Prints KEY=path lines (for the test runner) at the end.
# Needs: go >= 1.25, python3 with venv, the Go module proxy and PyPI.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${CALLSCOPE_E2E_CACHE:-$HOME/.cache/callscope-e2e}
OCB_VERSION=v0.159.0
# Jaeger's v2.x tags cannot be `go install`ed (module path has no /v2) and the proxy here serves no
# pseudo-version of the v2.20.0 commit; v1.76.0 is the same commit as v2.13.0 and its cmd/jaeger is v2.
JAEGER_MODULE_VERSION=v1.76.0
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"; flock 9 # two runs at once would build twice into the same place

say() { echo "[e2e setup] $*" >&2; }
hash12() { cat "$@" | sha256sum | cut -c1-12; }
# build NAME LOG cmd...: runs cmd with its output in LOG; says how long it took (CI has 90 min on
# 2 cores for everything), or shows the end of LOG and fails.
build() {
  local name=$1 log=$2 s; shift 2; s=$(date +%s)
  if "$@" >"$log" 2>&1; then
    say "$name built in $(( $(date +%s) - s ))s"
  else
    tail -n 30 "$log" >&2; say "$name build FAILED after $(( $(date +%s) - s ))s (log: $log)"; return 1
  fi
}

# --- OpenTelemetry Collector Builder, then our collector ---
BUILDER=$CACHE/builder-$OCB_VERSION/bin/builder
if [ ! -x "$BUILDER" ]; then
  say "installing ocb $OCB_VERSION"
  build ocb "$CACHE/builder-$OCB_VERSION.log" env GOBIN="$CACHE/builder-$OCB_VERSION/bin" go install "go.opentelemetry.io/collector/cmd/builder@$OCB_VERSION"
fi
OTELCOL_DIR=$CACHE/otelcol-${OCB_VERSION#v}-$(hash12 "$ROOT/collector/builder-config.yaml")
OTELCOL=$OTELCOL_DIR/otelcol-callscope/otelcol-callscope
if [ ! -x "$OTELCOL" ]; then
  say "building the collector into $OTELCOL_DIR"
  rm -rf "$OTELCOL_DIR.tmp"; mkdir -p "$OTELCOL_DIR.tmp"
  cp "$ROOT/collector/builder-config.yaml" "$OTELCOL_DIR.tmp/"
  # output_path in the manifest is relative: run from the build dir.
  build collector "$OTELCOL_DIR.log" bash -c "cd '$OTELCOL_DIR.tmp' && '$BUILDER' --config builder-config.yaml"
  rm -rf "$OTELCOL_DIR"; mv "$OTELCOL_DIR.tmp" "$OTELCOL_DIR"
fi

# --- Jaeger v2 ---
JAEGER_DIR=$CACHE/jaeger-$JAEGER_MODULE_VERSION
JAEGER=$JAEGER_DIR/bin/jaeger
if [ ! -x "$JAEGER" ]; then
  say "building jaeger $JAEGER_MODULE_VERSION"
  # `go install pkg@version` refuses modules with replace directives (Jaeger has one), so build inside
  # a writable copy of the downloaded module, where its go.mod applies.
  build_jaeger() { # every step checked: `set -e` does not apply inside a function run by `if`
    local src
    src=$(cd /tmp && go mod download -json "github.com/jaegertracing/jaeger@$JAEGER_MODULE_VERSION" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])') || return 1
    rm -rf "$JAEGER_DIR/src" && mkdir -p "$JAEGER_DIR/bin" || return 1
    cp -r "$src" "$JAEGER_DIR/src" && chmod -R u+w "$JAEGER_DIR/src" || return 1
    (cd "$JAEGER_DIR/src" && go build -o "$JAEGER.tmp" ./cmd/jaeger) && mv "$JAEGER.tmp" "$JAEGER" || return 1
    rm -rf "$JAEGER_DIR/src"
  }
  build jaeger "$JAEGER_DIR.log" build_jaeger
fi

# --- moto server (the AWS endpoint) ---
MOTO_DIR=$CACHE/moto-$(hash12 "$ROOT/test/e2e/requirements.txt")
if [ ! -x "$MOTO_DIR/venv/bin/moto_server" ]; then
  say "installing moto into $MOTO_DIR"
  rm -rf "$MOTO_DIR"
  install_moto() {
    python3 -m venv "$MOTO_DIR/venv" && "$MOTO_DIR/venv/bin/pip" install -q -r "$ROOT/test/e2e/requirements.txt"
  }
  build moto "$MOTO_DIR.log" install_moto || { rm -rf "$MOTO_DIR"; exit 1; }
fi

echo "OTELCOL=$OTELCOL"
echo "JAEGER=$JAEGER"
echo "MOTO_SERVER=$MOTO_DIR/venv/bin/moto_server"
echo "MOTO_PYTHON=$MOTO_DIR/venv/bin/python"
