#!/bin/sh
# scripts/build-info.sh VERSION - one line that says where this build comes
# from, for `smtptls --version` (the Makefile passes it to version.c):
#   "release 0.1.0"              a tarball of `make dist` from tag v0.1.0,
#                                or a git checkout of that tag
#   "built from git 1a2b3c4"     any other commit ("-dirty": changes not
#                                committed)
#   "snapshot 0.1.0 of git ..."  a tarball of `make dist` from an untagged
#                                commit
#   "built from unknown source"  neither a tarball nor a git checkout
# A tarball carries the line in its file BUILD-INFO, written by `make dist`
# (a tarball has no .git to ask). Never fails: a build does not depend on git.
set -u
version=${1:?usage: build-info.sh VERSION}
top=$(cd "$(dirname "$0")/.." && pwd)

if [ -f "$top/BUILD-INFO" ]; then
	head -n 1 "$top/BUILD-INFO"
	exit 0
fi
# Only this tree's own repository counts, not one it was unpacked into.
if command -v git >/dev/null 2>&1 &&
    [ "$(git -C "$top" rev-parse --show-toplevel 2>/dev/null)" = "$top" ]; then
	desc=$(git -C "$top" describe --tags --always --dirty --match 'v[0-9]*' 2>/dev/null)
	case "$desc" in
	"v$version") echo "release $version" ;;
	?*) echo "built from git ${desc#v}" ;;
	*) echo "built from unknown source" ;;
	esac
	exit 0
fi
echo "built from unknown source"
