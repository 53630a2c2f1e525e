# scripts/lab/ca.sh - the lab's private PKI, made fresh at every `up`
# (sourced by scripts/lab.sh, bash). No private key is ever committed.
#
#   $CADIR/root.pem           root CA (the clients' trust store: root only)
#   $CADIR/intermediate.pem   intermediate CA, signed by the root
#   $CERTS/NAME.{key,pem,chain.pem}  leaves from testdata/lab/certs.list
#
# Keys are EC P-256 (fast to make) unless the list says rsa.

# ca_keygen TYPE OUT - a new private key, readable by root only.
ca_keygen() {
	case "$1" in
	ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$2" 2>/dev/null ;;
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$2" 2>/dev/null ;;
	*) die "certs.list: unknown key type '$1'" ;;
	esac
	chmod 600 "$2"
}

# ca_serial - a random 64-bit serial, so no serial file has to be kept.
ca_serial() { printf '0x%s' "$(openssl rand -hex 8)"; }

# spki_sha256 CERT - hex SHA-256 of the certificate's SubjectPublicKeyInfo
# (DER): the data of a TLSA record with selector 1, matching type 1.
spki_sha256() {
	openssl x509 -in "$1" -noout -pubkey |
		openssl pkey -pubin -outform DER |
		openssl dgst -sha256 -r | cut -d' ' -f1
}

# ca_make_roots - root and intermediate CA, and the minimal `openssl ca`
# database needed for backdated (expired) leaves.
ca_make_roots() {
	mkdir -p "$CADIR/db/new" "$CERTS"
	: >"$CADIR/db/index.txt"
	cat >"$CADIR/openssl.cnf" <<EOF
# Made by scripts/lab.sh: the lab CA's OpenSSL configuration.
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused
[ v3_root ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_inter ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

# 'openssl ca' is used only for the expired leaf: 'openssl x509 -req' has no
# way to set validity dates in OpenSSL 3.0.
[ ca ]
default_ca = lab_intermediate
[ lab_intermediate ]
dir = $CADIR/db
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
certificate = $CADIR/intermediate.pem
private_key = $CADIR/intermediate.key
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
[ policy_any ]
organizationName = optional
commonName = supplied
EOF
	openssl rand -hex 8 >"$CADIR/db/serial"

	ca_keygen ec "$CADIR/root.key"
	openssl req -x509 -new -config "$CADIR/openssl.cnf" -key "$CADIR/root.key" \
		-subj "/O=smtptls lab/CN=smtptls lab root CA" -days 3650 -sha256 \
		-extensions v3_root -set_serial "$(ca_serial)" -out "$CADIR/root.pem"

	ca_keygen ec "$CADIR/intermediate.key"
	openssl req -new -config "$CADIR/openssl.cnf" -key "$CADIR/intermediate.key" \
		-subj "/O=smtptls lab/CN=smtptls lab intermediate CA" -out "$CADIR/intermediate.csr"
	openssl x509 -req -in "$CADIR/intermediate.csr" -CA "$CADIR/root.pem" \
		-CAkey "$CADIR/root.key" -set_serial "$(ca_serial)" -days 1825 -sha256 \
		-extfile "$CADIR/openssl.cnf" -extensions v3_inter \
		-out "$CADIR/intermediate.pem" 2>/dev/null
}

# ca_make_leaf NAME KEYTYPE ISSUER VALIDITY DNSNAME... - one leaf.
ca_make_leaf() {
	local name=$1 type=$2 issuer=$3 validity=$4 san="" n ku cn
	shift 4
	cn=$1
	for n in "$@"; do san="${san:+$san, }DNS:$n"; done
	# RSA keys also encrypt the premaster secret in (old) RSA key exchange.
	ku="digitalSignature"
	[ "$type" = rsa ] && ku="digitalSignature, keyEncipherment"

	local key="$CERTS/$name.key" csr="$CERTS/$name.csr" ext="$CERTS/$name.ext"
	local crt="$CERTS/$name.pem"
	cat >"$ext" <<EOF
basicConstraints = critical, CA:FALSE
keyUsage = critical, $ku
extendedKeyUsage = serverAuth
subjectAltName = $san
subjectKeyIdentifier = hash
EOF
	ca_keygen "$type" "$key"
	openssl req -new -config "$CADIR/openssl.cnf" -key "$key" \
		-subj "/O=smtptls lab/CN=$cn" -out "$csr"

	case "$issuer/$validity" in
	intermediate/good)
		echo "authorityKeyIdentifier = keyid" >>"$ext"
		openssl x509 -req -in "$csr" -CA "$CADIR/intermediate.pem" \
			-CAkey "$CADIR/intermediate.key" -set_serial "$(ca_serial)" \
			-days 365 -sha256 -extfile "$ext" -out "$crt" 2>/dev/null
		;;
	intermediate/expired)
		echo "authorityKeyIdentifier = keyid" >>"$ext"
		openssl ca -batch -notext -config "$CADIR/openssl.cnf" \
			-startdate 20200101000000Z -enddate 20210101000000Z \
			-extfile "$ext" -in "$csr" -out "$crt" 2>"$CERTS/$name.ca.log" ||
			{ cat "$CERTS/$name.ca.log" >&2; die "openssl ca failed for $name"; }
		;;
	self/good)
		openssl x509 -req -in "$csr" -key "$key" -set_serial "$(ca_serial)" \
			-days 365 -sha256 -extfile "$ext" -out "$crt" 2>/dev/null
		;;
	*) die "certs.list: $name: unsupported issuer/validity '$issuer/$validity'" ;;
	esac
	# What a server sends: leaf then intermediate (a self-signed leaf alone).
	if [ "$issuer" = intermediate ]; then
		cat "$crt" "$CADIR/intermediate.pem" >"$CERTS/$name.chain.pem"
	else
		cp "$crt" "$CERTS/$name.chain.pem"
	fi
	rm -f "$csr" "$ext" "$CERTS/$name.ca.log"
}

# ca_make_all - the whole PKI from testdata/lab/certs.list. Leaves are made
# in parallel: RSA key generation dominates and there are two cores. (Only
# the one expired leaf uses `openssl ca` and its database.)
ca_make_all() {
	local line pids="" p
	ca_make_roots
	while read -r line; do
		case "$line" in '' | '#'*) continue ;; esac
		# shellcheck disable=SC2086
		ca_make_leaf $line &
		pids="$pids $!"
	done <"$TD/certs.list"
	for p in $pids; do
		wait "$p" || die "could not make the leaf certificates (see above)"
	done
	rm -f "$CADIR/intermediate.csr"
}
