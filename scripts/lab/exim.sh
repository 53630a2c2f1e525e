#!/bin/sh
# scripts/lab/exim.sh - a private copy of Exim for the sender tests
# (tests/integration/62-sendtest-exim.sh, through tests/lib_exim.sh).
#
# Debian's exim4-daemon-* conflicts with postfix (both are the system's
# mail-transport-agent) and the lab needs Postfix, so Exim is never
# installed: its .deb is downloaded with `apt-get download` and unpacked
# with `dpkg -x` into a cache directory. Only /usr/sbin/exim4 of
# exim4-daemon-light is used (Debian builds it with GnuTLS and DANE); its
# shared libraries are ordinary packages listed in scripts/setup.sh.
# exim4-base (utilities, cron jobs, init script) and exim4-config are not
# needed: the tests write their own configuration.
#
#   scripts/lab/exim.sh fetch   download and unpack unless already there
#   scripts/lab/exim.sh path    print the binary's path (exit 1 if absent)
#
# EXIM_CACHE (default /var/cache/smtptls/exim) is where the .deb and the
# unpacked tree (root/) live. Run fetch as root; it needs the apt lists
# (apt-get update), which scripts/setup.sh provides.
set -eu

EXIM_CACHE=${EXIM_CACHE:-/var/cache/smtptls/exim}
EXIM_PKG=exim4-daemon-light
EXIM_BIN=$EXIM_CACHE/root/usr/sbin/exim4

# exim_usable - the unpacked binary is there and its libraries resolve
exim_usable() {
	[ -x "$EXIM_BIN" ] && ! ldd "$EXIM_BIN" 2>/dev/null | grep -q 'not found'
}

exim_fetch() {
	if exim_usable; then
		return 0
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "exim.sh: $EXIM_BIN missing (run fetch as root)" >&2
		return 1
	fi
	mkdir -p "$EXIM_CACHE"
	rm -rf "$EXIM_CACHE/root" "$EXIM_CACHE/dl"
	mkdir "$EXIM_CACHE/dl"
	# apt-get download writes into the current directory; the _apt user
	# that it drops to must be able to write there.
	chown _apt "$EXIM_CACHE/dl" 2>/dev/null || true
	(cd "$EXIM_CACHE/dl" && apt-get download -qq "$EXIM_PKG") >&2
	mkdir "$EXIM_CACHE/root"
	for deb in "$EXIM_CACHE"/dl/"$EXIM_PKG"_*.deb; do
		dpkg -x "$deb" "$EXIM_CACHE/root"
		# The tests run it as root; no set-uid binary left in a cache.
		chmod u-s "$EXIM_BIN"
		mv "$deb" "$EXIM_CACHE/"
	done
	rmdir "$EXIM_CACHE/dl"
	if ! exim_usable; then
		echo "exim.sh: $EXIM_BIN unpacked but not usable:" >&2
		ldd "$EXIM_BIN" | grep 'not found' >&2 || true
		return 1
	fi
	echo "exim.sh: $EXIM_PKG unpacked in $EXIM_CACHE/root" >&2
}

case "${1:-}" in
fetch) exim_fetch ;;
path)
	exim_usable || exit 1
	echo "$EXIM_BIN"
	;;
*)
	echo "usage: $0 fetch|path" >&2
	exit 2
	;;
esac
