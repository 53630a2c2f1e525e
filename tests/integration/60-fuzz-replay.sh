# tests/integration/60-fuzz-replay.sh - every fuzz corpus and crash
# regression under testdata/fuzz/ replayed through its target, built with the
# suite's compiler and flags (so under ASan+UBSan in the ASan run).
. "$SMTPTLS_TOP/tests/lib.sh"

for bin in "$SMTPTLS_BUILD"/replay/fuzz_*; do
	name=$(basename "$bin")
	dir="$SMTPTLS_TOP/testdata/fuzz/${name#fuzz_}"
	if [ ! -d "$dir" ] || [ -z "$(ls -A "$dir")" ]; then
		t_fail "replay/$name/corpus" "a seed corpus in $dir" "none"
		continue
	fi
	t_run "replay/$name" 0 "$bin" "$dir"/*
	t_eq "replay/$name/inputs" "$(ls "$dir" | wc -l)" "$(grep -c '^PASS' "$T_OUT")"
done
t_done
