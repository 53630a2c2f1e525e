# tests/integration/05-build.sh - the build's promises: every public header
# compiles on its own, `make install` puts the binary, the man page, the
# bash and zsh completions and the JSON Schemas under PREFIX (DESTDIR
# honoured) and the installed binary runs.
# asan: skip - checks the build and install, nothing a sanitizer watches
. "$SMTPTLS_TOP/tests/lib.sh"

cd "$SMTPTLS_TOP" || exit 2
t_run build/hdrcheck 0 make -s hdrcheck
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
t_run build/install 0 make -s install DESTDIR="$dest" PREFIX=/opt/smtptls
t_eq build/install/binary yes "$([ -x "$dest/opt/smtptls/bin/smtptls" ] && echo yes || echo no)"
t_eq build/install/man yes "$([ -f "$dest/opt/smtptls/share/man/man1/smtptls.1" ] && echo yes || echo no)"
t_eq build/install/bash-completion yes "$([ -f "$dest/opt/smtptls/share/bash-completion/completions/smtptls" ] && echo yes || echo no)"
t_eq build/install/zsh-completion yes "$([ -f "$dest/opt/smtptls/share/zsh/site-functions/_smtptls" ] && echo yes || echo no)"
t_eq build/install/schemas "$(cd tests/schema && ls ./*.json | sed 's#^\./##')" \
    "$(cd "$dest/opt/smtptls/share/smtptls/schema" 2>/dev/null && ls)"
t_run build/install/runs 0 "$dest/opt/smtptls/bin/smtptls" --version
t_match build/install/version '^smtptls [0-9]+\.[0-9]+\.[0-9]+' "$(head -n 1 "$T_OUT")"
t_match build/install/build-line '^Build: (release [0-9.]+|built from git [0-9a-f]|snapshot )' \
    "$(sed -n 2p "$T_OUT")"
t_done
