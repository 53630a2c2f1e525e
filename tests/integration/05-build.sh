# tests/integration/05-build.sh - the build's promises: every public header
# compiles on its own, `make install` puts the binary and the man page under
# PREFIX (DESTDIR honoured) and the installed binary runs.
# asan: skip - checks the build and install, nothing a sanitizer watches
. "$SMTPTLS_TOP/tests/lib.sh"

cd "$SMTPTLS_TOP" || exit 2
t_run build/hdrcheck 0 make -s hdrcheck
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
t_run build/install 0 make -s install DESTDIR="$dest" PREFIX=/opt/smtptls
t_eq build/install/binary yes "$([ -x "$dest/opt/smtptls/bin/smtptls" ] && echo yes || echo no)"
t_eq build/install/man yes "$([ -f "$dest/opt/smtptls/share/man/man1/smtptls.1" ] && echo yes || echo no)"
t_run build/install/runs 0 "$dest/opt/smtptls/bin/smtptls" --version
t_match build/install/version '^smtptls [0-9]+\.[0-9]+\.[0-9]+' "$(head -n 1 "$T_OUT")"
t_done
