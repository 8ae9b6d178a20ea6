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
timed() { # timed NAME cmd...: runs cmd, logs how long it took (the CI budget is 90 min on 2 cores)
  local name=$1 s; shift; s=$(date +%s)
  "$@"; say "$name built in $(( $(date +%s) - s ))s"
}

# --- OpenTelemetry Collector Builder, then our collector ---
BUILDER=$CACHE/builder-$OCB_VERSION/bin/builder
if [ ! -x "$BUILDER" ]; then
  say "installing ocb $OCB_VERSION"
  timed builder env GOBIN="$CACHE/builder-$OCB_VERSION/bin" go install "go.opentelemetry.io/collector/cmd/builder@$OCB_VERSION"
fi
OTELCOL_DIR=$CACHE/otelcol-${OCB_VERSION#v}-$(hash12 "$ROOT/collector/builder-config.yaml")
OTELCOL=$OTELCOL_DIR/otelcol-callscope/otelcol-callscope
if [ ! -x "$OTELCOL" ]; then
  say "building the collector into $OTELCOL_DIR (log: $OTELCOL_DIR.log)"
  rm -rf "$OTELCOL_DIR.tmp"; mkdir -p "$OTELCOL_DIR.tmp"
  cp "$ROOT/collector/builder-config.yaml" "$OTELCOL_DIR.tmp/"
  # output_path in the manifest is relative: run from the build dir.
  if ! timed otelcol bash -c "cd '$OTELCOL_DIR.tmp' && '$BUILDER' --config builder-config.yaml" >"$OTELCOL_DIR.log" 2>&1; then
    tail -n 30 "$OTELCOL_DIR.log" >&2; say "collector build FAILED"; exit 1
  fi
  rm -rf "$OTELCOL_DIR"; mv "$OTELCOL_DIR.tmp" "$OTELCOL_DIR"
fi

# --- Jaeger v2 ---
JAEGER_DIR=$CACHE/jaeger-$JAEGER_MODULE_VERSION
JAEGER=$JAEGER_DIR/bin/jaeger
if [ ! -x "$JAEGER" ]; then
  say "building jaeger $JAEGER_MODULE_VERSION (log: $JAEGER_DIR.log)"
  # `go install pkg@version` refuses modules with replace directives (Jaeger has one), so build inside
  # a writable copy of the downloaded module, where its go.mod applies.
  build_jaeger() {
    local src
    src=$(cd /tmp && go mod download -json "github.com/jaegertracing/jaeger@$JAEGER_MODULE_VERSION" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
    rm -rf "$JAEGER_DIR/src"; mkdir -p "$JAEGER_DIR/bin"
    cp -r "$src" "$JAEGER_DIR/src"; chmod -R u+w "$JAEGER_DIR/src"
    (cd "$JAEGER_DIR/src" && go build -o "$JAEGER.tmp" ./cmd/jaeger) && mv "$JAEGER.tmp" "$JAEGER"
    rm -rf "$JAEGER_DIR/src"
  }
  if ! timed jaeger build_jaeger >"$JAEGER_DIR.log" 2>&1; then
    tail -n 30 "$JAEGER_DIR.log" >&2; say "jaeger build FAILED"; exit 1
  fi
fi

# --- moto server (the AWS endpoint) ---
MOTO_DIR=$CACHE/moto-$(hash12 "$ROOT/test/e2e/requirements.txt")
if [ ! -x "$MOTO_DIR/venv/bin/moto_server" ]; then
  say "installing moto into $MOTO_DIR"
  rm -rf "$MOTO_DIR"
  install_moto() {
    python3 -m venv "$MOTO_DIR/venv" && "$MOTO_DIR/venv/bin/pip" install -q -r "$ROOT/test/e2e/requirements.txt"
  }
  if ! timed moto install_moto >"$MOTO_DIR.log" 2>&1; then
    tail -n 30 "$MOTO_DIR.log" >&2; rm -rf "$MOTO_DIR"; say "moto install FAILED"; exit 1
  fi
fi

echo "OTELCOL=$OTELCOL"
echo "JAEGER=$JAEGER"
echo "MOTO_SERVER=$MOTO_DIR/venv/bin/moto_server"
echo "MOTO_PYTHON=$MOTO_DIR/venv/bin/python"
