# shellcheck shell=bash
# tests/lib_profmtas.sh - for 64-profiles-mtas: what a lab MTA does, asked
# with `openssl s_client -starttls smtp` and dig (pm_gather), and what each
# profile row must then read, from the requirement's text (pm_expect).
# Sourced after tests/lib.sh.

# pm_hs OUT ADDR ARGS... - one handshake's transcript (QUIT at once). A
# connection that failed or stalled (not a TLS refusal: the lab is shared
# and busy) is tried twice more, so that it does not read as "refused".
pm_hs() {
	local out=$1 addr=$2 n
	shift 2
	for n in 1 2 3; do
		timeout 8 openssl s_client -starttls smtp -connect "$addr:25" "$@" \
		    </dev/null >"$out" 2>&1
		[ $? = 124 ] || grep -q 'errno=' "$out" ||
		    ! grep -q '^CONNECTED(' "$out" || return 0
		echo "(attempt $n failed)" >>"$out.retry"
	done
}
# pm_ok FILE - the handshake of the transcript completed
pm_ok() { grep -q '^New, TLSv1\.[0-3], Cipher is [A-Z]' "$1"; }
pm_yn() { if "$@"; then echo yes; else echo no; fi; }

# prime_hex - the prime of PEM DH parameters on stdin, lowercase hex
prime_hex() {
	openssl asn1parse | awk -F: '/INTEGER/ {print tolower($NF); exit}'
}

# pm_ske_prime FILE - the DH prime of the ServerKeyExchange in an -msg
# transcript, lowercase hex: type(1) length(3), then p_len(2) and p
pm_ske_prime() {
	local h
	h=$(awk '/^<<< .*ServerKeyExchange/ {on = 1; next}
	    on && /^(<<<|>>>)/ {exit}
	    on {for (i = 1; i <= NF; i++) printf "%s", $i}' "$1")
	[ ${#h} -ge 12 ] || return 0
	echo "${h:12:$((2 * 16#${h:8:4}))}"
}

# pm_dhe FILE PRIMEDIR - "NAME BITS" of the DHE prime (NAME from the
# primes in PRIMEDIR/prime.NAME, or "other"), "none" without DHE
pm_dhe() {
	local p n f
	pm_ok "$1" || { echo none; return; }
	p=$(pm_ske_prime "$1" | sed 's/^\(00\)*//')
	n=other
	for f in "$2"/prime.*; do
		[ "$(sed 's/^\(00\)*//' "$f")" = "$p" ] && n=${f##*/prime.}
	done
	echo "$n $((${#p} * 4))"
}

# pm_tlsa HOST - "usage spki-sha256" of each TLSA record (validated: +ad)
pm_tlsa() {
	dig +short +dnssec +adflag "_25._tcp.$1" TLSA "@$RESOLVER" 2>/dev/null |
	    awk '$1 ~ /^[0-3]$/ && $2 == 1 && $3 == 1 {print $1, tolower($4 $5)}'
}
# pm_ad HOST - the validating resolver sets AD on HOST's address records
pm_ad() {
	dig +dnssec +adflag "$1" A "@$RESOLVER" 2>/dev/null |
	    grep -q '^;; flags:.* ad[ ;]'
}
# pm_spki FILE N - SHA-256 of the SPKI of the Nth certificate (0 = leaf)
# of a -showcerts transcript
pm_spki() {
	awk -v n="$2" '/-----BEGIN CERTIFICATE-----/ {i++} i == n + 1 {print}
	    /-----END CERTIFICATE-----/ && i == n + 1 {exit}' "$1" |
	    openssl x509 -noout -pubkey 2>/dev/null |
	    openssl pkey -pubin -outform DER 2>/dev/null |
	    openssl dgst -sha256 -r | cut -d' ' -f1
}

# pm_dane FACTS-DIR ADDR HOST T - dane_exists, dane_valid, dane_rollover
# from the TLSA records and the certificates served (transcript T)
pm_dane() {
	local recs leaf inter
	echo "dnssec=$(pm_yn pm_ad "$3")"
	recs=$(pm_tlsa "$3")
	if [ -z "$recs" ]; then
		printf 'dane_exists=no\ndane_valid=na\ndane_rollover=na\n'
		return
	fi
	leaf=$(pm_spki "$4" 0)
	inter=$(pm_spki "$4" 1)
	echo dane_exists=yes
	if grep -qx "3 $leaf" <<<"$recs" || grep -qx "2 $inter" <<<"$recs"; then
		echo dane_valid=yes
	else
		echo dane_valid=no
	fi
	# the text: a second record (next key, or the issuing CA) beside the
	# current one; DANE-TA alone survives a new server key as well
	if [ "$(wc -l <<<"$recs")" -ge 2 ] || ! grep -q '^3 ' <<<"$recs"; then
		echo dane_rollover=yes
	else
		echo dane_rollover=no
	fi
}

# pm_order T1 T2 T3 - server or client order: the suite chosen when the
# client offers two in one order and then the other; "one" when the
# second suite alone (T3) is refused: no order to see
pm_order() {
	local a b
	a=$(sed -n 's/^New, TLSv1\.2, Cipher is //p' "$1")
	b=$(sed -n 's/^New, TLSv1\.2, Cipher is //p' "$2")
	if ! pm_ok "$3"; then echo one
	elif [ -n "$a" ] && [ "$a" = "$b" ]; then echo server
	else echo client; fi
}

# pm_facts_cert DIR - facts of the transcripts default, tls1 and o1
pm_facts_cert() {
	local kt kb ks
	echo starttls=yes
	echo "tls1_3=$(pm_yn grep -q '^New, TLSv1\.3' "$1/default")"
	echo "tls1_2=$(pm_yn pm_ok "$1/o1")"
	echo "tls1=$(pm_yn pm_ok "$1/tls1")"
	read -r kt kb ks <<<"$(sed -n 's/^ *a:PKEY: \([^,]*\), \([0-9]*\) (bit); sigalg: \(.*\)$/\1 \2 \3/p' "$1/default" | head -1)"
	echo "key_type=$kt"
	echo "key_bits=$kb"
	echo "cert_sig=$ks"
	echo "ems=$(pm_yn grep -q 'Extended master secret: yes' "$1/o1")"
	echo "sreneg=$(pm_yn grep -q 'Secure Renegotiation IS supported' "$1/o1")"
	# with SNI (o1) and without (default: an address, no SNI)
	echo "sni=$(pm_yn pm_ok "$1/default")$(pm_yn pm_ok "$1/o1")"
	echo "comp=$(sed -n 's/^ *Compression: //p' "$1/o1" | head -1)"
}

# pm_gather OUT ADDR HOST WORK [cert] - the facts of one MTA as key=value
# lines; with "cert" only what a service that shares its TLS settings with
# another can change: the certificate, STARTTLS, TLS 1.0, 1.2, 1.3
pm_gather() {
	local out=$1 a=$2 host=$3 pd=$4 w=$4/hs.$2 k s1 s2 o
	mkdir -p "$w"
	pm_hs "$w/default" "$a" -showcerts
	if grep -q "Didn't find STARTTLS" "$w/default"; then
		echo starttls=no >"$out"
		pm_dane "$w" "$a" "$host" "$w/default" >>"$out"
		return
	fi
	if [ "${5:-}" = cert ]; then
		pm_hs "$w/tls1" "$a" -tls1 -cipher 'ALL:@SECLEVEL=0'
		pm_hs "$w/o1" "$a" -tls1_2 -servername "$host"
		pm_facts_cert "$w" >"$out"
		pm_dane "$w" "$a" "$host" "$w/default" >>"$out"
		return
	fi
	# client-initiated renegotiation: "R" on s_client's stdin
	(sleep 1; printf 'R\n'; sleep 1) | timeout 8 openssl s_client \
	    -starttls smtp -connect "$a:25" -tls1_2 >"$w/reneg" 2>&1 &
	k=$(sed -n 's/^ *a:PKEY: \([^,]*\), \([0-9]*\) (bit); sigalg: \(.*\)$/\1 \2 \3/p' "$w/default" | head -1)
	case "$k" in
	id-ecPublicKey*) s1=ECDSA+SHA1 s2=ECDSA+SHA224 o=ECDSA ;;
	*) s1=RSA+SHA1 s2=RSA+SHA224 o=RSA ;;
	esac
	# three sequences at once (each handshake is ~40 ms of CPU, most of
	# the wall time is waiting for the peer)
	{
		pm_hs "$w/tls1" "$a" -tls1 -cipher 'ALL:@SECLEVEL=0'
		pm_hs "$w/tls1_1" "$a" -tls1_1 -cipher 'ALL:@SECLEVEL=0'
		pm_hs "$w/o1" "$a" -tls1_2 -servername "$host" \
		    -cipher "ECDHE-$o-AES128-SHA:ECDHE-$o-AES256-GCM-SHA384:@SECLEVEL=0"
		pm_hs "$w/o2" "$a" -tls1_2 -servername "$host" \
		    -cipher "ECDHE-$o-AES256-GCM-SHA384:ECDHE-$o-AES128-SHA:@SECLEVEL=0"
		pm_hs "$w/o3" "$a" -tls1_2 -cipher "ECDHE-$o-AES128-SHA:@SECLEVEL=0"
	} &
	{
		pm_hs "$w/anon" "$a" -tls1_2 -cipher 'aNULL:@SECLEVEL=0'
		pm_hs "$w/dhe" "$a" -tls1_2 -msg -cipher 'DHE:ADH:@SECLEVEL=0'
		pm_hs "$w/sha1" "$a" -tls1_2 -sigalgs "$s1" -cipher 'ECDHE:@SECLEVEL=0'
		pm_hs "$w/sha224" "$a" -tls1_2 -sigalgs "$s2" -cipher 'ECDHE:@SECLEVEL=0'
		pm_hs "$w/krsa" "$a" -tls1_2 -cipher 'kRSA:@SECLEVEL=0'
	} &
	# in no reading of NCSC-NL appendix C (internet.nl also counts
	# AES-CCM with ECDHE or DHE): ARIA, CCM_8, SEED, IDEA, anonymous, AES-CCM
	# with RSA key transport
	pm_hs "$w/notncsc" "$a" -tls1_2 -cipher 'ARIA:AESCCM8:SEED:IDEA:aNULL:AES256-CCM:AES128-CCM:@SECLEVEL=0'
	# TR-02102-2: forward secrecy, AES with SHA-2 (no SHA-1 MAC, no ChaCha20)
	pm_hs "$w/notbsi" "$a" -tls1_2 -cipher 'aNULL:kRSA:SHA1:CHACHA20:ARIA:CAMELLIA:@SECLEVEL=0'
	# RFC 9325 MUST NOT: NULL, RC4, export/low (under 112 bits)
	pm_hs "$w/mustnot" "$a" -tls1_2 -cipher 'eNULL:RC4:LOW:EXP:@SECLEVEL=0'
	# any version: in TLS 1.2 the client's groups bind an ECDSA key too
	pm_hs "$w/xcurves" "$a" -groups X25519:X448
	pm_hs "$w/ffdhe2048" "$a" -tls1_3 -groups ffdhe2048
	wait
	{
		pm_facts_cert "$w"
		echo "tls1_1=$(pm_yn pm_ok "$w/tls1_1")"
		echo "order=$(pm_order "$w/o1" "$w/o2" "$w/o3")"
		echo "cbc=$(pm_yn pm_ok "$w/o3")"
		echo "anon=$(pm_yn pm_ok "$w/anon")"
		echo "dhe=$(pm_dhe "$w/dhe" "$pd")"
		echo "kex_sha1=$(pm_yn grep -q 'Peer signing digest: SHA1$' "$w/sha1")"
		echo "kex_sha224=$(pm_yn grep -q 'Peer signing digest: SHA224$' "$w/sha224")"
		echo "krsa=$(pm_yn pm_ok "$w/krsa")"
		echo "notncsc=$(pm_yn pm_ok "$w/notncsc")"
		echo "notbsi=$(pm_yn pm_ok "$w/notbsi")"
		echo "mustnot=$(pm_yn pm_ok "$w/mustnot")"
		echo "xcurves=$(pm_yn pm_ok "$w/xcurves")"
		echo "ffdhe2048=$(pm_yn pm_ok "$w/ffdhe2048")"
		# a second handshake verifies the leaf again
		echo "reneg_client=$(grep -c '^depth=0 ' "$w/reneg")"
	} >"$out"
	[ "$host" = exim.lab.test ] || pm_dane "$w" "$a" "$host" "$w/default" >>"$out"
}

# pm_load FILE... - read the facts of these files into PMF (the last
# file wins); pf KEY prints one
declare -A PMF
pm_load() {
	local f k v
	PMF=()
	for f in "$@"; do
		while IFS='=' read -r k v; do PMF[$k]=$v; done <"$f"
	done
}
pf() { echo "${PMF[$1]:-}"; }
pm_ge() { [ -n "${PMF[$1]:-}" ] && [ "${PMF[$1]}" -ge "$2" ]; }
pm_is() { [ "${PMF[$1]:-}" = "$2" ]; }

# pm_key PROFILE - the certificate key against the row's text:
# ncsc-nl: RSA >= 3072 good, 2048-3071 sufficient; P-256/P-384 good;
# bsi: RSA >= 3000, EC >= 256; rfc9325: RSA >= 2048, EC >= 224
pm_key() {
	local ec=false
	pm_is key_type id-ecPublicKey && ec=true
	case "$1:$ec" in
	ncsc:true) if pm_ge key_bits 256; then PMR='pass good'; else PMR='fail insufficient'; fi ;;
	ncsc:false)
		if pm_ge key_bits 3072; then PMR='pass good'
		elif pm_ge key_bits 2048; then PMR='pass sufficient'
		else PMR='fail insufficient'; fi ;;
	bsi:true) pm_pf pm_ge key_bits 256 ;;
	bsi:false) pm_pf pm_ge key_bits 3000 ;;
	rfc:true) pm_pf pm_ge key_bits 224 ;;
	rfc:false) pm_pf pm_ge key_bits 2048 ;;
	esac
}
pm_sha2() { [[ ${PMF[cert_sig]:-} =~ SHA(256|384|512)$ ]]; }
pm_pf() { if "$@"; then PMR='pass -'; else PMR='fail -'; fi; }
pm_fp() { if "$@"; then PMR='fail -'; else PMR='pass -'; fi; }

# pm_dane_row KIND - dane_exists / dane_valid / dane_rollover / dnssec:
# not testable without the domain's DNS (an address given with --host)
pm_dane_row() {
	case "${PMF[$1]:-}" in
	yes) PMR='pass -' ;;
	no) PMR='fail -' ;;
	na) PMR='not-applicable -' ;;
	*) PMR='not-testable -' ;;
	esac
}

# pm_expect ID - PMR = "result tier" the row must read, from the facts
# loaded (a variable, not output: no subshell for each of ~500 rows)
# shellcheck disable=SC2034 # PMR is the caller's
pm_expect() {
	local id=$1 dhe
	PMR=unknown
	case "$id" in
	*.dnssec) pm_dane_row dnssec; return ;;
	*.dane.exists) pm_dane_row dane_exists; return ;;
	*.dane.valid) pm_dane_row dane_valid; return ;;
	*.dane.rollover) pm_dane_row dane_rollover; return ;;
	ncsc-nl.version)
		if pm_is starttls no; then PMR='fail insufficient'
		elif pm_is tls1 yes || pm_is tls1_1 yes; then PMR='pass phase-out'
		elif pm_is tls1_2 yes; then PMR='pass sufficient'
		else PMR='pass good'; fi
		return ;;
	bsi.version | rfc9325.version)
		if pm_is starttls no || pm_is tls1 yes || pm_is tls1_1 yes; then
			PMR='fail -'; else PMR='pass -'; fi
		return ;;
	*.version.tls12) pm_pf pm_is tls1_2 yes; return ;;
	*.version.tls13) pm_pf pm_is tls1_3 yes; return ;;
	esac
	# every other row grades TLS: none without STARTTLS
	pm_is starttls no && { PMR='not-applicable -'; return; }
	dhe=${PMF[dhe]:-}
	case "$id" in
	ncsc-nl.ciphers)
		if pm_is notncsc yes; then PMR='fail insufficient'
		elif pm_is krsa yes; then PMR='pass phase-out'
		elif pm_is cbc yes; then PMR='pass sufficient'
		else PMR='pass good'; fi ;;
	ncsc-nl.ciphers.anonymous)
		if pm_is anon yes; then PMR='fail insufficient'; else PMR='pass good'; fi ;;
	bsi.ciphers.anonymous) pm_fp pm_is anon yes ;;
	ncsc-nl.cipher-order)
		case "${PMF[order]:-}" in
		server) PMR='pass -' ;; client) PMR='fail -' ;; *) PMR='not-applicable -' ;;
		esac ;;
	ncsc-nl.kex-groups)
		if pm_is ffdhe2048 yes; then PMR='pass phase-out'; else PMR='pass good'; fi ;;
	ncsc-nl.kex-dhe)
		case "$dhe" in
		none) PMR='not-applicable -' ;;
		ffdhe2048*) PMR='pass phase-out' ;;
		ffdhe*) PMR='pass sufficient' ;;
		*) PMR='fail insufficient' ;;
		esac ;;
	bsi.dhe | rfc9325.dhe)
		local min=3000
		[ "$id" = rfc9325.dhe ] && min=2048
		if [ "$dhe" = none ]; then PMR='not-applicable -'
		elif [ "${dhe#* }" -ge "$min" ]; then PMR='pass -'
		else PMR='fail -'; fi ;;
	ncsc-nl.kex-hash)
		if pm_is kex_sha1 yes || pm_is kex_sha224 yes; then PMR='pass phase-out'
		else PMR='pass good'; fi ;;
	*.compression)
		# neither s_client nor smtptls can offer compression (Debian's
		# OpenSSL has none): not testable, never "pass"
		pm_is comp NONE && PMR='not-testable -' ;;
	ncsc-nl.renegotiation.secure)
		if pm_is sreneg yes; then PMR='pass good'; else PMR='fail insufficient'; fi ;;
	bsi.renegotiation.secure | rfc9325.renegotiation) pm_pf pm_is sreneg yes ;;
	ncsc-nl.renegotiation.client)
		case "${PMF[reneg_client]:-}" in
		1) PMR='pass good' ;; 2) PMR='pass sufficient' ;; *) PMR='unknown' ;;
		esac ;;
	ncsc-nl.cert-key) pm_key ncsc ;;
	bsi.cert-key) pm_key bsi ;;
	rfc9325.cert-key) pm_key rfc ;;
	ncsc-nl.cert-signature)
		if [[ ${PMF[cert_sig]:-} =~ SHA(256|384|512)$ ]]; then PMR='pass good'
		else PMR='fail insufficient'; fi ;;
	bsi.cert-signature) pm_pf pm_sha2 ;;
	bsi.ciphers) pm_fp pm_is notbsi yes ;;
	# TR-02102-2 names neither X25519 nor X448, nor ffdhe2048
	bsi.groups) pm_fp eval 'pm_is xcurves yes || pm_is ffdhe2048 yes' ;;
	*.ems) pm_pf pm_is ems yes ;;
	rfc9325.sni)
		if [ -z "${PMF[dane_exists]:-}" ]; then PMR='not-testable -'
		else pm_pf pm_is sni yesyes; fi ;;
	rfc9325.ciphers.must-not) pm_fp pm_is mustnot yes ;;
	rfc9325.ciphers.should-not) pm_fp pm_is krsa yes ;;
	*) PMR="no expectation for $id" ;;
	esac
}
