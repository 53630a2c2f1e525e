# scripts/lab/web.sh - nginx serving MTA-STS policies on 127.10.0.3:443 by SNI
# (sourced by scripts/lab.sh, bash). Configuration: testdata/lab/nginx.conf.in;
# policies: testdata/lab/mta-sts/.

WEB=$LAB/nginx

# web_make - configuration and the policy files nginx serves.
web_make() {
	local i
	mkdir -p "$WEB/www" "$WEB/tmp"
	RENDER_VARS="LAB" render "$TD/nginx.conf.in" "$WEB/nginx.conf"
	cp "$TD"/mta-sts/*.txt "$WEB/www/"
	# good.lab.test's policy uses CRLF line ends (RFC 8461 3.2 allows CRLF or
	# LF; the others use LF). Converted here so no CR lives in the repository.
	sed 's/$/\r/' "$TD/mta-sts/good.lab.test.txt" >"$WEB/www/good.lab.test.txt"
	# A policy over 64 KiB (RFC 8461 3.3 limit): a valid head, then padding
	# made of well-formed mx lines.
	{
		printf 'version: STSv1\nmode: enforce\nmx: mx1.lab.test\nmax_age: 86400\n'
		for i in $(seq 1 3500); do printf 'mx: pad%05d.lab.test\n' "$i"; done
	} >"$WEB/www/big.txt"
	chmod -R a+rX "$WEB/www"
	nginx -q -t -e "$WEB/error.log" -c "$WEB/nginx.conf" ||
		{ log_tail nginx "$WEB/error.log"; die "nginx -t rejected $WEB/nginx.conf"; }
}

# web_ready - the good policy is served, with a certificate the lab CA
# verifies for its name.
web_ready() {
	curl -fsS -o /dev/null --max-time 2 --max-redirs 0 --cacert "$CADIR/root.pem" \
		--resolve mta-sts.good.lab.test:443:127.10.0.3 \
		https://mta-sts.good.lab.test/.well-known/mta-sts.txt 2>/dev/null
}

web_launch() {
	daemon_start nginx "$WEB/error.log" nginx -e "$WEB/error.log" -c "$WEB/nginx.conf"
}

web_wait() {
	daemon_wait nginx "$WEB/error.log" web_ready \
		"nginx does not serve https://mta-sts.good.lab.test on 127.10.0.3:443"
	elapsed
	say "nginx: up on 127.10.0.3:443 (at $ELAPSED)"
}
