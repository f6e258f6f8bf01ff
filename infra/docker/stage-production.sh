#!/bin/sh
# Copies the files the server needs at run time from a built, pruned workspace tree ($1) into $2:
# the root node_modules and package.json, and for every workspace its package.json, dist/ and own
# node_modules (nested copies where versions differ). No sources, tests, configs or dev tools.
# Used by the Dockerfile's build stage; runnable locally to inspect what the image would hold:
#   sh infra/docker/stage-production.sh . /tmp/ai-scale-prod
set -eu
source_dir=$(cd "$1" && pwd)
target_dir=$2

mkdir -p "$target_dir"
cp "$source_dir/package.json" "$target_dir/"
cp -a "$source_dir/node_modules" "$target_dir/node_modules"

for manifest in "$source_dir"/packages/*/package.json "$source_dir"/apps/server/package.json; do
  workspace=$(dirname "$manifest")
  relative=${workspace#"$source_dir"/}
  mkdir -p "$target_dir/$relative"
  cp "$manifest" "$target_dir/$relative/"
  for part in dist node_modules; do
    if [ -d "$workspace/$part" ]; then
      cp -a "$workspace/$part" "$target_dir/$relative/$part"
    fi
  done
done

# Workspaces left out of the image (bench, infra) would be dangling links: remove them.
find "$target_dir/node_modules/@ai-scale" -maxdepth 1 -type l ! -exec test -e {} \; -exec rm {} \;
# Test-only files compiled into dist are not needed to run.
find "$target_dir/packages" "$target_dir/apps" -path '*/node_modules' -prune -o \
  \( -name '*.test.js' -o -name '*.test.js.map' -o -name '*.test.d.ts' -o -name '*.test.d.ts.map' \) -print \
  | xargs -r rm -f
