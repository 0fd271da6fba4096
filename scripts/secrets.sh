# Sourced by the serve-*.sh scripts: shared secrets that need no configuration.
#
#   ensure_secret NAME   exports $NAME: its value from the environment (.env) if set,
#                        else the one kept in ${CATALOG_DATA_DIR:-var}/secrets/NAME,
#                        created (random, mode 600) by whichever process needs it first.
#
# So `make run` works with nothing set, every process of one machine agrees on the
# value, and it survives restarts. On several machines set the variables yourself.
ensure_secret() {
    local name=$1 dir file tmp
    if [[ -n "${!name:-}" ]]; then
        export "${name?}"
        return
    fi
    dir="${CATALOG_DATA_DIR:-var}/secrets"
    file="$dir/$name"
    if [[ ! -s "$file" ]]; then
        (umask 077 && mkdir -p "$dir")
        tmp=$(umask 077 && mktemp "$dir/.$name.XXXXXX")
        od -An -N32 -tx1 /dev/urandom | tr -d ' \n' > "$tmp"
        # ln fails if another process won the race: then its value is used.
        ln "$tmp" "$file" 2>/dev/null || true
        rm -f "$tmp"
    fi
    printf -v "$name" '%s' "$(cat "$file")"
    export "${name?}"
}
