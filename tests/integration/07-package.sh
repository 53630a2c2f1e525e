# tests/integration/07-package.sh - smtptls installs like any Debian tool
# (issue 17). No lab needed.
# asan: skip - packaging, nothing a sanitizer watches
#
# From a clone of HEAD in a temporary directory (the tree under test stays
# untouched, and only what is committed counts), tagged vVERSION:
# - `make dist` writes smtptls-VERSION.tar.gz; unpacked elsewhere it has
#   no .git and says "release VERSION" in BUILD-INFO.
# - the package is built from that unpacked tarball (one compile proves
#   both: dh_auto_build runs the tarball's `make`): `dpkg-buildpackage -us
#   -uc -b` builds smtptls_VERSION_ARCH.deb; it holds the binary, the man
#   page, both completions and every JSON Schema of tests/schema/; its
#   Depends come from the shared libraries; lintian reports no error and
#   no warning (overrides, each with its reason, live in debian/); the
#   build leaves the tarball's files as they were; the binary unpacked
#   with `dpkg -x` runs and says "Build: release VERSION".
# - in the same tree `make` runs again, and `make install
#   DESTDIR=... PREFIX=...` installs a binary that says "Build: release
#   VERSION".
# - untagged, the clone's build line (scripts/build-info.sh, which the
#   Makefile hands to version.c) names the commit.
# The package is built without its tests (debian/rules): the suite tests
# the code. The build uses two jobs.
. "$SMTPTLS_TOP/tests/lib.sh"

# A suite started by `make check` must not hand its jobserver to the builds.
unset MAKEFLAGS MFLAGS MAKELEVEL

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# exists PATH: "yes" or "no"
exists() { if [ -e "$1" ]; then echo yes; else echo no; fi; }

cd "$SMTPTLS_TOP" || exit 2
version=$(sed -n 's/^#define SMTPTLS_VERSION "\(.*\)"$/\1/p' src/base/version.c)
t_match package/version-read '^[0-9]+\.[0-9]+\.[0-9]+$' "$version"
t_eq package/changelog-version "$version" "$(dpkg-parsechangelog -l debian/changelog -S Version)"
arch=$(dpkg --print-architecture)
head=$(git rev-parse HEAD)

t_run package/clone 0 git clone -q "$SMTPTLS_TOP" "$work/src"
git -C "$work/src" checkout -q --detach "$head" || exit 2
short=$(git -C "$work/src" rev-parse --short HEAD)
# Untagged, a build from git says which commit it is.
git -C "$work/src" tag -d "v$version" >/dev/null 2>&1
t_match package/git-build-info "^built from git ([0-9.]+-[0-9]+-g)?$short\$" \
    "$("$work/src/scripts/build-info.sh" "$version")"

# --- the release tarball, from a tagged HEAD
git -C "$work/src" tag -f "v$version" >/dev/null || exit 2
cd "$work/src" || exit 2
t_run package/dist 0 make -s dist
tarball="$work/src/smtptls-$version.tar.gz"
t_eq package/dist-name yes "$(exists "$tarball")"
mkdir "$work/tb" && tar -xzf "$tarball" -C "$work/tb" || exit 2
tb="$work/tb/smtptls-$version"
t_eq package/dist-build-info "release $version" "$(cat "$tb/BUILD-INFO" 2>&1)"
t_eq package/dist-no-git no "$(exists "$tb/.git")"
# The tarball's files and their contents, to hold the build against.
(cd "$tb" && find . -type f -print0 | sort -z | xargs -0 sha256sum) >"$work/tb.sums"

# --- the Debian package, built from the unpacked tarball
cd "$tb" || exit 2
t_run package/dpkg-buildpackage 0 env DEB_BUILD_OPTIONS="nocheck parallel=2" \
    dpkg-buildpackage -us -uc -b
deb="$work/tb/smtptls_${version}_${arch}.deb"
t_eq package/deb-built yes "$(exists "$deb")"
t_eq package/tarball-clean "" "$(cd "$tb" && sha256sum --quiet -c "$work/tb.sums" 2>&1)"

contents=$(dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's#^\./#/#')
want="/usr/bin/smtptls
/usr/share/man/man1/smtptls.1.gz
/usr/share/bash-completion/completions/smtptls
/usr/share/zsh/vendor-completions/_smtptls
/usr/share/doc/smtptls/copyright
$(cd "$SMTPTLS_TOP/tests/schema" && ls ./*.json | sed 's#^\./#/usr/share/smtptls/schema/#')"
missing=""
for f in $want; do
	printf '%s\n' "$contents" | grep -qxF -- "$f" || missing="$missing $f"
done
t_eq package/contents "" "${missing# }"
t_match package/contents-read "/usr/share/smtptls/schema/probe.schema.json" "$want"

# ${shlibs:Depends}: the libraries the binary really links; and the two
# it opens when first used (debian/control names them).
depends=$(dpkg-deb -f "$deb" Depends)
nolib=""
for lib in libc6 libssl3 libldns3 libcjson1 libidn2-0 libcurl4 libmicrohttpd12; do
	printf '%s' "$depends" | grep -qE "(^|, )$lib( |,|$)" || nolib="$nolib $lib"
done
t_eq package/depends-shlibs "" "${nolib# }"

# lintian applies the overrides of debian/ itself; what it still prints
# as E: or W: is a finding.
t_run package/lintian 0 lintian "$work/tb/smtptls_${version}_${arch}.changes"
t_eq package/lintian-clean "" "$(grep -E '^[EW]: ' "$T_OUT")"

t_run package/unpack 0 dpkg -x "$deb" "$work/root"
t_run package/unpacked-runs 0 "$work/root/usr/bin/smtptls" --version
t_eq package/unpacked-version "smtptls $version" "$(head -n 1 "$T_OUT")"
t_eq package/unpacked-build "Build: release $version" "$(sed -n 2p "$T_OUT")"

# --- make and make install in the tarball's tree (built above by the
# package's dh_auto_build: make finds nothing left to do)
t_run package/tarball-make 0 make -j2
t_run package/tarball-install 0 make -s install DESTDIR="$work/dest" PREFIX=/opt/st
for f in bin/smtptls share/man/man1/smtptls.1 share/smtptls/schema/probe.schema.json \
    share/bash-completion/completions/smtptls share/zsh/site-functions/_smtptls; do
	t_eq "package/tarball-installs/$f" yes "$(exists "$work/dest/opt/st/$f")"
done
t_run package/tarball-runs 0 "$work/dest/opt/st/bin/smtptls" --version
t_eq package/tarball-release "smtptls $version
Build: release $version" "$(head -n 2 "$T_OUT")"
t_done
