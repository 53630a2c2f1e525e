# tests/integration/34-golden.sh - the renderers' output, byte for byte,
# against testdata/golden/: the JSON document (after
# tests/golden-normalize.jq) and the human report (after the same
# placeholders in sed) of lab cases that cover every part of a report.
# A refactor must leave them unchanged; a change on purpose updates them
# with GOLDEN_UPDATE=1 and shows in the diff of the commit.
# asan: skip - the renderers run under ASan in 30-probe and 33-edges; this compares bytes
. "$SMTPTLS_TOP/tests/lib.sh"

GOLD="$SMTPTLS_TOP/testdata/golden"
NORM="$SMTPTLS_TOP/tests/golden-normalize.jq"

human_norm() {
	sed -E -e 's/[0-9a-fA-F]{40,}/HEX/g' -e 's/smtptls-[0-9a-f]{16}/smtptls-RANDOM/g' -e 's/[0-9]+ ms/N ms/g' \
	    -e 's/[0-9]+ days?/N days/g' \
	    -e 's/(connect|banner|ehlo|starttls|tls|ehlo_tls|address_test|quit|total) [0-9]+/\1 N/g' \
	    -e 's/\(([0-9]+ ms|N ms)\)/(N ms)/g'
}

# golden NAME ARGS...: one case, both formats
golden() {
	local name=$1 f
	shift
	lab_probe --json "$@" 2>/dev/null | jq -S -f "$NORM" >"$GOLD.tmp.json"
	# not a terminal: no colour
	lab_probe "$@" 2>/dev/null | human_norm >"$GOLD.tmp.txt"
	for f in json txt; do
		if [ ! -s "$GOLD.tmp.$f" ]; then
			t_fail "golden/$name.$f/made" "a report" "nothing on stdout"
		fi
	done
	for f in json txt; do
		if [ "${GOLDEN_UPDATE:-0}" = 1 ]; then
			mv "$GOLD.tmp.$f" "$GOLD/$name.$f"
			t_pass "golden/$name.$f (updated)"
		elif diff -u "$GOLD/$name.$f" "$GOLD.tmp.$f" >"$GOLD.tmp.diff" 2>&1; then
			t_pass "golden/$name.$f"
		else
			t_fail "golden/$name.$f" "testdata/golden/$name.$f" "$(head -c 1500 "$GOLD.tmp.diff")"
		fi
	done
	rm -f "$GOLD.tmp.json" "$GOLD.tmp.txt" "$GOLD.tmp.diff"
}

golden good good.lab.test
golden address postmaster@good.lab.test --catchall
golden multi multi.lab.test
golden expired expired.lab.test
golden nostarttls nostarttls.lab.test
golden danebad danebad.lab.test
golden stsmismatch stsmismatch.lab.test
golden tlsrptbad tlsrptbad.lab.test
golden cname cname.lab.test
golden unreachable unreachable.lab.test
golden rcptpick --rcpt-all postmaster@rcptpick.lab.test
t_done
