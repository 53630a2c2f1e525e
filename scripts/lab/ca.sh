# scripts/lab/ca.sh - the lab's private PKI, made fresh at every `up`
# (sourced by scripts/lab.sh, bash). No private key is ever committed.
#
#   $CADIR/root.pem           root CA (the clients' trust store: root only)
#   $CADIR/intermediate.pem   intermediate CA, signed by the root
#   $CERTS/NAME.{key,pem,chain.pem}  leaves from testdata/lab/certs.list
#
# Keys are EC P-256 (fast to make) unless the list says rsa. Each certificate
# costs one `openssl req -x509 -newkey` (key, random serial and signature in
# one process): OpenSSL's start-up, not the crypto, is what costs time here.

# ca_newkey_opts TYPE - the -newkey arguments for a key type.
ca_newkey_opts() {
	case "$1" in
	ec) echo "-newkey ec -pkeyopt ec_paramgen_curve:P-256" ;;
	rsa) echo "-newkey rsa:2048" ;;
	*) die "certs.list: unknown key type '$1'" ;;
	esac
}

# spki_sha256 CERT - hex SHA-256 of the certificate's SubjectPublicKeyInfo
# (DER): the data of a TLSA record with selector 1, matching type 1.
spki_sha256() {
	openssl x509 -in "$1" -noout -pubkey |
		openssl pkey -pubin -outform DER |
		openssl dgst -sha256 -r | cut -d' ' -f1
}

# ca_make_roots - root and intermediate CA, the OpenSSL configuration every
# certificate uses, and the minimal `openssl ca` database for the expired leaf.
ca_make_roots() {
	mkdir -p "$CADIR/db/new" "$CERTS"
	: >"$CADIR/db/index.txt"
	# Any even-length hex will do as the first serial of the database.
	printf '%04x%04x%04x%04x\n' "$RANDOM" "$RANDOM" "$RANDOM" "$RANDOM" >"$CADIR/db/serial"
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

# Leaves; subjectAltName comes from -addext (or, for 'openssl ca', is copied
# from the request). RSA keys may also encrypt (RSA key exchange).
[ leaf_ec ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ leaf_rsa ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

# 'openssl ca' is used only for the expired leaf: in OpenSSL 3.0 neither
# 'x509 -req' nor 'req -x509' can set validity dates.
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
copy_extensions = copy
[ policy_any ]
organizationName = optional
commonName = supplied
EOF

	# shellcheck disable=SC2046 # word splitting of the -newkey options
	openssl req -x509 -config "$CADIR/openssl.cnf" -extensions v3_root \
		$(ca_newkey_opts ec) -noenc -keyout "$CADIR/root.key" \
		-subj "/O=smtptls lab/CN=smtptls lab root CA" -days 3650 -sha256 \
		-out "$CADIR/root.pem" 2>/dev/null
	# shellcheck disable=SC2046
	openssl req -x509 -config "$CADIR/openssl.cnf" -extensions v3_inter \
		$(ca_newkey_opts ec) -noenc -keyout "$CADIR/intermediate.key" \
		-subj "/O=smtptls lab/CN=smtptls lab intermediate CA" -days 1825 -sha256 \
		-CA "$CADIR/root.pem" -CAkey "$CADIR/root.key" \
		-out "$CADIR/intermediate.pem" 2>/dev/null
}

# ca_make_leaf NAME KEYTYPE ISSUER VALIDITY DNSNAME... - one leaf; the first
# DNS name is also the CN.
ca_make_leaf() {
	local name=$1 type=$2 issuer=$3 validity=$4 cn=$5 san="" n
	shift 4
	for n in "$@"; do san="${san:+$san,}DNS:$n"; done
	local key="$CERTS/$name.key" crt="$CERTS/$name.pem" log="$CERTS/$name.log"
	# -noenc writes the key unencrypted, mode 0600.
	# shellcheck disable=SC2046 # word splitting of the -newkey options
	set -- -config "$CADIR/openssl.cnf" -extensions "leaf_$type" \
		$(ca_newkey_opts "$type") -noenc -keyout "$key" \
		-subj "/O=smtptls lab/CN=$cn" -addext "subjectAltName=$san" -sha256

	case "$issuer/$validity" in
	intermediate/good)
		openssl req -x509 "$@" -days 365 -CA "$CADIR/intermediate.pem" \
			-CAkey "$CADIR/intermediate.key" -out "$crt" 2>"$log"
		;;
	self/good)
		openssl req -x509 "$@" -days 365 -out "$crt" 2>"$log"
		;;
	intermediate/expired)
		openssl req -new "$@" -out "$CERTS/$name.csr" 2>"$log" &&
			openssl ca -batch -notext -config "$CADIR/openssl.cnf" \
				-extensions "leaf_$type" \
				-startdate 20200101000000Z -enddate 20210101000000Z \
				-in "$CERTS/$name.csr" -out "$crt" 2>>"$log"
		;;
	*) die "certs.list: $name: unsupported issuer/validity '$issuer/$validity'" ;;
	esac || { cat "$log" >&2; die "openssl could not make the certificate '$name'"; }

	# What a server sends: leaf then intermediate (a self-signed leaf alone).
	if [ "$issuer" = intermediate ]; then
		cat "$crt" "$CADIR/intermediate.pem" >"$CERTS/$name.chain.pem"
	else
		cp "$crt" "$CERTS/$name.chain.pem"
	fi
	rm -f "$CERTS/$name.csr" "$log"
}

# ca_make_all - the whole PKI from testdata/lab/certs.list. Leaves are made
# in parallel (there are two cores; RSA key generation is the slow part).
# Only the one expired leaf uses `openssl ca` and its database.
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
}
