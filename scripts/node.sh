#!/usr/bin/env bash
# Node runtimes for the test line and the install test.
#   bash scripts/node.sh 22      prints the folder of a Node 22 `node` binary
#   bash scripts/node.sh 24+     prints the folder of a Node 24-or-newer `node` binary
#   . scripts/node.sh; use_node 24+   (sourced) puts that folder first on PATH unless it already is
# The first `node` on PATH that fits is used; otherwise the release pinned below, from the npm
# registry's `node` package (its install script fetches `node-<os>-<arch>` from the same registry),
# goes into .tools/node-<version>/ inside the project, once. Only the npm registry is needed.
# Its binary's folder is also npm's global prefix `bin` under that Node, so `npm i -g` (pnpm in
# bootstrap.sh) lands in .tools/ too, on PATH with it.

# The newest release of each line on the registry's `node` package (2026-12-06): 24 is the test
# line's runtime; 20 and 22 are what the install test runs the packed tarballs on besides 24.
node_pinned_version() {
  case "$1" in
    20) echo 20.20.2 ;;
    22) echo 22.23.3 ;;
    24) echo 24.21.0 ;;
    *) echo "node.sh: no pinned Node $1" >&2 && return 1 ;;
  esac
}

node_fits() { # <node binary> <major> <"+" for that major or newer>
  local major
  major=$("$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null) || return 1
  if [ "$3" = "+" ]; then [ "$major" -ge "$2" ]; else [ "$major" -eq "$2" ]; fi
}

node_bin_dir() { # <major>[+]
  local want=${1%+} plus=${1#"${1%+}"} candidate version root dir tmp
  while IFS= read -r candidate; do
    if node_fits "$candidate" "$want" "$plus"; then
      dirname "$candidate"
      return 0
    fi
  done < <(type -ap node)
  version=$(node_pinned_version "$want") || return 1
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  dir="$root/.tools/node-$version"
  if [ "$("$dir/node_modules/node/bin/node" --version 2>/dev/null)" != "v$version" ]; then
    echo "node.sh: installing node@$version from the npm registry into .tools/" >&2
    rm -rf "$dir" # a broken or other-version leftover
    mkdir -p "$root/.tools"
    # Installed beside the final folder and moved into place, so a concurrent or killed install
    # never leaves a half-made runtime where the check above would find it.
    tmp=$(mktemp -d "$root/.tools/.node-$version.XXXXXX")
    npm install --prefix "$tmp" --no-audit --no-fund --loglevel=error "node@$version" >&2
    if [ "$("$tmp/node_modules/node/bin/node" --version 2>/dev/null)" != "v$version" ]; then
      rm -rf "$tmp"
      echo "node.sh: node@$version from the npm registry did not install a runnable node" >&2
      return 1
    fi
    mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
  fi
  echo "$dir/node_modules/node/bin"
}

use_node() { # <major>[+]
  local dir
  dir=$(node_bin_dir "$1") || return 1
  if [ "$(command -v node)" != "$dir/node" ]; then export PATH="$dir:$PATH"; fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  node_bin_dir "${1:?usage: bash scripts/node.sh <major>[+]}"
fi
