/*
 * check_scan.c - findings of the deep scan (checks.md 10), judged from the
 * scan_facts that scan.c collected. Run only with --scan; every check is
 * skip for an address whose STARTTLS was not accepted (no scan_facts).
 */
#include "judge.h"

#include <stdio.h>
#include <string.h>

#include "check_data.h"
#include "scan.h"

#include "banned.h"

static const enum check_id scan_ids[] = {
	CK_SMTP_STARTTLS_INJECTION,
	CK_TLS_VERSION_MIN,
	CK_TLS_VERSION_TLS12,
	CK_TLS_CIPHERS_WEAK,
	CK_TLS_CIPHERS_ORDER,
	CK_TLS_GROUPS,
	CK_TLS_RENEGOTIATION_SECURE,
	CK_TLS_RENEGOTIATION_CLIENT,
	CK_TLS_COMPRESSION,
	CK_TLS_EMS,
	CK_TLS_SNI,
	CK_CERT_ALTERNATES,
};
#define NSCAN_IDS (sizeof(scan_ids) / sizeof(scan_ids[0]))

static void
add(struct probe_result *r, const struct probe_addr *pa, enum check_id id,
    enum check_status st, struct check_data *data, const char *detail)
{
	check_add(&r->checks, id, st, NULL, pa->mx->name, pa->address,
	    pa->order, data, "%s", detail);
}

/* scan_prereq - the check that kept an address from being scanned */
static enum check_id
scan_prereq(const struct probe_addr *pa)
{
	if (!pa->connected)
		return CK_SMTP_CONNECT;
	if (pa->sc.banner.code != 220)
		return CK_SMTP_BANNER;
	if (!pa->sc.starttls_offered)
		return CK_SMTP_STARTTLS_OFFERED;
	return CK_SMTP_STARTTLS_RESPONSE;
}

static const char *
incomplete_note(const struct scan_facts *f)
{
	return f->incomplete
	           ? " (scan incomplete: step timeout or run deadline)"
	           : "";
}

static void
check_injection(struct probe_result *r, const struct probe_addr *pa,
    const struct scan_facts *f)
{
	if (f->injection == 1)
		add(r, pa, CK_SMTP_STARTTLS_INJECTION, CHECK_FAIL, NULL,
		    "the server answered a command sent before the TLS upgrade "
		    "inside TLS (CVE-2011-0411)");
	else if (f->injection == 0)
		add(r, pa, CK_SMTP_STARTTLS_INJECTION, CHECK_PASS, NULL,
		    "nothing sent before the upgrade was answered inside TLS");
	else
		add(r, pa, CK_SMTP_STARTTLS_INJECTION, CHECK_SKIP, NULL,
		    "not evaluated: the injection session did not complete its handshake");
}

static void
check_versions(struct probe_result *r, const struct probe_addr *pa,
    const struct scan_facts *f)
{
	const enum scan_state *v = f->versions;
	struct check_data *d = check_data_new(&r->checks, CD_SCAN_VERSIONS);
	char detail[300];
	enum check_status st;

	if (d != NULL)
		d->u.scan = f;
	if (v[SCAN_SSL2] == SCAN_ACCEPTED || v[SCAN_SSL3] == SCAN_ACCEPTED)
		st = CHECK_FAIL;
	else if (v[SCAN_TLS1] == SCAN_ACCEPTED ||
	         v[SCAN_TLS1_1] == SCAN_ACCEPTED)
		st = CHECK_WARN;
	else
		st = CHECK_PASS;
	snprintf(detail, sizeof(detail),
	    "%s%s%s; SSL 2.0/3.0 untested "
	    "(OpenSSL 3 cannot offer them)%s",
	    st == CHECK_WARN ? "deprecated versions accepted:"
	                     : "nothing below TLS 1.2 accepted",
	    v[SCAN_TLS1] == SCAN_ACCEPTED ? " TLS 1.0" : "",
	    v[SCAN_TLS1_1] == SCAN_ACCEPTED ? " TLS 1.1" : "",
	    incomplete_note(f));
	add(r, pa, CK_TLS_VERSION_MIN, st, d, detail);

	if (v[SCAN_TLS1_2] == SCAN_ACCEPTED)
		add(r, pa, CK_TLS_VERSION_TLS12, CHECK_PASS, NULL,
		    "TLS 1.2 accepted");
	else if (v[SCAN_TLS1_2] == SCAN_REFUSED)
		add(r, pa, CK_TLS_VERSION_TLS12, CHECK_WARN, NULL,
		    "TLS 1.2 refused: senders without TLS 1.3 fall back to cleartext or defer");
	else
		add(r, pa, CK_TLS_VERSION_TLS12, CHECK_SKIP, NULL,
		    "not evaluated: the TLS 1.2 handshake could not be measured");
}

static void
check_ciphers(struct probe_result *r, const struct probe_addr *pa,
    const struct scan_facts *f)
{
	struct check_data *d;
	enum tls_class worst = TLS_CLASS_GOOD;
	char worst_name[96] = "", anon[200] = "", detail[400];
	size_t total = 0, nanon = 0;

	for (int v = SCAN_TLS1; v < SCAN_VER__COUNT; v++) {
		for (size_t i = 0; i < f->nsuites[v]; i++) {
			const struct scan_suite *x = &f->suites[v][i];

			total++;
			if (x->anonymous) {
				size_t l = strlen(anon);

				if (nanon++ < 3)
					snprintf(anon + l, sizeof(anon) - l,
					    "%s%s", l ? ", " : "", x->iana);
				continue;
			}
			if (worst_name[0] == '\0' || x->cls > worst) {
				if (x->cls > worst)
					worst = x->cls;
				snprintf(worst_name, sizeof(worst_name), "%s",
				    x->iana);
			}
		}
	}
	if (total == 0) {
		add(r, pa, CK_TLS_CIPHERS_WEAK, CHECK_SKIP, NULL,
		    "not evaluated: no handshake of the scan completed");
		return;
	}
	snprintf(detail, sizeof(detail),
	    "%zu suites accepted; worst class %s "
	    "(%s)%s%s%s%s",
	    total, tls_class_name(worst), worst_name,
	    nanon ? "; anonymous suites accepted: " : "", anon,
	    nanon > 3 ? ", ..." : "", incomplete_note(f));
	if ((d = check_data_new(&r->checks, CD_SCAN_CIPHERS)) != NULL)
		d->u.scan = f;
	add(r, pa, CK_TLS_CIPHERS_WEAK,
	    worst == TLS_CLASS_BROKEN ? CHECK_FAIL
	    : worst == TLS_CLASS_WEAK ? CHECK_WARN
	                              : CHECK_PASS,
	    d, detail);
}

static void
check_order(struct probe_result *r, const struct probe_addr *pa,
    const struct scan_facts *f)
{
	const struct scan_suite *s = f->suites[SCAN_TLS1_2];
	size_t n = f->nsuites[SCAN_TLS1_2];
	enum tls_class best = TLS_CLASS_BROKEN;
	bool one_class = true;
	char detail[300];

	if (n < 2) {
		add(r, pa, CK_TLS_CIPHERS_ORDER, CHECK_SKIP, NULL,
		    "not evaluated: fewer than two TLS 1.2 suites accepted");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i].cls < best)
			best = s[i].cls;
		if (s[i].cls != s[0].cls)
			one_class = false;
	}
	if (one_class) {
		snprintf(detail, sizeof(detail),
		    "all %zu TLS 1.2 suites are %s; "
		    "the order does not matter (%s order)",
		    n, tls_class_name(best),
		    f->server_order == 1   ? "server"
		    : f->server_order == 0 ? "client"
		                           : "unknown");
		add(r, pa, CK_TLS_CIPHERS_ORDER, CHECK_PASS, NULL, detail);
	} else if (f->server_order < 0) {
		add(r, pa, CK_TLS_CIPHERS_ORDER, CHECK_SKIP, NULL,
		    "not evaluated: the order handshakes did not complete");
	} else if (f->server_order == 0) {
		add(r, pa, CK_TLS_CIPHERS_ORDER, CHECK_WARN, NULL,
		    "the server follows the client's suite order although its "
		    "TLS 1.2 suites span several classes");
	} else if (s[0].cls != best) {
		snprintf(detail, sizeof(detail),
		    "the server prefers its own "
		    "order, but its first choice %.96s is %s while it accepts %s suites",
		    s[0].iana, tls_class_name(s[0].cls), tls_class_name(best));
		add(r, pa, CK_TLS_CIPHERS_ORDER, CHECK_WARN, NULL, detail);
	} else {
		snprintf(detail, sizeof(detail),
		    "the server prefers its own "
		    "order; first choice %.96s (%s)",
		    s[0].iana, tls_class_name(s[0].cls));
		add(r, pa, CK_TLS_CIPHERS_ORDER, CHECK_PASS, NULL, detail);
	}
}

static void
check_groups(struct probe_result *r, const struct probe_addr *pa,
    const struct scan_facts *f)
{
	enum tls_class worst = TLS_CLASS_GOOD;
	char list[300] = "", detail[500];
	size_t l;

	for (size_t i = 0; i < f->ngroups; i++) {
		l = strlen(list);
		snprintf(list + l, sizeof(list) - l, "%s%s (%s)", l ? ", " : "",
		    f->groups[i].name, tls_class_name(f->groups[i].cls));
		if (f->groups[i].cls > worst)
			worst = f->groups[i].cls;
	}
	if (f->dhe_bits > 0) {
		enum tls_class c = tls_group_classify(NULL, f->dhe_bits);

		l = strlen(list);
		snprintf(list + l, sizeof(list) - l, "%sDHE %d bits (%s)",
		    l ? ", " : "", f->dhe_bits, tls_class_name(c));
		if (c > worst)
			worst = c;
	}
	if (list[0] == '\0') {
		add(r, pa, CK_TLS_GROUPS, CHECK_SKIP, NULL,
		    "not evaluated: no handshake offering a single group completed");
		return;
	}
	snprintf(detail, sizeof(detail),
	    "accepted: %s; untried: brainpool, "
	    "ffdhe4096 and larger, hybrid ML-KEM groups (not offered by this "
	    "OpenSSL)%s",
	    list, incomplete_note(f));
	add(r, pa, CK_TLS_GROUPS,
	    worst == TLS_CLASS_BROKEN ? CHECK_FAIL
	    : worst == TLS_CLASS_WEAK ? CHECK_WARN
	                              : CHECK_PASS,
	    NULL, detail);
}

/* check_reneg_client - measured only when a profile asked (--profile) */
static void
check_reneg_client(struct probe_result *r, const struct probe_addr *pa,
    const struct scan_facts *f)
{
	if (f->reneg_client < 0)
		add(r, pa, CK_TLS_RENEGOTIATION_CLIENT, CHECK_SKIP, NULL,
		    "not evaluated: client-initiated renegotiation is tested "
		    "only with --profile");
	else
		add(r, pa, CK_TLS_RENEGOTIATION_CLIENT,
		    f->reneg_client ? CHECK_WARN : CHECK_PASS, NULL,
		    f->reneg_client
		        ? "the server renegotiated when the client asked"
		        : "the server refused to renegotiate when the client "
		          "asked");
}

static void
check_tls12_ext(struct probe_result *r, const struct probe_addr *pa,
    const struct scan_facts *f)
{
	const char *why =
	    f->versions[SCAN_TLS1_2] == SCAN_REFUSED
	        ? "not evaluated: TLS 1.2 refused (tls.version.tls12)"
	        : "not evaluated: no TLS 1.2 handshake completed";

	if (f->reneg_secure < 0)
		add(r, pa, CK_TLS_RENEGOTIATION_SECURE, CHECK_SKIP, NULL, why);
	else
		add(r, pa, CK_TLS_RENEGOTIATION_SECURE,
		    f->reneg_secure ? CHECK_PASS : CHECK_FAIL, NULL,
		    f->reneg_secure
		        ? "the TLS 1.2 ServerHello carries renegotiation_info"
		        : "the TLS 1.2 ServerHello lacks renegotiation_info (RFC 5746)");
	check_reneg_client(r, pa, f);
	add(r, pa, CK_TLS_COMPRESSION, CHECK_SKIP, NULL,
	    "not evaluated: compression untested (OpenSSL 3 cannot offer DEFLATE)");
	if (f->ems < 0)
		add(r, pa, CK_TLS_EMS, CHECK_SKIP, NULL, why);
	else
		add(r, pa, CK_TLS_EMS, f->ems ? CHECK_PASS : CHECK_WARN, NULL,
		    f->ems
		        ? "the TLS 1.2 ServerHello carries extended_master_secret"
		        : "the TLS 1.2 ServerHello lacks extended_master_secret (RFC 7627)");
}

static const char *
sni_text(const struct scan_facts *f, int m, char *buf, size_t len)
{
	switch (f->sni[m]) {
	case SNI_OK:
		return "ok";
	case SNI_ALERT:
		snprintf(buf, len, "alert %s", f->sni_alert[m]);
		return buf;
	case SNI_CLOSED:
		return "closed";
	case SNI_ERROR:
		return "error";
	default:
		return "untested";
	}
}

static void
check_sni(struct probe_result *r, const struct probe_addr *pa,
    const struct scan_facts *f)
{
	char a[3][80], detail[400];
	bool literal = pa->mx->literal;
	enum scan_sni wo = f->sni[SCAN_SNI_WITHOUT], wi = f->sni[SCAN_SNI_WITH];
	enum check_status st;

	if (wo == SNI_ERROR || wo == SNI_UNTESTED ||
	    (!literal && (wi == SNI_ERROR || wi == SNI_UNTESTED))) {
		if (wo == SNI_ALERT || wo == SNI_CLOSED || wi == SNI_ALERT ||
		    wi == SNI_CLOSED)
			st = CHECK_FAIL;
		else {
			add(r, pa, CK_TLS_SNI, CHECK_SKIP, NULL,
			    "not evaluated: the SNI handshakes could not be measured");
			return;
		}
	} else
		st = wo == SNI_OK && (literal || wi == SNI_OK) ? CHECK_PASS
		                                               : CHECK_FAIL;
	snprintf(detail, sizeof(detail),
	    "without SNI: %s; with SNI %s: %s; "
	    "unrelated name: %s%s",
	    sni_text(f, 0, a[0], sizeof(a[0])),
	    literal ? "(none: address literal)" : pa->mx->name,
	    sni_text(f, 1, a[1], sizeof(a[1])),
	    sni_text(f, 2, a[2], sizeof(a[2])),
	    f->sni_same_cert == 0 ? "; the first two presented different "
	                            "certificates"
	                          : "");
	add(r, pa, CK_TLS_SNI, st, NULL, detail);
}

static void
check_alternates(struct probe_result *r, const struct probe_addr *pa,
    const struct scan_facts *f)
{
	const struct tls_facts *t = &pa->tls;
	bool pkix = probe_pkix_expected(r, pa->mx);
	enum check_status st = CHECK_PASS;
	char detail[400] = "", fam[64] = "";
	size_t distinct = 0;

	if (!f->alt_tested || f->nalt == 0) {
		add(r, pa, CK_CERT_ALTERNATES, CHECK_SKIP, NULL,
		    "not evaluated: no handshake limited to one signature family completed");
		return;
	}
	for (size_t i = 0; i < f->nalt; i++) {
		const struct scan_alt *a = &f->alt[i];
		const struct cert_chain_result *c = &a->chain;
		size_t l = strlen(fam);

		snprintf(fam + l, sizeof(fam) - l, "%s%s", l ? ", " : "",
		    a->family);
		if (!t->have_chain || t->chain.ncerts == 0 ||
		    strcmp(a->leaf_sha256, t->chain.certs[0].sha256_hex) == 0)
			continue;
		distinct++;
		if (t->dane_checked && t->dane_verified && !a->dane_verified) {
			st = CHECK_FAIL;
			snprintf(detail, sizeof(detail),
			    "the %s certificate "
			    "fails dane.tlsa.match",
			    a->family);
		} else if (pkix &&
		           ((t->chain.path_trusted && !c->path_trusted) ||
		               (t->chain.name_mx.via != CERT_NAME_NONE &&
		                   c->name_mx.via == CERT_NAME_NONE) ||
		               (!t->chain.leaf_expired && c->leaf_expired))) {
			st = CHECK_FAIL;
			snprintf(detail, sizeof(detail),
			    "the %s certificate "
			    "fails a PKIX condition the standard one meets",
			    a->family);
		} else if (st == CHECK_PASS &&
		           (c->path_trusted != t->chain.path_trusted ||
		               c->name_mx.via != t->chain.name_mx.via ||
		               c->leaf_expired != t->chain.leaf_expired)) {
			st = CHECK_WARN;
			snprintf(detail, sizeof(detail),
			    "the %s certificate "
			    "differs from the standard one in trust, name or expiry",
			    a->family);
		}
	}
	if (distinct == 0 && f->nalt <= 1) {
		snprintf(detail, sizeof(detail), "only one certificate (%s)",
		    fam);
		add(r, pa, CK_CERT_ALTERNATES, CHECK_INFO, NULL, detail);
		return;
	}
	if (st == CHECK_PASS)
		snprintf(detail, sizeof(detail),
		    "%zu certificates (%s) with the "
		    "same outcomes",
		    f->nalt, fam);
	add(r, pa, CK_CERT_ALTERNATES, st, NULL, detail);
}

void
check_scan_run(struct probe_result *r)
{
	char d[160];

	for (size_t i = 0; i < r->nmx; i++)
		for (size_t k = 0; k < r->mx[i].naddrs; k++) {
			const struct probe_addr *pa = &r->mx[i].addrs[k];
			const struct scan_facts *f = pa->scan;

			if (f == NULL) {
				snprintf(d, sizeof(d),
				    "not evaluated: %s did not pass",
				    check_id_name(scan_prereq(pa)));
				for (size_t j = 0; j < NSCAN_IDS; j++)
					add(r, pa, scan_ids[j], CHECK_SKIP,
					    NULL, d);
				continue;
			}
			check_injection(r, pa, f);
			check_versions(r, pa, f);
			check_ciphers(r, pa, f);
			check_order(r, pa, f);
			check_groups(r, pa, f);
			check_tls12_ext(r, pa, f);
			check_sni(r, pa, f);
			check_alternates(r, pa, f);
		}
}
