#!/usr/bin/env bash
# Installs the object-store servers the store tests start themselves, from the npm registry: s3rver (S3-compatible)
# and azurite (Microsoft's Azure Storage emulator). The tests run them with node and need no network.
#
# The packages go to $FPDUMP_STORES_CACHE/<name> (default /var/cache/fpdump-stores when run as root, else
# ${XDG_CACHE_HOME:-~/.cache}/fpdump-stores); a package whose marker file holds the pinned version is not installed
# again. Keep the versions in sync with tests/FactoryPulse.Dump.IntegrationTests/Support/StoreServers.cs.
set -euo pipefail

declare -A PINNED=(
    [s3rver]=3.7.1
    [azurite]=3.37.0
)
MARKER=.fpdump-complete

if [ -n "${FPDUMP_STORES_CACHE:-}" ]; then
    cache=$FPDUMP_STORES_CACHE
elif [ "$(id -u)" = 0 ]; then
    cache=/var/cache/fpdump-stores
else
    cache=${XDG_CACHE_HOME:-$HOME/.cache}/fpdump-stores
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "fetch-stores: node and npm are needed for the store tests' servers" >&2
    exit 1
fi

for name in "${!PINNED[@]}"; do
    version=${PINNED[$name]}
    target=$cache/$name
    if [ "$(cat "$target/$MARKER" 2>/dev/null || true)" = "$version" ]; then
        continue
    fi
    rm -rf "$target"
    mkdir -p "$target"
    npm install --prefix "$target" --no-audit --no-fund --loglevel=error "$name@$version" >/dev/null
    echo "$version" > "$target/$MARKER"
done
echo "$cache"
