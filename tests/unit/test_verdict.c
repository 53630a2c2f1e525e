/*
 * test_verdict.c - the policy levels of checks.md 12 as tables. A row sets
 * the facts a probe found: the status of each check a rule reads (as the
 * check modules record them, skips included) and the few measured values
 * beside them (TLS version, name match, validity, STARTTLS reply code,
 * the MTA-STS policy). Nothing is measured: verdict_run() judges the
 * facts, and the rows state what checks.md says it must conclude.
 *
 *   addr_rows    one address: the outcome of every level and variant
 *                (12.1 facts, 12.2 DANE states, 12.3 rules, 12.4
 *                variants, 12.5 DANE and MTA-STS together)
 *   domain_rows  several hosts and addresses: the domain outcome (12.6)
 *   policy_rows  the policy.* checks: status, expectation, judged_on (12.7)
 *   error_rows   what verdict_run() returns when the list is incomplete
 */
#include "judge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

#include "mtasts_check.h"
#include "verdict.h"

#include "unit.h"

#include "banned.h"

/* ---- facts ----------------------------------------------------------- */

/*
 * A facts string is a list of "key=value" (or bare "key") words. Keys:
 *   a check id         its status: pass warn fail info skip error, or
 *                      "absent" (no result recorded: a broken module)
 *   version=1.0..1.3   negotiated TLS version (default 1.3)
 *   via=san|cn|none    how the certificate matched the MX host name
 *   validity=no        a certificate on the path is outside its validity
 *   starttls_code=N    reply code to STARTTLS (default 220 when passed)
 *   sts=enforce|testing|none|absent|invalid
 *                      the MTA-STS policy (default enforce); absent: no
 *                      record; invalid: not valid, the row names the
 *                      mtasts.* check that says why
 *   sts_mx=PATTERN     the policy's mx pattern (default *.example.org)
 *   require=L,L        --require;  min_tls=1.0..1.3  --min-tls
 *   no_dane no_mta_sts host tls_domain=NAME     the options
 *   null_mx bogus_mx noaddr                     DNS outcomes
 * An address's key is looked up in its own facts, then its host's, then
 * the domain's, so a one-address row can say everything in one string.
 */
struct spec {
	const char *dom;
	const char *host[3];          /* facts of MX hosts; NULL ends */
	const char *addr[3][3];       /* facts per address; none = one "" */
};

/* fact - the value of key in facts ("" for a bare key), or NULL */
static const char *
fact(const char *facts, const char *key, char *val, size_t len)
{
	size_t klen = strlen(key);
	const char *p = facts;

	while (p != NULL && *p != '\0') {
		size_t wlen = strcspn(p, " ");

		if (wlen >= klen && memcmp(p, key, klen) == 0 &&
		    (wlen == klen || p[klen] == '=')) {
			size_t vlen = wlen == klen ? 0 : wlen - klen - 1;

			if (vlen >= len)
				vlen = len - 1;
			memcpy(val, p + klen + (wlen == klen ? 0 : 1), vlen);
			val[vlen] = '\0';
			return val;
		}
		p += wlen;
		p += strspn(p, " ");
	}
	return NULL;
}

/* get - key from the first of up to three facts strings that has it */
static const char *
get(const char *a, const char *h, const char *d, const char *key, char *val,
    size_t len)
{
	const char *v;

	if ((v = fact(a, key, val, len)) != NULL || (v = fact(h, key, val, len)) != NULL)
		return v;
	return fact(d, key, val, len);
}

static int
status_of(const char *name)
{
	static const char *const names[] = {
		"pass", "warn", "fail", "info", "skip", "error",
	};

	for (int i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++)
		if (strcmp(names[i], name) == 0)
			return CHECK_PASS + i;
	return -1;       /* "absent" */
}

static int
tls_version_of(const char *v)
{
	return strcmp(v, "1.0") == 0 ? TLS1_VERSION : strcmp(v, "1.1") == 0 ?
	    TLS1_1_VERSION : strcmp(v, "1.2") == 0 ? TLS1_2_VERSION : TLS1_3_VERSION;
}

/* The results of one address, in the order the check modules depend on
 * each other (checks.md 1.7): a result not set by the row is pass while
 * its prerequisites hold and skip after the first that did not. */
static const char *const addr_chain[] = {
	"smtp.connect", "smtp.banner", "smtp.ehlo", "smtp.starttls.offered",
	"smtp.starttls.response", "tls.handshake",
};
static const char *const after_handshake[] = {
	"smtp.ehlo.after_tls", "cert.chain.trusted", "cert.name.match",
	"cert.name.nexthop", "dane.tlsa.match",
};

struct ctx {
	struct probe_result *r;
	const char *a, *h, *d;        /* facts: address, host, domain */
};

/* put - record id with the status the row gives, else dflt; "absent"
 * records nothing. Returns the status used (-1 for absent). */
static int
put(struct ctx *c, const char *id, const char *mx, const char *address,
    int dflt)
{
	char v[64];
	int st = dflt;
	enum check_id ck = CK_NONE;

	/* The tables name checks as the report does; a name the catalogue
	 * does not know is a mistake in the table. */
	unit_eq_long(id, 1, check_id_parse(id, &ck));
	if (get(c->a, c->h, c->d, id, v, sizeof(v)) != NULL)
		st = status_of(v);
	/* A failure stays in the list: verdict_run() then returns it. */
	if (st >= 0 && ck != CK_NONE)
		check_add(&c->r->checks, ck, (enum check_status)st, NULL, mx,
		    address, 0, NULL, "%s", "row");
	return st;
}

static bool
dane_judged(const struct probe_result *r)
{
	return !r->opt.no_dane && r->kind != TARGET_HOST;
}

/* put_addr - the results and measured values of one address */
static void
put_addr(struct ctx *c, struct probe_addr *pa, bool dane_auth)
{
	struct probe_result *r = c->r;
	const char *mx = pa->mx->name;
	bool gate = true;
	char v[64];
	int st = CHECK_PASS, st_response = CHECK_SKIP;

	for (size_t i = 0; i < sizeof(addr_chain) / sizeof(addr_chain[0]); i++) {
		st = put(c, addr_chain[i], mx, pa->address, gate ? CHECK_PASS : CHECK_SKIP);
		if (i == 0)
			pa->connected = st == CHECK_PASS;
		if (i == 4)
			st_response = st;
		gate = gate && (st == CHECK_PASS || (st == CHECK_WARN && (i == 1 || i == 2)));
	}
	for (size_t i = 0; i < sizeof(after_handshake) / sizeof(after_handshake[0]); i++) {
		const char *id = after_handshake[i];

		if (strcmp(id, "cert.name.nexthop") == 0 && r->domain == NULL &&
		    r->opt.tls_domain == NULL)
			continue;
		if (strcmp(id, "dane.tlsa.match") == 0 && !dane_judged(r))
			continue;
		st = put(c, id, mx, pa->address, gate && (strcmp(id,
		    "dane.tlsa.match") != 0 || dane_auth) ? CHECK_PASS : CHECK_SKIP);
		if (strcmp(id, "cert.chain.trusted") == 0) {
			pa->tls.have_chain = st != CHECK_ERROR && gate;
			pa->tls.chain.trusted = st == CHECK_PASS;
		}
	}
	pa->tls.established = gate;
	pa->tls.version_num = gate ? tls_version_of(get(c->a, c->h, c->d, "version",
	    v, sizeof(v)) ? v : "1.3") : 0;
	pa->tls.chain.path_in_validity = get(c->a, c->h, c->d, "validity", v,
	    sizeof(v)) == NULL;
	pa->tls.chain.name_mx.via = CERT_NAME_SAN;
	if (get(c->a, c->h, c->d, "via", v, sizeof(v)) != NULL)
		pa->tls.chain.name_mx.via = strcmp(v, "cn") == 0 ? CERT_NAME_CN :
		    strcmp(v, "none") == 0 ? CERT_NAME_NONE : CERT_NAME_SAN;
	pa->sc.starttls.code = st_response == CHECK_PASS ? 220 : 0;
	if (get(c->a, c->h, c->d, "starttls_code", v, sizeof(v)) != NULL)
		pa->sc.starttls.code = (int)strtol(v, NULL, 10);
}

/* put_host - an MX host: its DNS and DANE results, then its addresses */
static void
put_host(struct ctx *c, struct probe_mx *m, const char *const *addr_facts,
    unsigned *next)
{
	char v[64];
	int ad = CHECK_PASS, lk = -1, us = -1;
	size_t n = 0;

	c->a = "";
	m->literal = get("", c->h, c->d, "literal", v, sizeof(v)) != NULL;
	if (!m->literal) {
		put(c, "dns.mx.target.resolves", m->name, NULL, CHECK_PASS);
		ad = put(c, "dns.mx.addr.dnssec", m->name, NULL, CHECK_PASS);
	}
	if (dane_judged(c->r)) {
		lk = put(c, "dane.tlsa.lookup", m->name, NULL, ad == CHECK_PASS ?
		    CHECK_PASS : CHECK_SKIP);
		us = put(c, "dane.tlsa.usable", m->name, NULL, lk == CHECK_PASS ?
		    CHECK_PASS : CHECK_SKIP);
	}
	while (n < 3 && addr_facts[n] != NULL)
		n++;
	if (n == 0 && get("", c->h, c->d, "noaddr", v, sizeof(v)) == NULL)
		n = 1;
	if ((m->addrs = calloc(n ? n : 1, sizeof(*m->addrs))) == NULL)
		return;
	m->naddrs = n;
	for (size_t k = 0; k < n; k++) {
		struct probe_addr *pa = &m->addrs[k];

		snprintf(pa->address, sizeof(pa->address), "192.0.2.%u", (*next)++);
		pa->family = AF_INET;
		pa->mx = m;
		c->a = addr_facts[k] != NULL ? addr_facts[k] : "";
		put_addr(c, pa, lk == CHECK_PASS && us != CHECK_FAIL);
	}
}

/* put_sts - the MTA-STS state and its domain results */
static void
put_sts(struct ctx *c)
{
	struct probe_result *r = c->r;
	struct mtasts_state *s;
	char mode[32], mx[128], body[300];
	bool valid;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return;
	mtasts_txt_init(&s->txt);
	mtasts_policy_init(&s->policy);
	r->sts = s;
	r->have_sts_dns = true;
	if (fact(c->d, "sts", mode, sizeof(mode)) == NULL)
		snprintf(mode, sizeof(mode), "enforce");
	if (fact(c->d, "sts_mx", mx, sizeof(mx)) == NULL)
		snprintf(mx, sizeof(mx), "*.example.org");
	valid = strcmp(mode, "absent") != 0 && strcmp(mode, "invalid") != 0;
	if (valid) {
		snprintf(body, sizeof(body), "version: STSv1\nmode: %s\nmx: %s\n"
		    "max_age: 604800\n", mode, mx);
		s->policy_parsed = mtasts_policy_parse(&s->policy, body,
		    strlen(body)) == ST_OK;
		s->valid = s->policy_parsed && s->policy.valid;
	}
	c->a = c->h = "";
	put(c, "mtasts.txt", NULL, NULL, strcmp(mode, "absent") == 0 ?
	    CHECK_INFO : CHECK_PASS);
	put(c, "mtasts.policy.fetch", NULL, NULL, strcmp(mode, "absent") == 0 ?
	    CHECK_SKIP : CHECK_PASS);
	put(c, "mtasts.policy.cert", NULL, NULL, strcmp(mode, "absent") == 0 ?
	    CHECK_SKIP : CHECK_PASS);
	put(c, "mtasts.policy.syntax", NULL, NULL, strcmp(mode, "absent") == 0 ?
	    CHECK_SKIP : CHECK_PASS);
}

/* options - the probe options and target a row names */
static void
options(struct probe_result *r, const char *d)
{
	char v[128];

	probe_options_init(&r->opt);
	if (fact(d, "require", v, sizeof(v)) != NULL)
		for (char *t = v; *t != '\0';) {
			size_t len = strcspn(t, ",");
			bool last = t[len] == '\0';

			t[len] = '\0';
			if (probe_level_parse(t) >= 0)
				r->opt.require |= 1u << probe_level_parse(t);
			t += len + !last;
		}
	if (fact(d, "min_tls", v, sizeof(v)) != NULL)
		r->opt.min_tls = tls_version_of(v);
	r->opt.no_dane = fact(d, "no_dane", v, sizeof(v)) != NULL;
	r->opt.no_mta_sts = fact(d, "no_mta_sts", v, sizeof(v)) != NULL;
	if (fact(d, "tls_domain", v, sizeof(v)) != NULL)
		r->opt.tls_domain = "example.net";
	r->kind = fact(d, "host", v, sizeof(v)) != NULL ? TARGET_HOST : TARGET_DOMAIN;
}

/* build - a probe result holding the facts of spec, as the probe's check
 * modules would have left it before the verdicts */
static struct probe_result *
build(const struct spec *sp)
{
	static const char *const names[] = {
		"mx.example.org", "mx2.example.org", "mx3.example.org",
	};
	struct probe_result *r = calloc(1, sizeof(*r));
	struct ctx c = {r, "", "", sp->dom};
	unsigned next = 1;
	char v[64];

	if (r == NULL)
		return NULL;
	check_list_init(&r->checks);
	options(r, sp->dom);
	r->scan_ms = -1;
	if (r->kind == TARGET_HOST)
		r->host = strdup(names[0]);
	else
		r->domain = strdup("example.org");
	r->null_mx = fact(sp->dom, "null_mx", v, sizeof(v)) != NULL;
	r->have_mxans = r->kind != TARGET_HOST;
	if (fact(sp->dom, "bogus_mx", v, sizeof(v)) != NULL)
		r->mxans.dnssec = DNSSEC_BOGUS;
	if (r->kind != TARGET_HOST)
		put(&c, "dns.mx.lookup", NULL, NULL, CHECK_PASS);
	if (r->kind != TARGET_HOST && !r->opt.no_mta_sts)
		put_sts(&c);
	while (r->nmx < 3 && sp->host[r->nmx] != NULL)
		r->nmx++;
	if (r->nmx == 0 && !r->null_mx && r->mxans.dnssec != DNSSEC_BOGUS &&
	    fact(sp->dom, "nohost", v, sizeof(v)) == NULL)
		r->nmx = 1;
	r->mx = calloc(r->nmx ? r->nmx : 1, sizeof(*r->mx));
	for (size_t i = 0; r->mx != NULL && i < r->nmx; i++) {
		r->mx[i].name = strdup(names[i]);
		r->mx[i].order = (unsigned)i;
		c.h = sp->host[i] != NULL ? sp->host[i] : "";
		put_host(&c, &r->mx[i], sp->addr[i], &next);
	}
	return r;
}

/* ---- reading the verdicts -------------------------------------------- */

/* find_set - "level" (the strict rule) or "level/variant"; NULL when the
 * run does not judge it */
static const struct verdict_set *
find_set(const struct probe_result *r, const char *col)
{
	char lv[32];
	const char *slash = strchr(col, '/');
	int i;

	snprintf(lv, sizeof(lv), "%.*s", slash ? (int)(slash - col) : (int)strlen(col), col);
	if (r->levels == NULL || (i = probe_level_parse(lv)) < 0 || !r->levels[i].present)
		return NULL;
	if (slash == NULL)
		return &r->levels[i].strict;
	for (size_t k = 0; k < r->levels[i].nvariants; k++)
		if (strcmp(r->levels[i].variants[k].name, slash + 1) == 0)
			return &r->levels[i].variants[k];
	return NULL;
}

/*
 * word - an address outcome as a row writes it: "tls" (deliver over TLS,
 * no authentication), "clear" (cleartext), "pkix", "dane", or
 * "defer:REASON" / "unknown:REASON"; "@RULE" is added when the row's word
 * has one; "+wf" / "+ok" when would_fail is present (true / false).
 */
static void
word(const struct verdict_addr *v, bool with_rule, char *out, size_t len)
{
	char base[160];

	if (v->outcome == V_DELIVER)
		snprintf(base, sizeof(base), "%s", v->transport != NULL &&
		    strcmp(v->transport, "cleartext") == 0 ? "clear" :
		    strcmp(v->auth, "none") == 0 ? "tls" : v->auth);
	else
		snprintf(base, sizeof(base), "%s:%s", verdict_outcome_name(v->outcome),
		    v->reason ? v->reason : "(null)");
	snprintf(out, len, "%s%s%s%s", base, with_rule ? "@" : "",
	    with_rule ? v->rule : "", !v->has_would_fail ? "" :
	    v->would_fail ? "+wf" : "+ok");
}

/* ---- 12.1-12.5: one address, every level and variant ------------------ */

static const char *const columns[] = {
	"opportunistic", "opportunistic/cleartext_retry", "encrypt", "verify",
	"verify/chain", "verify/domain", "dane", "dane/opportunistic",
	"mta-sts", "mta-sts/sender", "secure", "secure/sender",
};
#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

struct addr_row {
	const char *name;     /* the checks.md rule the row shows */
	const char *facts;    /* the one host and its one address */
	const char *expect;   /* one word per column, "-" = not judged */
};

/* Every level delivers: a host in DANE state dane-auth under an enforced
 * MTA-STS policy that names it, TLS 1.3, a trusted SAN match. */
#define ALL_GOOD "tls tls tls pkix pkix pkix dane dane pkix pkix dane dane"

static const struct addr_row addr_rows[] = {
	/*                                 opp  retry encr  verify chain domain
	 *                                 dane dane/opp mta-sts sender secure sender */
	{"12.3 every level delivers", "", ALL_GOOD},
	{"12.1 reach: connection refused, the family reachable (fail)",
	    "smtp.connect=fail",
	    "defer:smtp.connect defer:smtp.connect defer:smtp.connect "
	    "defer:smtp.connect defer:smtp.connect defer:smtp.connect "
	    "defer:smtp.connect defer:smtp.connect defer:smtp.connect "
	    "defer:smtp.connect defer:smtp.connect defer:smtp.connect"},
	{"12.1 unknown: a check with status error (connect)",
	    "smtp.connect=error",
	    "unknown:smtp.connect unknown:smtp.connect unknown:smtp.connect "
	    "unknown:smtp.connect unknown:smtp.connect unknown:smtp.connect "
	    "unknown:smtp.connect unknown:smtp.connect unknown:smtp.connect "
	    "unknown:smtp.connect unknown:smtp.connect unknown:smtp.connect"},
	{"12.1 unknown: every fact of an address without a local route",
	    "smtp.connect=skip",
	    "unknown:smtp.connect unknown:smtp.connect unknown:smtp.connect "
	    "unknown:smtp.connect unknown:smtp.connect unknown:smtp.connect "
	    "unknown:smtp.connect unknown:smtp.connect unknown:smtp.connect "
	    "unknown:smtp.connect unknown:smtp.connect unknown:smtp.connect"},
	{"12.1 unknown: no banner in time (error), the rest skipped behind it",
	    "smtp.banner=error",
	    "unknown:smtp.banner unknown:smtp.banner unknown:smtp.banner "
	    "unknown:smtp.banner unknown:smtp.banner unknown:smtp.banner "
	    "unknown:smtp.banner unknown:smtp.banner unknown:smtp.banner "
	    "unknown:smtp.banner unknown:smtp.banner unknown:smtp.banner"},
	{"12.1 reach: banner and EHLO with warn still reach",
	    "smtp.banner=warn smtp.ehlo=warn", ALL_GOOD},
	{"12.3 EHLO refused: no level delivers", "smtp.ehlo=fail",
	    "defer:smtp.ehlo defer:smtp.ehlo defer:smtp.ehlo defer:smtp.ehlo "
	    "defer:smtp.ehlo defer:smtp.ehlo defer:smtp.ehlo defer:smtp.ehlo "
	    "defer:smtp.ehlo defer:smtp.ehlo defer:smtp.ehlo defer:smtp.ehlo"},
	{"12.3 opportunistic: no STARTTLS offered, cleartext (no_starttls)",
	    "smtp.starttls.offered=fail",
	    "clear clear defer:smtp.starttls.offered defer:smtp.starttls.offered "
	    "defer:smtp.starttls.offered defer:smtp.starttls.offered "
	    "defer:smtp.starttls.offered defer:smtp.starttls.offered "
	    "defer:smtp.starttls.offered defer:smtp.starttls.offered "
	    "defer:smtp.starttls.offered defer:smtp.starttls.offered"},
	{"12.1 no_starttls: STARTTLS refused with a reply code, cleartext",
	    "smtp.starttls.response=fail starttls_code=454",
	    "clear clear defer:smtp.starttls.response defer:smtp.starttls.response "
	    "defer:smtp.starttls.response defer:smtp.starttls.response "
	    "defer:smtp.starttls.response defer:smtp.starttls.response "
	    "defer:smtp.starttls.response defer:smtp.starttls.response "
	    "defer:smtp.starttls.response defer:smtp.starttls.response"},
	{"12.3 opportunistic: STARTTLS answered by a closed connection defers",
	    "smtp.starttls.response=fail",
	    "defer:smtp.starttls.response defer:smtp.starttls.response "
	    "defer:smtp.starttls.response defer:smtp.starttls.response "
	    "defer:smtp.starttls.response defer:smtp.starttls.response "
	    "defer:smtp.starttls.response defer:smtp.starttls.response "
	    "defer:smtp.starttls.response defer:smtp.starttls.response "
	    "defer:smtp.starttls.response defer:smtp.starttls.response"},
	{"12.1 unknown: no reply to STARTTLS in time",
	    "smtp.starttls.response=error",
	    "unknown:smtp.starttls.response unknown:smtp.starttls.response "
	    "unknown:smtp.starttls.response unknown:smtp.starttls.response "
	    "unknown:smtp.starttls.response unknown:smtp.starttls.response "
	    "unknown:smtp.starttls.response unknown:smtp.starttls.response "
	    "unknown:smtp.starttls.response unknown:smtp.starttls.response "
	    "unknown:smtp.starttls.response unknown:smtp.starttls.response"},
	{"12.4 cleartext_retry: a failed handshake is retried in cleartext",
	    "tls.handshake=fail",
	    "defer:tls.handshake clear defer:tls.handshake defer:tls.handshake "
	    "defer:tls.handshake defer:tls.handshake defer:tls.handshake "
	    "defer:tls.handshake defer:tls.handshake defer:tls.handshake "
	    "defer:tls.handshake defer:tls.handshake"},
	{"12.1 unknown: a handshake timeout (no cleartext retry either)",
	    "tls.handshake=error",
	    "unknown:tls.handshake unknown:tls.handshake unknown:tls.handshake "
	    "unknown:tls.handshake unknown:tls.handshake unknown:tls.handshake "
	    "unknown:tls.handshake unknown:tls.handshake unknown:tls.handshake "
	    "unknown:tls.handshake unknown:tls.handshake unknown:tls.handshake"},
	{"12.1 tls: EHLO refused after TLS (not a handshake failure)",
	    "smtp.ehlo.after_tls=fail",
	    "defer:smtp.ehlo.after_tls defer:smtp.ehlo.after_tls "
	    "defer:smtp.ehlo.after_tls defer:smtp.ehlo.after_tls "
	    "defer:smtp.ehlo.after_tls defer:smtp.ehlo.after_tls "
	    "defer:smtp.ehlo.after_tls defer:smtp.ehlo.after_tls "
	    "defer:smtp.ehlo.after_tls defer:smtp.ehlo.after_tls "
	    "defer:smtp.ehlo.after_tls defer:smtp.ehlo.after_tls"},
	{"12.1 floor: TLS 1.1 under the default floor (TLS 1.2)", "version=1.1",
	    "tls tls defer:tls.version defer:tls.version defer:tls.version "
	    "defer:tls.version defer:tls.version defer:tls.version "
	    "defer:tls.version defer:tls.version defer:tls.version defer:tls.version"},
	{"12.3 --min-tls 1.0: TLS 1.1 meets the floor, never mta-sts",
	    "min_tls=1.0 version=1.1",
	    "tls tls tls pkix pkix pkix dane dane defer:tls.version "
	    "defer:tls.version dane dane"},
	{"12.3 mta-sts: TLS 1.2 is enough whatever --min-tls says",
	    "min_tls=1.3 version=1.2",
	    "tls tls defer:tls.version defer:tls.version defer:tls.version "
	    "defer:tls.version defer:tls.version defer:tls.version pkix pkix "
	    "defer:tls.version defer:tls.version"},
	{"12.3 secure: a host without DANE takes the mta-sts rule",
	    "min_tls=1.3 version=1.2 dane.tlsa.lookup=info",
	    "tls tls defer:tls.version defer:tls.version defer:tls.version "
	    "defer:tls.version defer:dane.tlsa.lookup tls@opportunistic pkix pkix "
	    "pkix@mta-sts pkix@mta-sts"},
	{"12.1 pkix: an untrusted chain (warn when PKIX is not expected)",
	    "cert.chain.trusted=warn",
	    "tls tls tls defer:cert.chain.trusted defer:cert.chain.trusted "
	    "defer:cert.chain.trusted dane dane defer:cert.chain.trusted "
	    "defer:cert.chain.trusted dane dane"},
	{"12.1 unknown: the chain could not be analysed (error)",
	    "cert.chain.trusted=error cert.name.match=error cert.name.nexthop=error",
	    "tls tls tls unknown:cert.chain.trusted unknown:cert.chain.trusted "
	    "unknown:cert.chain.trusted dane dane unknown:cert.chain.trusted "
	    "unknown:cert.chain.trusted dane dane"},
	{"12.1 pkix: a certificate on the path outside its validity",
	    "validity=no",
	    "tls tls tls defer:cert.expiry defer:cert.expiry defer:cert.expiry "
	    "dane dane defer:cert.expiry defer:cert.expiry dane dane"},
	{"12.1 name_mx via CN: verify yes, san_mx (mta-sts) no",
	    "via=cn cert.name.match=warn",
	    "tls tls tls pkix pkix pkix dane dane defer:cert.name.match "
	    "defer:cert.name.match dane dane"},
	{"12.1 name_mx: no name matches; 12.4 chain has no name check",
	    "via=none cert.name.match=fail",
	    "tls tls tls defer:cert.name.match pkix pkix dane dane "
	    "defer:cert.name.match defer:cert.name.match dane dane"},
	{"12.4 verify domain: name_dom (cert.name.nexthop) must pass",
	    "cert.name.nexthop=warn",
	    "tls tls tls pkix pkix defer:cert.name.nexthop dane dane pkix pkix "
	    "dane dane"},
	{"12.3 dane_ok: no usable record matches; 12.5 MTA-STS cannot rescue it",
	    "dane.tlsa.match=fail",
	    "tls tls tls pkix pkix pkix defer:dane.tlsa.match defer:dane.tlsa.match "
	    "pkix pkix defer:dane.tlsa.match defer:dane.tlsa.match"},
	{"12.2 dane-unusable: dane defers, its variant encrypts, secure mta-sts",
	    "dane.tlsa.usable=fail",
	    "tls tls tls pkix pkix pkix defer:dane.tlsa.usable tls@encrypt pkix "
	    "pkix pkix@mta-sts pkix@mta-sts"},
	{"12.5 step 4: dane-unusable without MTA-STS takes the encrypt rule",
	    "dane.tlsa.usable=fail sts=absent",
	    "tls tls tls pkix pkix pkix defer:dane.tlsa.usable tls@encrypt "
	    "defer:mtasts.txt tls@opportunistic defer:mtasts.txt@mta-sts "
	    "tls@encrypt"},
	{"12.2 no-dane (no TLSA records): the DANE variant is opportunistic",
	    "dane.tlsa.lookup=info",
	    "tls tls tls pkix pkix pkix defer:dane.tlsa.lookup tls@opportunistic "
	    "pkix pkix pkix@mta-sts pkix@mta-sts"},
	{"12.2 no-dane: TLSA records in an insecure answer (warn)",
	    "dane.tlsa.lookup=warn",
	    "tls tls tls pkix pkix pkix defer:dane.tlsa.lookup tls@opportunistic "
	    "pkix pkix pkix@mta-sts pkix@mta-sts"},
	{"12.2 no-dane: insecure address records", "dns.mx.addr.dnssec=warn",
	    "tls tls tls pkix pkix pkix defer:dns.mx.addr.dnssec tls@opportunistic "
	    "pkix pkix pkix@mta-sts pkix@mta-sts"},
	/* RFC 7672 2.2.2 (man page DEVIATIONS): the MX host name is a secure
	 * CNAME into an unsigned zone, so the TLSA lookup at the alias still
	 * counts although the address records are insecure. */
	{"RFC 7672 2.2.2: insecure addresses behind a secure alias keep DANE",
	    "dns.mx.addr.dnssec=warn dane.tlsa.lookup=pass dane.tlsa.usable=pass",
	    ALL_GOOD},
	{"12.2 dane-broken (TLSA lookup failed): MTA-STS alone still delivers",
	    "dane.tlsa.lookup=fail",
	    "tls tls tls pkix pkix pkix defer:dane.tlsa.lookup "
	    "defer:dane.tlsa.lookup pkix pkix defer:dane.tlsa.lookup@dane "
	    "defer:dane.tlsa.lookup@dane"},
	{"12.2 dane-broken: bogus address records", "dns.mx.addr.dnssec=fail",
	    "tls tls tls pkix pkix pkix defer:dns.mx.addr.dnssec "
	    "defer:dns.mx.addr.dnssec pkix pkix defer:dns.mx.addr.dnssec "
	    "defer:dns.mx.addr.dnssec"},
	{"12.3 dane-unknown: every dane and secure outcome is unknown",
	    "dane.tlsa.lookup=error",
	    "tls tls tls pkix pkix pkix unknown:dane.tlsa.lookup "
	    "unknown:dane.tlsa.lookup pkix pkix unknown:dane.tlsa.lookup "
	    "unknown:dane.tlsa.lookup"},
	{"12.2 dane-unknown: the address records' DNSSEC status is unknown",
	    "dns.mx.addr.dnssec=error",
	    "tls tls tls pkix pkix pkix unknown:dns.mx.addr.dnssec "
	    "unknown:dns.mx.addr.dnssec pkix pkix unknown:dns.mx.addr.dnssec "
	    "unknown:dns.mx.addr.dnssec"},
	{"12.3 dane: the DANE state is read before the address is",
	    "dane.tlsa.lookup=info smtp.connect=error",
	    "unknown:smtp.connect unknown:smtp.connect unknown:smtp.connect "
	    "unknown:smtp.connect unknown:smtp.connect unknown:smtp.connect "
	    "defer:dane.tlsa.lookup unknown:smtp.connect@opportunistic "
	    "unknown:smtp.connect unknown:smtp.connect "
	    "unknown:smtp.connect@mta-sts unknown:smtp.connect@mta-sts"},
	{"12.4 mta-sts sender under testing: opportunistic, would_fail false",
	    "sts=testing",
	    "tls tls tls pkix pkix pkix dane dane defer:mtasts.policy.mode "
	    "tls@opportunistic+ok dane dane+ok"},
	{"12.4 would_fail: the strict rule read as enforce defers",
	    "sts=testing via=none cert.name.match=fail",
	    "tls tls tls defer:cert.name.match pkix pkix dane dane "
	    "defer:mtasts.policy.mode tls@opportunistic+wf dane dane+wf"},
	{"12.5 step 5: no-dane under testing, opportunistic with would_fail",
	    "sts=testing via=none cert.name.match=fail dane.tlsa.lookup=info",
	    "tls tls tls defer:cert.name.match pkix pkix defer:dane.tlsa.lookup "
	    "tls@opportunistic defer:mtasts.policy.mode tls@opportunistic+wf "
	    "defer:mtasts.policy.mode@mta-sts tls@opportunistic+wf"},
	{"12.3 mta-sts: mode none defers, its sender is opportunistic", "sts=none",
	    "tls tls tls pkix pkix pkix dane dane defer:mtasts.policy.mode "
	    "tls@opportunistic dane dane"},
	{"12.3 mta-sts: no policy published", "sts=absent",
	    "tls tls tls pkix pkix pkix dane dane defer:mtasts.txt "
	    "tls@opportunistic dane dane"},
	{"12.3 sts_mx: host not in the policy; 12.5 step 1: DANE hosts exempt",
	    "sts_mx=other.example.org",
	    "tls tls tls pkix pkix pkix dane dane defer:mtasts.mx.match "
	    "defer:mtasts.mx.match dane dane"},
	{"12.5 step 3: without DANE the policy's mx patterns apply",
	    "sts_mx=other.example.org dane.tlsa.lookup=info",
	    "tls tls tls pkix pkix pkix defer:dane.tlsa.lookup tls@opportunistic "
	    "defer:mtasts.mx.match defer:mtasts.mx.match defer:mtasts.mx.match "
	    "defer:mtasts.mx.match"},
	{"12.1 sts unknown: the policy fetch timed out (error)",
	    "sts=invalid mtasts.policy.fetch=error mtasts.policy.cert=skip "
	    "mtasts.policy.syntax=skip",
	    "tls tls tls pkix pkix pkix dane dane unknown:mtasts.policy.fetch "
	    "unknown:mtasts.policy.fetch@mta-sts dane dane"},
	{"12.5 step 3: an unknown policy leaves a host without DANE unknown",
	    "sts=invalid mtasts.policy.fetch=error mtasts.policy.cert=skip "
	    "mtasts.policy.syntax=skip dane.tlsa.lookup=info",
	    "tls tls tls pkix pkix pkix defer:dane.tlsa.lookup tls@opportunistic "
	    "unknown:mtasts.policy.fetch unknown:mtasts.policy.fetch "
	    "unknown:mtasts.policy.fetch@mta-sts unknown:mtasts.policy.fetch@mta-sts"},
	{"12.1 sts: the policy host's certificate fails, the fetch skipped behind",
	    "sts=invalid mtasts.policy.fetch=skip mtasts.policy.cert=fail "
	    "mtasts.policy.syntax=skip",
	    "tls tls tls pkix pkix pkix dane dane defer:mtasts.policy.cert "
	    "tls@opportunistic dane dane"},
	{"12.1 sts unknown: the MTA-STS TXT lookup failed",
	    "sts=invalid mtasts.txt=error mtasts.policy.fetch=skip "
	    "mtasts.policy.cert=skip mtasts.policy.syntax=skip",
	    "tls tls tls pkix pkix pkix dane dane unknown:mtasts.txt "
	    "unknown:mtasts.txt dane dane"},
	{"12.1 sts: a policy with a fatal syntax problem",
	    "sts=invalid mtasts.policy.syntax=fail",
	    "tls tls tls pkix pkix pkix dane dane defer:mtasts.policy.syntax "
	    "tls@opportunistic dane dane"},
	{"1.3 --no-dane leaves out dane and secure", "no_dane",
	    "tls tls tls pkix pkix pkix - - pkix pkix - -"},
	{"1.3 --no-mta-sts leaves out mta-sts and secure", "no_mta_sts",
	    "tls tls tls pkix pkix pkix dane dane - - - -"},
	{"12.4 --host: no next-hop domain, no domain levels", "host",
	    "tls tls tls pkix pkix - - - - - - -"},
	{"12.4 --host --tls-domain: the domain variant returns",
	    "host tls_domain", "tls tls tls pkix pkix pkix - - - - - -"},
};

static void
addr_row_run(const struct addr_row *row)
{
	struct spec sp = {.dom = row->facts, .host = {""}};
	struct probe_result *r = build(&sp);
	char name[300], err[200] = "", want[160], seen[200];
	const char *p = row->expect;
	enum st_err e;

	e = verdict_run(r, err, sizeof(err));
	snprintf(name, sizeof(name), "%s: verdict_run", row->name);
	unit_eq_str(name, "success", e == ST_OK ? "success" : err);
	for (size_t i = 0; i < NCOLUMNS; i++) {
		const struct verdict_set *s = find_set(r, columns[i]);
		size_t wlen = strcspn(p, " ");

		snprintf(want, sizeof(want), "%.*s", (int)wlen, p);
		p += wlen + (p[wlen] == ' ');
		if (s == NULL)
			snprintf(seen, sizeof(seen), "-");
		else if (s->n != 1)
			snprintf(seen, sizeof(seen), "%zu addresses", s->n);
		else
			word(&s->addrs[0], strchr(want, '@') != NULL, seen, sizeof(seen));
		snprintf(name, sizeof(name), "%s: %s", row->name, columns[i]);
		unit_eq_str(name, want, seen);
	}
	probe_result_free(r);
}

/* ---- 12.6: from addresses to the domain -------------------------------- */

struct domain_row {
	const char *name;
	struct spec spec;
	const char *expect;   /* "column=outcome ..." */
};

static const struct domain_row domain_rows[] = {
	{"12.6 deliver: every address delivers", {"", {"", ""}, {{NULL}}},
	    "opportunistic=deliver encrypt=deliver dane=deliver"},
	{"12.6 partial: one host without STARTTLS",
	    {"", {"", "smtp.starttls.offered=fail"}, {{NULL}}},
	    "opportunistic=deliver encrypt=partial verify=partial"},
	{"12.6 deliver: an unknown address does not prevent it",
	    {"", {""}, {{"", "smtp.connect=error"}}},
	    "opportunistic=deliver encrypt=deliver"},
	{"12.6 unknown: nothing delivers and one address is unknown",
	    {"", {"smtp.starttls.offered=fail", "smtp.connect=error"}, {{NULL}}},
	    "opportunistic=deliver encrypt=unknown verify=unknown"},
	{"12.6 defer: nothing delivers and nothing is unknown",
	    {"", {"smtp.connect=fail", "smtp.ehlo=fail"}, {{NULL}}},
	    "opportunistic=defer encrypt=defer mta-sts=defer"},
	{"12.6 no-mail: a null MX", {"null_mx", {NULL}, {{NULL}}},
	    "opportunistic=no-mail encrypt=no-mail dane=no-mail secure/sender=no-mail"},
	{"12.1 a bogus MX RRset defers every level",
	    {"bogus_mx dns.mx.lookup=fail", {NULL}, {{NULL}}},
	    "opportunistic=defer encrypt=defer verify=defer"},
	{"12.6 no address to count: the MX lookup failed (error)",
	    {"dns.mx.lookup=error nohost", {NULL}, {{NULL}}},
	    "opportunistic=unknown encrypt=unknown"},
	{"12.6 no address to count: a host's address lookup failed (error)",
	    {"", {"noaddr dns.mx.target.resolves=error"}, {{NULL}}},
	    "opportunistic=unknown dane=unknown"},
	{"12.6 no address to count, nothing failed to answer: defer",
	    {"", {"noaddr dns.mx.target.resolves=fail"}, {{NULL}}},
	    "opportunistic=defer dane=defer"},
	{"12.6 DANE on one of two hosts: dane partial, its variant delivers",
	    {"", {"", "dane.tlsa.lookup=info"}, {{NULL}}},
	    "dane=partial dane/opportunistic=deliver secure=deliver"},
};

static void
domain_row_run(const struct domain_row *row)
{
	struct probe_result *r = build(&row->spec);
	char name[300], err[200] = "", col[64], want[32];
	const char *p = row->expect;
	enum st_err e = verdict_run(r, err, sizeof(err));

	snprintf(name, sizeof(name), "%s: verdict_run", row->name);
	unit_eq_str(name, "success", e == ST_OK ? "success" : err);
	while (*p != '\0') {
		size_t wlen = strcspn(p, " "), klen = strcspn(p, "=");
		const struct verdict_set *s;

		snprintf(col, sizeof(col), "%.*s", (int)klen, p);
		snprintf(want, sizeof(want), "%.*s", (int)(wlen - klen - 1), p + klen + 1);
		p += wlen + (p[wlen] == ' ');
		s = find_set(r, col);
		snprintf(name, sizeof(name), "%s: %s", row->name, col);
		unit_eq_str(name, want, s ? verdict_outcome_name(s->outcome) : "-");
	}
	probe_result_free(r);
}

/* ---- 12.7: the policy.* checks -------------------------------------- */

struct policy_row {
	const char *name;
	struct spec spec;
	const char *expect;   /* "level=status/expectation/judged_on ...",
	                         "-" for a null expectation */
};

static const struct policy_row policy_rows[] = {
	{"12.7 nothing required, DANE and enforce published, all deliver",
	    {"", {""}, {{NULL}}},
	    "opportunistic=pass/always/strict encrypt=pass/-/strict "
	    "verify=pass/-/strict dane=pass/published/opportunistic "
	    "mta-sts=pass/published/strict secure=pass/published/sender"},
	{"12.7 required: --require verify with a name mismatch fails",
	    {"require=verify via=none cert.name.match=fail", {""}, {{NULL}}},
	    "verify=fail/required/strict encrypt=pass/-/strict"},
	{"12.7 not required: encrypt and verify defer as info",
	    {"smtp.starttls.offered=fail", {""}, {{NULL}}},
	    "opportunistic=pass/always/strict encrypt=info/-/strict "
	    "verify=info/-/strict dane=fail/published/opportunistic "
	    "mta-sts=fail/published/strict secure=fail/published/sender"},
	{"12.7 opportunistic, always required: partial warns",
	    {"", {"", "smtp.connect=fail"}, {{NULL}}},
	    "opportunistic=warn/always/strict"},
	{"12.7 opportunistic named by --require: partial fails",
	    {"require=opportunistic", {"", "smtp.connect=fail"}, {{NULL}}},
	    "opportunistic=fail/required/strict"},
	{"12.7 mta-sts testing: some would_fail warns",
	    {"sts=testing via=none cert.name.match=fail", {""}, {{NULL}}},
	    "mta-sts=warn/published/sender secure=pass/published/sender"},
	{"12.7 mta-sts testing: no would_fail passes", {"sts=testing", {""}, {{NULL}}},
	    "mta-sts=pass/published/sender"},
	{"12.7 nothing published: dane, mta-sts and secure are info",
	    {"dane.tlsa.lookup=info sts=absent", {""}, {{NULL}}},
	    "dane=info/-/strict mta-sts=info/-/strict secure=info/-/strict"},
	{"12.7 an unknown outcome gives error, in every row",
	    {"smtp.connect=error", {""}, {{NULL}}},
	    "opportunistic=error/always/strict encrypt=error/-/strict "
	    "dane=error/published/opportunistic mta-sts=error/published/strict"},
	{"12.7 the row's variant decides, not the strict rule (unknown)",
	    {"", {"dane.tlsa.lookup=info", "smtp.connect=error"}, {{NULL}}},
	    "dane=pass/published/opportunistic"},
	{"12.7 no-mail gives info", {"null_mx", {NULL}, {{NULL}}},
	    "opportunistic=info/always/strict encrypt=info/-/strict "
	    "dane=info/-/strict mta-sts=info/published/strict"},
	{"12.7 --require dane: the strict rule, a host without DANE fails",
	    {"require=dane dane.tlsa.lookup=info", {""}, {{NULL}}},
	    "dane=fail/required/strict"},
	{"12.7 --require mta-sts: testing is not enforce",
	    {"require=mta-sts sts=testing", {""}, {{NULL}}},
	    "mta-sts=fail/required/strict"},
};

static void
policy_row_run(const struct policy_row *row)
{
	struct probe_result *r = build(&row->spec);
	char name[300], err[200] = "", lv[32], want[80], seen[120];
	const char *p = row->expect;
	enum st_err e = verdict_run(r, err, sizeof(err));

	snprintf(name, sizeof(name), "%s: verdict_run", row->name);
	unit_eq_str(name, "success", e == ST_OK ? "success" : err);
	while (e == ST_OK && *p != '\0') {
		size_t wlen = strcspn(p, " "), klen = strcspn(p, "=");
		int i;

		snprintf(lv, sizeof(lv), "%.*s", (int)klen, p);
		snprintf(want, sizeof(want), "%.*s", (int)(wlen - klen - 1), p + klen + 1);
		p += wlen + (p[wlen] == ' ');
		if ((i = probe_level_parse(lv)) < 0 || !r->levels[i].present)
			snprintf(seen, sizeof(seen), "-");
		else {
			const struct verdict_level *L = &r->levels[i];
			char id[40];
			const struct check_result *c = NULL;
			enum check_id ck;

			/* The policy.* result carries the level's status. */
			snprintf(id, sizeof(id), "policy.%s", i == LEVEL_MTASTS ?
			    "mtasts" : lv);
			if (check_id_parse(id, &ck))
				c = check_find(&r->checks, ck, NULL, NULL);
			snprintf(seen, sizeof(seen), "%s/%s/%s%s",
			    check_status_name(L->status), L->expectation ?
			    L->expectation : "-", L->judged_on, c == NULL ? " (no check)" :
			    c->status != L->status ? " (check differs)" : "");
		}
		snprintf(name, sizeof(name), "%s: %s", row->name, lv);
		unit_eq_str(name, want, seen);
	}
	probe_result_free(r);
}

/* ---- an incomplete list is an error, never a verdict ---------------- */

struct error_row {
	const char *name;
	const char *facts;
	enum st_err recorded;  /* failure already in the list, or ST_OK */
	enum st_err want;
	const char *msg;       /* part of errmsg, or NULL */
};

static const struct error_row error_rows[] = {
	{"12.1 a missing address result is a bug, not a skip", "tls.handshake=absent",
	    ST_OK, ST_ERR_INTERNAL, "no tls.handshake result for mx.example.org[192.0.2.1]"},
	{"12.2 a missing dane.tlsa.usable does not read as dane-auth",
	    "dane.tlsa.usable=absent", ST_OK, ST_ERR_INTERNAL, "dane.tlsa.usable"},
	{"12.1 sts: a missing MTA-STS result", "mtasts.policy.fetch=absent",
	    ST_OK, ST_ERR_INTERNAL, "mtasts.policy.fetch"},
	{"12.6 a missing dns.mx.lookup", "dns.mx.lookup=absent", ST_OK,
	    ST_ERR_INTERNAL, "dns.mx.lookup"},
	{"12.4 a missing cert.name.nexthop with a next-hop domain",
	    "cert.name.nexthop=absent", ST_OK, ST_ERR_INTERNAL, "cert.name.nexthop"},
	{"absent by design: an address literal has no DNS results", "host literal",
	    ST_OK, ST_OK, NULL},
	{"absent by design: --no-dane records no dane.*", "no_dane", ST_OK, ST_OK,
	    NULL},
	{"absent by design: --no-mta-sts records no mtasts.*", "no_mta_sts", ST_OK,
	    ST_OK, NULL},
	{"a failure the checks recorded: nothing is judged", "", ST_ERR_NOMEM,
	    ST_ERR_NOMEM, NULL},
	{"a recorded failure outranks the result it lost", "tls.handshake=absent",
	    ST_ERR_NOMEM, ST_ERR_NOMEM, NULL},
};

static void
error_row_run(const struct error_row *row)
{
	struct spec sp = {.dom = row->facts, .host = {""}};
	struct probe_result *r = build(&sp);
	char name[300], err[200] = "";
	enum st_err e;

	if (row->recorded != ST_OK)
		check_list_set_error(&r->checks, row->recorded);
	e = verdict_run(r, err, sizeof(err));
	snprintf(name, sizeof(name), "%s: code", row->name);
	unit_eq_str(name, st_strerror(row->want), st_strerror(e));
	snprintf(name, sizeof(name), "%s: errmsg", row->name);
	unit_eq_long(name, 1, row->msg == NULL || strstr(err, row->msg) != NULL);
	if (row->recorded != ST_OK) {
		snprintf(name, sizeof(name), "%s: no verdicts", row->name);
		unit_eq_long(name, 1, r->levels == NULL);
	}
	probe_result_free(r);
}

int
main(void)
{
	for (size_t i = 0; i < sizeof(addr_rows) / sizeof(addr_rows[0]); i++)
		addr_row_run(&addr_rows[i]);
	for (size_t i = 0; i < sizeof(domain_rows) / sizeof(domain_rows[0]); i++)
		domain_row_run(&domain_rows[i]);
	for (size_t i = 0; i < sizeof(policy_rows) / sizeof(policy_rows[0]); i++)
		policy_row_run(&policy_rows[i]);
	for (size_t i = 0; i < sizeof(error_rows) / sizeof(error_rows[0]); i++)
		error_row_run(&error_rows[i]);
	return unit_exit();
}
