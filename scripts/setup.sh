#!/bin/sh
# scripts/setup.sh - install every Debian package that the build, the lab and
# the tests need. Idempotent and quiet; when everything is present it does not
# touch apt at all. Services are never started by the install: a temporary
# policy-rc.d refuses it (the lab starts its own instances on 127.10.0.0/16).
set -eu

PACKAGES="
build-essential pkg-config make gcc clang libclang-rt-14-dev
libssl-dev openssl libcurl4-openssl-dev curl libldns-dev ldnsutils libcjson-dev
nsd unbound postfix nginx-light bind9-dnsutils
swaks libnet-ssleay-perl msmtp testssl.sh
mandoc jq python3 python3-jsonschema procps ca-certificates
time iproute2 bsdextrautils clang-format-14
libidn2-dev parallel strace
libgnutls-dane0 libidn12 libnsl2 libdb5.3 libpcre2-8-0
debhelper dpkg-dev fakeroot lintian zsh git
chromium
dns-root-data
libmicrohttpd-dev prometheus
postfix-mta-sts-resolver
"

missing=""
for p in $PACKAGES; do
	s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$s" in
	"install ok installed") ;;
	*) missing="$missing $p" ;;
	esac
done

# Exim is unpacked, not installed (it conflicts with postfix): lab/exim.sh.
[ -n "$missing" ] || exec "$(dirname "$0")/lab/exim.sh" fetch

if [ "$(id -u)" != 0 ]; then
	echo "setup: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi

echo "setup: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Postfix asks what kind of site this is; it must stay unconfigured.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections

made_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 0755 /usr/sbin/policy-rc.d
	made_policy=1
fi
cleanup() { [ "$made_policy" = 0 ] || rm -f /usr/sbin/policy-rc.d; }
trap cleanup EXIT

apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
"$(dirname "$0")/lab/exim.sh" fetch
