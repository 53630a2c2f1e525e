#!/usr/bin/env bash
# tests/integration/64-profiles-mtas.sh - every lab MTA graded under every
# compliance profile (issue 18): the Postfix services of testdata/lab
# (127.10.1.1-16, and 127.10.1.99 where nothing listens) through their lab
# domains, and a second TLS stack, a receiving Exim 4.96 with GnuTLS
# (tests/lib_exim.sh) on 127.10.24.1 with its own defaults, started here.
#
# The expected row results do not come from smtptls: they follow from the
# requirement texts and levels (`smtptls profiles NAME --json`), the lab's
# configuration (which names publish TLSA records, which address runs what)
# and facts measured here with `openssl s_client -starttls smtp`: the
# versions accepted, anonymous/RSA-key-transport/other suites, the suite
# order, the DHE prime (read out of the ServerKeyExchange and compared with
# the RFC 7919 and RFC 3526 primes), X25519 and ffdhe2048, the signature
# hash of the key exchange with SHA-1 or SHA-224 offered alone, the
# certificate's key and signature, EMS, secure renegotiation, and the TLSA
# records (dig) against the served keys. Every row of every address and
# profile is compared (result, and tier where the profile has tiers), then
# each profile's overall result.
# asan: skip - its time is ~100 openssl s_client handshakes; the grading is table work that test_profile runs under ASan, and the scan it grades runs under ASan in 38-scan (this script passes under ASan too)
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=../lib_exim.sh
. "$(dirname "$0")/../lib_exim.sh"

WORK=$(mktemp -d /tmp/smtptls-profmtas.XXXXXX)
chmod 755 "$WORK"
EXIM_ADDR=127.10.24.1
cleanup() {
	ex_rx_stop "$WORK/exim"
	# PROFMTAS_KEEP=1 keeps the transcripts and reports for a look
	[ -n "${PROFMTAS_KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
PROFILES="ncsc-nl bsi-tr-03108 rfc9325"
PROF_ARGS="--profile ncsc-nl --profile bsi-tr-03108 --profile rfc9325"

# The lab's MTAs: address, the lab domain whose only MX it is, the MX
# host name (testdata/lab/zones/lab.test.zone.in, postfix/master.cf.in).
# good.lab.test has two MX hosts, multi.lab.test one host with two
# addresses. Exim has no DNS name: it is probed with --host.
MTAS="127.10.1.1 good mx1
127.10.1.2 good mx2
127.10.1.3 multi mx-multi
127.10.1.4 multi mx-multi
127.10.1.10 expired mx-expired
127.10.1.11 wrongname mx-wrongname
127.10.1.12 selfsigned mx-selfsigned
127.10.1.13 nointer mx-nointer
127.10.1.14 nostarttls mx-nostarttls
127.10.1.15 tls12 mx-tls12
127.10.1.16 required mx-required
127.10.1.99 unreachable mx-dead
$EXIM_ADDR - exim"
# every smtpd service of the lab is in the list, and mx-dead
t_eq lab/coverage "$(grep -Eo '^127\.10\.[0-9]+\.[0-9]+' \
    "$SMTPTLS_TOP/testdata/lab/postfix/master.cf.in" | sort | tr '\n' ' ')127.10.1.99" \
    "$(echo "$MTAS" | awk '$1 ~ /^127\.10\.1\./ {print $1}' | sort | tr '\n' ' ' |
    sed 's/127.10.1.99 //')127.10.1.99"

# --- smtptls: every lab domain in one batch run (the longest part: it
# starts first)
awk '$2 != "-" {print $2 ".lab.test"}' <<<"$MTAS" | sort -u >"$WORK/domains"
# shellcheck disable=SC2086 # PROF_ARGS is a list of options
lab_probe --json $PROF_ARGS --domains "$WORK/domains" --parallel 10 \
    --deadline 60 >"$WORK/domains.jsonl" 2>"$WORK/domains.err" &
DOM_PID=$!
# the RFC 7919 and RFC 3526 primes, as OpenSSL knows them by name
# shellcheck source=../lib_profmtas.sh
. "$(dirname "$0")/../lib_profmtas.sh"
PRIME_PIDS=""
for p in ffdhe2048 ffdhe3072 ffdhe4096 modp_2048 modp_3072 modp_4096; do
	openssl genpkey -genparam -algorithm DH -pkeyopt "group:$p" 2>/dev/null |
	    prime_hex >"$WORK/prime.$p" &
	PRIME_PIDS="$PRIME_PIDS $!"
done

# --- the Exim receiver: a lab-CA leaf with an RSA 3072 key (no Postfix
# service has one), GnuTLS defaults otherwise; ex_run stops it after
# EX_TIMEOUT seconds should the trap not run
mkdir "$WORK/exim"
openssl req -x509 -config "$LAB/ca/openssl.cnf" -extensions leaf_rsa \
    -newkey rsa:3072 -noenc -keyout "$WORK/exim/exim.key" \
    -subj "/O=smtptls lab/CN=exim.lab.test" \
    -addext "subjectAltName=DNS:exim.lab.test" -sha256 -days 2 \
    -CA "$LAB/ca/intermediate.pem" -CAkey "$LAB/ca/intermediate.key" \
    -out "$WORK/exim/exim.pem" 2>"$WORK/exim/req.err"
cat "$WORK/exim/exim.pem" "$LAB/ca/intermediate.pem" >"$WORK/exim/chain.pem"
ex_dir "$WORK/exim" "$RESOLVER"
# shellcheck disable=SC2034 # read by ex_run
EX_TIMEOUT=120
if ex_rx_start "$WORK/exim" "$EXIM_ADDR" "$WORK/exim/chain.pem" "$WORK/exim/exim.key"; then
	t_pass exim/listens
else
	t_fail exim/listens "exim on $EXIM_ADDR:25" "$(head -c 400 "$WORK/exim/daemon.out"; head -c 400 "$WORK/exim/log/paniclog" 2>/dev/null)"
fi
# bound to its address only: the daemon (its pid file, its configuration)
# has that one listening socket
XPID=$(ss -ltnpH "src $EXIM_ADDR and sport = :25" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
t_eq exim/ours "${XPID:-none} $WORK/exim/exim.conf" \
    "$(cat "$WORK/exim/exim.pid" 2>/dev/null) $(tr '\0' '\n' <"/proc/${XPID:-0}/cmdline" 2>/dev/null | grep -x "$WORK/exim/exim.conf")"
t_eq exim/bound "$EXIM_ADDR:25" "$(ss -ltnpH | grep "pid=${XPID:-0}," | awk '{print $4}' | sort -u | tr '\n' ' ' | sed 's/ $//')"
# shellcheck disable=SC2086
lab_probe --json $PROF_ARGS --host "[$EXIM_ADDR]" --deadline 60 \
    >"$WORK/exim.json" 2>"$WORK/exim.err" &
EXIM_PID=$!
# shellcheck disable=SC2086 # a list of pids
wait $PRIME_PIDS

# --- facts, one s_client transcript per question, all MTAs in parallel.
# The services of mx1's settings (only -o myhostname, the certificate and
# smtpd_tls_security_level in master.cf) share its TLS parameters: for
# them the certificate, STARTTLS and versions are asked, the rest is mx1's.
FULL="127.10.1.1 127.10.1.2 127.10.1.14 127.10.1.15 $EXIM_ADDR"
# master.cf: the -o options of each service but its name and certificate
awk '/^127\.10\./ {a = $1; sub(/:25$/, "", a); o[a] = ""; next}
    /^  -o / && a != "" && !/myhostname=|smtpd_tls_chain_files=|smtpd_tls_security_level=/ {o[a] = o[a] $0}
    /^[^ ]/ && !/^127/ {a = ""}
    END {for (k in o) print k, (o[k] == "" ? "defaults" : "own")}' \
    "$LAB/postfix/master.cf" | sort >"$WORK/settings"
FACT_PIDS=""
while read -r addr dom host; do
	[ "$addr" = 127.10.1.99 ] && continue
	mode=cert
	case " $FULL " in *" $addr "*) mode=full ;; esac
	pm_gather "$WORK/f.$addr" "$addr" "$host.lab.test" "$WORK" "$mode" &
	FACT_PIDS="$FACT_PIDS $!"
	if [ "$mode" = cert ]; then
		echo "$WORK/f.127.10.1.1 $WORK/f.$addr" >"$WORK/facts.$addr"
		t_eq "$host/settings" "$addr defaults" "$(grep "^$addr " "$WORK/settings")"
	else
		echo "$WORK/f.$addr" >"$WORK/facts.$addr"
	fi
done <<<"$MTAS"
t_eq mx1/settings "127.10.1.1 defaults" "$(grep "^127.10.1.1 " "$WORK/settings")"
for p in $FACT_PIDS; do wait "$p"; done
wait "$DOM_PID"
t_eq domains/exit 1 "$?"
wait "$EXIM_PID"
t_eq exim/exit 0 "$?"

# the profile tables: levels of each row (required rows decide the result)
for p in $PROFILES; do
	"$SMTPTLS" --json profiles "$p" |
	    jq -r '.profile.requirements[] | "\(.id) \(.level) \(.tiered)"' >"$WORK/rows.$p"
done

# what smtptls graded, in one pass over both reports (jq is the costly
# part otherwise): per address, profile and row its result and tier
# (SEEN), the row ids in order (IDS), the evidence (EVID); per domain and
# profile the overall result (RESULT; Exim's domain is "-")
declare -A SEEN=() IDS=() EVID=() RESULT=()
while read -r kind d a p id res tier ev; do
	case "$kind" in
	R) RESULT["$d $p"]=$a ;;
	Q) SEEN["$a $p $id"]="$res $tier"
	   IDS["$a $p"]+="$id "
	   EVID["$a $p $id"]=$ev ;;
	esac
done < <(jq -r '(.target.domain // "-") as $d | .profiles | to_entries[] |
    .key as $p | "R \($d) \(.value.result) \($p)",
    (.value.addresses[] | .address as $a | .requirements[] |
     "Q \($d) \($a) \($p) \(.id) \(.result) \(.tier // "-") \(.evidence)")' \
    "$WORK/domains.jsonl" "$WORK/exim.json")

# --- every row of every address, each profile
while read -r addr dom host; do
	[ "$addr" = 127.10.1.99 ] && continue
	# shellcheck disable=SC2046 # a list of files
	pm_load $(cat "$WORK/facts.$addr")
	for p in $PROFILES; do
		t_eq "$host/$p/rows" "$(cut -d' ' -f1 "$WORK/rows.$p" | tr '\n' ' ')" \
		    "${IDS["$addr $p"]:-}"
		while read -r id level tiered; do
			pm_expect "$id"
			want=$PMR
			[ "$tiered" = true ] || want="${want% *} -"
			t_eq "$host/$p/$id" "$want" "${SEEN["$addr $p $id"]:-}"
			echo "$level ${want% *}" >>"$WORK/want.$dom.$p"
		done <"$WORK/rows.$p"
	done
done <<<"$MTAS"

# the DHE prime the evidence names is the one s_client's ServerKeyExchange
# carried (by name when it is an RFC 7919 or RFC 3526 prime): Postfix's
# OpenSSL picks one by the key's strength, GnuTLS an RFC 7919 group
for addr in $FULL; do
	pm_load "$WORK/f.$addr"
	d=${PMF[dhe]:-none}
	[ "$d" = none ] && continue
	n=${d% *}
	[ "$n" = other ] && n=dh
	t_eq "$addr/dhe-evidence" "$n ${d#* } bits" \
	    "${EVID["$addr ncsc-nl ncsc-nl.kex-dhe"]:-}"
done

# --- each profile's overall result: a required row that fails fails it;
# else one not testable makes it not testable; mx-dead (no address to
# grade) is not testable, never "pass"
overall() {
	[ -s "$1" ] || { echo not-testable; return; }
	if grep -q '^required fail$' "$1"; then echo fail
	elif grep -q '^required not-testable$' "$1"; then echo not-testable
	else echo pass; fi
}
for dom in $(awk '{print $2}' <<<"$MTAS" | uniq); do
	for p in $PROFILES; do
		d=$dom.lab.test
		[ "$dom" = - ] && d=-
		t_eq "$dom/$p/result" "$(overall "$WORK/want.$dom.$p")" \
		    "${RESULT["$d $p"]:-}"
	done
done
# mx-dead: refused, and no row of it reads "pass"
t_eq mx-dead/addresses 0 "$(jq -r 'select(.target.domain == "unreachable.lab.test") | [.profiles[].addresses[]] | length' "$WORK/domains.jsonl")"
t_match mx-dead/refused "refused" "$(jq -r 'select(.target.domain == "unreachable.lab.test") | [.mx[].addresses[] | .error // .smtp.error // empty | tostring] | join(" ")' "$WORK/domains.jsonl")"
t_eq mx-dead/openssl no "$(timeout 5 openssl s_client -starttls smtp -connect 127.10.1.99:25 </dev/null >/dev/null 2>&1 && echo yes || echo no)"
t_done
