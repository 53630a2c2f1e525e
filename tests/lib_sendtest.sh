# tests/lib_sendtest.sh - reading the summary of `smtptls listen
# --test-zone` (sourced by the sender tests; the summary object is in $SUM).

# results ADDR - that sender's results as "scenario=result" words
results() {
	jq -r --arg a "$1" '.senders[] | select(.address == $a) |
	    [.scenarios[] | "\(.name)=\(.result)"] | join(" ")' <<<"$SUM"
}

# fits ADDR - the policies that explain that sender, space-separated
fits() {
	jq -r --arg a "$1" '.senders[] | select(.address == $a) |
	    [.policies[].policy] | join(" ")' <<<"$SUM"
}
