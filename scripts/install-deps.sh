#!/usr/bin/env bash
# Installs the Debian 12 packages ember needs to build, test and benchmark, and the pinned
# Node.js client libraries of the client tests (tests/clients, from its package-lock.json).
# Idempotent: silent when everything is present; uses sudo when not root.
set -euo pipefail

PACKAGES=(
  cmake ninja-build g++ pkg-config make
  liburing-dev libmimalloc-dev libxxhash-dev liblzf-dev libcli11-dev libfmt-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev libedit-dev
  python3 python3-pytest python3-redis redis-tools redis-server
  clang-format
  libmicrohttpd-dev
  openssl
  liblua5.1-0-dev
  lua-cjson-dev lua-bitop-dev
  # make fuzz / make tsan: clang with libFuzzer and the sanitizer runtimes, llvm-symbolizer
  clang-14 libclang-rt-14-dev llvm-14
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
# Node.js runs the ioredis / node-redis tests. Asked for by command, not by package: a node
# installed some other way (NodeSource's bundles npm) is kept, and Debian's npm would conflict.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

SUDO=""
[[ $(id -u) -ne 0 ]] && SUDO="sudo"
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts redis-server as a service on install; benchmarks start their own.
  if command -v systemctl >/dev/null 2>&1; then
    $SUDO systemctl disable --now redis-server >/dev/null 2>&1 || true
  fi
fi

# tests/clients/node_modules: `npm ci` again whenever package-lock.json differs from the one it
# was installed from (its hash is kept in a stamp inside node_modules).
CLIENTS="$(cd "$(dirname "$0")/../tests/clients" && pwd)"
STAMP="$CLIENTS/node_modules/.ember-package-lock.sha256"
lock_hash=$(sha256sum "$CLIENTS/package-lock.json" | cut -d' ' -f1)
[[ -f "$STAMP" && "$(cat "$STAMP")" == "$lock_hash" ]] && exit 0

echo "install-deps: npm ci in tests/clients"
# npm ci deletes node_modules before it downloads: keep the old one to put back if it fails
# (no network, nothing in npm's cache), so the tests still run on what was installed before.
# --prefer-offline takes the tarballs from npm's cache when they are there: no network needed.
rm -rf "$CLIENTS/node_modules.previous"
[[ -d "$CLIENTS/node_modules" ]] && mv "$CLIENTS/node_modules" "$CLIENTS/node_modules.previous"
NPM_CI=(npm ci --prefer-offline --no-audit --no-fund --loglevel=error
  --fetch-timeout=120000 --fetch-retry-maxtimeout=10000)
if (cd "$CLIENTS" && "${NPM_CI[@]}" >/dev/null); then
  echo "$lock_hash" >"$STAMP"
  rm -rf "$CLIENTS/node_modules.previous"
elif [[ -d "$CLIENTS/node_modules.previous" ]]; then
  rm -rf "$CLIENTS/node_modules"
  mv "$CLIENTS/node_modules.previous" "$CLIENTS/node_modules"
  echo "install-deps: npm ci failed; keeping the tests/clients/node_modules installed before" >&2
else
  rm -rf "$CLIENTS/node_modules" # whatever a failed npm ci left half-installed
  if [[ "${CI:-}" == "true" ]]; then
    echo "install-deps: npm ci failed in tests/clients" >&2
    exit 1
  fi
  # Off CI a machine without the registry still builds; the node client tests then skip.
  echo "install-deps: npm ci failed; the node client tests will skip" >&2
fi
