# tests/integration/06-structure.sh - the shape of the code (issue 11):
# every include in src/ points down its layers (scripts/layercheck.py), no
# call cycles between source files (scripts/cyclecheck.py over the release
# objects' symbol tables), functions within 60 lines or no longer than when
# that budget came in (scripts/toplength.allow), and the layout of
# .clang-format. (Headers that compile alone: 05-build.)
# asan: skip - reads the release objects; nothing a sanitizer watches
. "$SMTPTLS_TOP/tests/lib.sh"

cd "$SMTPTLS_TOP" || exit 2
t_run structure/layers 0 make -s layercheck
t_match structure/layers/said 'every include points down' "$(cat "$T_OUT")"
t_run structure/no-call-cycles 0 make -s cyclecheck
t_match structure/no-call-cycles/said 'no call cycles' "$(cat "$T_OUT")"
t_run structure/function-length 0 make -s toplength
t_match structure/function-length/said ', 0 not allowed' "$(cat "$T_OUT")"
t_run structure/format 0 make -s formatcheck
t_match structure/format/said 'as .clang-format lays them out' "$(cat "$T_OUT")"
t_done
