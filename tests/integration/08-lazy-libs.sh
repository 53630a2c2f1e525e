# tests/integration/08-lazy-libs.sh - libcurl and libmicrohttpd are opened
# when first used, not at every start (issue 12, "start-up cost of the
# shared objects"; src/base/lib_load.h).
#
# The binary does not link them (readelf); commands that fetch no policy
# and serve no HTTP never open them (glibc's LD_DEBUG=files lists every
# object the loader opens); a probe opens libcurl and reports the version
# the package's curl-config names; --version names it too. With libcurl
# unreadable (a private mount namespace puts /dev/null over it), a probe
# fails with a clear message and exit 4 while other commands still work.
. "$SMTPTLS_TOP/tests/lib.sh"

lib=$(pkg-config --variable=libdir libcurl)
opened() { # opened CMD...: the lazy libraries the loader opened
	LD_DEBUG=files "$@" 2>&1 >/dev/null |
	    sed -n 's/.*file=\(libcurl\.so[^ ]*\|libmicrohttpd\.so[^ ]*\) .*/\1/p' |
	    sort -u | tr '\n' ' ' | sed 's/ $//'
}

needed=$(readelf -d "$SMTPTLS" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
t_match lazy/needed-has-openssl '(^| )libssl\.so' "$needed"
t_eq lazy/needed-no-curl-mhd "" "$(printf '%s' "$needed" | grep -oE 'lib(curl|microhttpd)[^ ]*')"

t_eq lazy/help-opens-none "" "$(opened "$SMTPTLS" --help)"
t_eq lazy/profiles-opens-none "" "$(opened "$SMTPTLS" profiles)"
t_eq lazy/usage-error-opens-none "" "$(opened "$SMTPTLS" probe --no-such-option)"
t_eq lazy/listen-help-opens-none "" "$(opened "$SMTPTLS" listen --help)"

curl_version=$(curl-config --version | sed 's/^libcurl //')
out=$(mktemp)
trap 'rm -f "$out"' EXIT
t_eq lazy/probe-opens-curl "libcurl.so.4" \
    "$(opened lab_probe --json good.lab.test)"
lab_probe --json good.lab.test >"$out" 2>/dev/null
t_eq lazy/probe-reports-curl "$curl_version" "$(jq -r '.tool.libcurl' <"$out")"
t_match lazy/version-names-curl "^libcurl: $curl_version\$" \
    "$("$SMTPTLS" --version | grep '^libcurl: ')"

# libcurl unreadable: only the probe notices.
if unshare -m true 2>/dev/null; then
	hidden() { unshare -m sh -c 'mount --bind /dev/null "$1/libcurl.so.4" && shift && exec "$@"' sh "$lib" "$@"; }
	t_run lazy/hidden/probe-fails 4 hidden "$SMTPTLS" probe --resolver "$RESOLVER" \
	    --ca-file "$CA" --allow-private good.lab.test
	t_match lazy/hidden/probe-says-why 'cannot load libcurl\.so\.4' "$(cat "$T_OUT" "$T_ERR" 2>/dev/null)"
	t_run lazy/hidden/profiles-works 0 hidden "$SMTPTLS" profiles
	t_run lazy/hidden/version-works 0 hidden "$SMTPTLS" --version
	t_match lazy/hidden/version-says-unavailable '^libcurl: unavailable$' "$(grep '^libcurl: ' "$T_OUT")"
else
	t_fail lazy/hidden "a private mount namespace (unshare -m, as root)" "unshare -m fails"
fi
t_done
