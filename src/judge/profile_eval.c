/*
 * profile_eval.c - grade one address's facts against one requirement of a
 * compliance profile (profile.h). Pure: facts in, outcome out; it knows
 * the kinds of facts, never a standard (the tables do).
 */
#include "profile.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "banned.h"

#define NAMES_MAX (PROF_SUITES_MAX + PROF_CERTS_MAX)

const char *
prof_tier_name(enum prof_tier t)
{
	static const char *const n[TIER__COUNT] = {
		NULL,
		"good",
		"sufficient",
		"phase-out",
		"insufficient",
	};

	return (int)t >= 0 && t < TIER__COUNT ? n[t] : NULL;
}

const char *
prof_res_name(enum prof_res r)
{
	static const char *const n[PR__COUNT] = {
		"pass",
		"fail",
		"not-applicable",
		"not-testable",
	};

	return (int)r >= 0 && r < PR__COUNT ? n[r] : "?";
}

const char *
prof_level_name(enum prof_level l)
{
	return l == PL_REQUIRED      ? "required"
	       : l == PL_RECOMMENDED ? "recommended"
	                             : "optional";
}

const char *
prof_fact_name(enum prof_fact f)
{
	static const char *const n[PF__COUNT] = {
		"versions",
		"tls1_2",
		"tls1_3",
		"suites",
		"anonymous_suites",
		"cipher_order",
		"groups",
		"dhe",
		"kex_hash",
		"compression",
		"renegotiation_secure",
		"renegotiation_client",
		"ems",
		"sni",
		"cert_key",
		"cert_signature",
		"dane_exists",
		"dane_valid",
		"dane_rollover",
		"dnssec_mx",
	};

	return (int)f >= 0 && f < PF__COUNT ? n[f] : "?";
}

void
prof_facts_init(struct prof_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->dhe_bits = -1;
}

/* name_matches - one pattern of a match table (profile.h) */
static bool
name_matches(const char *pat, const char *name)
{
	size_t pl = strlen(pat), nl = strlen(name);

	if (pl >= 2 && pat[0] == '*' && pat[pl - 1] == '*') {
		for (size_t i = 0; i + (pl - 2) <= nl; i++)
			if (strncasecmp(name + i, pat + 1, pl - 2) == 0)
				return true;
		return false;
	}
	if (pl >= 1 && pat[pl - 1] == '*')
		return nl >= pl - 1 && strncasecmp(name, pat, pl - 1) == 0;
	return strcasecmp(pat, name) == 0;
}

static enum prof_tier
table_tier(const struct prof_match *m, size_t n, enum prof_tier other,
    const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (name_matches(m[i].pattern, name))
			return m[i].tier;
	return other;
}

static enum prof_tier
bits_tier(const struct prof_bits *b, int bits)
{
	if (bits >= b->good)
		return TIER_GOOD;
	if (bits >= b->ok)
		return b->ok_tier;
	return TIER_INSUFFICIENT;
}

/* A list of names with a size for sized ones (bits < 0: none). */
struct names {
	const char *v[NAMES_MAX];
	int bits[NAMES_MAX];
	size_t n;
	enum prof_res stop; /* PR_PASS: grade the names */
	const char *why;    /* with stop: the evidence */
};

static void
add(struct names *nm, const char *name, int bits)
{
	if (nm->n < NAMES_MAX) {
		nm->bits[nm->n] = bits;
		nm->v[nm->n++] = name;
	}
}

static void
stop(struct names *nm, enum prof_res r, const char *why)
{
	nm->stop = r;
	nm->why = why;
}

static const char *const ver_key[6] = { "ssl2", "ssl3", "tls1", "tls1_1",
	"tls1_2", "tls1_3" };

/* below13 - did the server accept a version that has renegotiation,
 * ServerKeyExchange signatures and compression (TLS <= 1.2)? */
static enum prof_tri
below13(const struct prof_facts *f)
{
	bool unknown = false;

	for (int v = 0; v < 5; v++) {
		if (f->versions[v] == PT_YES)
			return PT_YES;
		/* SSL 2/3 stay untested by design: they do not make the
		 * answer unknown when TLS 1.0-1.2 were all refused. */
		if (f->versions[v] == PT_UNKNOWN && v >= 2)
			unknown = true;
	}
	return unknown ? PT_UNKNOWN : PT_NO;
}

static void
yes_no(struct names *nm, enum prof_tri t, const char *yes, const char *no,
    const char *unknown_why)
{
	if (t == PT_UNKNOWN)
		stop(nm, PR_UNTESTABLE, unknown_why);
	else
		add(nm, t == PT_YES ? yes : no, -1);
}

/* tls12_only - facts that exist for TLS <= 1.2 only */
static bool
tls12_only(struct names *nm, const struct prof_facts *f)
{
	enum prof_tri b = below13(f);

	if (!f->scanned || b == PT_UNKNOWN) {
		stop(nm, PR_UNTESTABLE, "the versions were not measured");
		return false;
	}
	if (b == PT_NO) {
		stop(nm, PR_NA, "no TLS version below 1.3 accepted");
		return false;
	}
	return true;
}

static void
names_versions(struct names *nm, const struct prof_facts *f)
{
	if (!f->scanned) {
		stop(nm, PR_UNTESTABLE, "no deep scan of this address");
		return;
	}
	for (int v = 0; v < 6; v++)
		if (f->versions[v] == PT_YES)
			add(nm, ver_key[v], -1);
	if (nm->n == 0)
		stop(nm, PR_UNTESTABLE, "no version accepted in the scan");
}

static void
names_suites(struct names *nm, const struct prof_facts *f, bool anon)
{
	size_t n = anon ? f->nanon : f->nsuites;

	if (!f->scanned) {
		stop(nm, PR_UNTESTABLE, "no deep scan of this address");
		return;
	}
	for (size_t i = 0; i < n; i++)
		add(nm, anon ? f->anon[i] : f->suites[i], -1);
	/* no anonymous suite: a name the table grades (met) */
	if (nm->n == 0 && anon)
		add(nm, "none", -1);
	if (nm->n == 0)
		stop(nm, PR_UNTESTABLE, "no suite accepted in the scan");
}

/* names_order - ORDER: not applicable when the TLS 1.2 suites are all of
 * the best tier the server offers (nothing worse to prefer) */
static void
names_order(struct names *nm, const struct prof_req *q,
    const struct prof_facts *f)
{
	enum prof_tier lo = TIER_NONE, hi = TIER_NONE;
	size_t n12 = 0;

	if (!f->scanned) {
		stop(nm, PR_UNTESTABLE, "no deep scan of this address");
		return;
	}
	for (size_t i = 0; i < f->nsuites; i++) {
		enum prof_tier t;

		if (f->suite_ver[i] != 4)
			continue;
		n12++;
		t = table_tier(q->ref, q->nref, q->ref_other, f->suites[i]);
		if (lo == TIER_NONE || t < lo)
			lo = t;
		if (t > hi)
			hi = t;
	}
	if (n12 < 2 || lo == hi) {
		stop(nm, PR_NA,
		    n12 < 2 ? "fewer than two TLS 1.2 suites"
		            : "all TLS 1.2 suites in one tier");
		return;
	}
	yes_no(nm, f->server_order, "server", "client",
	    "the server's preference could not be measured");
}

static void
names_dhe(struct names *nm, const struct prof_facts *f)
{
	if (!f->scanned) {
		stop(nm, PR_UNTESTABLE, "no deep scan of this address");
		return;
	}
	if (f->dhe_bits < 0) {
		stop(nm, PR_NA, "no finite-field DHE suite accepted");
		return;
	}
	add(nm, f->dhe_group != NULL ? f->dhe_group : "dh", f->dhe_bits);
}

static void
names_kex_hash(struct names *nm, const struct prof_facts *f)
{
	if (!tls12_only(nm, f))
		return;
	if (f->kex_sha1 == PT_UNKNOWN || f->kex_sha224 == PT_UNKNOWN) {
		stop(nm, PR_UNTESTABLE,
		    "the SHA-1-only and SHA-224-only handshakes did not both "
		    "give an answer");
		return;
	}
	if (f->kex_hash != NULL)
		add(nm, f->kex_hash, -1);
	if (f->kex_sha1 == PT_YES)
		add(nm, "sha1", -1);
	if (f->kex_sha224 == PT_YES)
		add(nm, "sha224", -1);
	if (nm->n == 0)
		stop(nm, PR_NA, "no key-exchange signature seen");
}

static void
names_certs(struct names *nm, const struct prof_facts *f, bool sig)
{
	for (size_t i = 0; i < f->ncerts; i++) {
		const struct prof_cert *c = &f->certs[i];
		const char *t = c->key_type != NULL ? c->key_type : "";

		if (sig) {
			if (c->sig_hash == NULL)
				continue;
			add(nm, c->sig_hash[0] ? c->sig_hash : "eddsa", -1);
		} else if (strcasecmp(t, "RSA") == 0 ||
		           strcasecmp(t, "RSA-PSS") == 0)
			add(nm, "rsa", c->key_bits);
		else if (strcasecmp(t, "DSA") == 0)
			add(nm, "dsa", c->key_bits);
		else if (strcasecmp(t, "EC") == 0)
			add(nm, c->curve != NULL ? c->curve : "ec:unknown", -1);
		else
			add(nm, t, -1);
	}
	if (nm->n == 0)
		stop(nm, PR_UNTESTABLE, "no certificate was analysed");
}

static void
names_dane(struct names *nm, const struct prof_req *q,
    const struct prof_facts *f)
{
	enum prof_tri t = q->fact == PF_DANE_EXISTS  ? f->dane_exists
	                  : q->fact == PF_DANE_VALID ? f->dane_valid
	                  : q->fact == PF_DNSSEC_MX  ? f->dnssec_mx
	                                             : f->dane_rollover;

	if (q->fact != PF_DANE_EXISTS && q->fact != PF_DNSSEC_MX &&
	    f->dane_exists == PT_NO) {
		stop(nm, PR_NA, "no usable DNSSEC-signed TLSA records");
		return;
	}
	yes_no(nm, t, "yes", "no",
	    "not measured (DANE lookups off, or the lookup failed)");
}

static void
names_groups(struct names *nm, const struct prof_facts *f)
{
	if (!f->scanned || !f->groups_tested) {
		stop(nm, PR_UNTESTABLE, "the groups were not measured");
		return;
	}
	for (size_t i = 0; i < f->ngroups; i++)
		add(nm, f->groups[i], -1);
	if (nm->n == 0)
		stop(nm, PR_NA, "no named group accepted");
}

/* names_tls12_flag - a yes/no fact of TLS <= 1.2: compression and
 * client renegotiation read "on"/"off", the extensions "yes"/"no" */
static void
names_tls12_flag(struct names *nm, enum prof_fact k, const struct prof_facts *f)
{
	bool onoff = k == PF_COMPRESSION || k == PF_RENEG_CLIENT;

	if (!tls12_only(nm, f))
		return;
	yes_no(nm,
	    k == PF_COMPRESSION    ? f->compression
	    : k == PF_RENEG_CLIENT ? f->reneg_client
	    : k == PF_EMS          ? f->ems
	                           : f->reneg_secure,
	    onoff ? "on" : "yes", onoff ? "off" : "no",
	    k == PF_COMPRESSION ? "the linked OpenSSL has no compression "
	                          "method to offer (built without zlib)"
	                        : "not measured");
}

static void
names_of(struct names *nm, const struct prof_req *q, const struct prof_facts *f)
{
	switch (q->fact) {
	case PF_VERSIONS:
		names_versions(nm, f);
		break;
	case PF_TLS12:
	case PF_TLS13:
		if (!f->scanned) {
			stop(nm, PR_UNTESTABLE, "no deep scan of this address");
			break;
		}
		yes_no(nm, f->versions[q->fact == PF_TLS12 ? 4 : 5], "yes",
		    "no", "the version was not measured");
		break;
	case PF_SUITES:
	case PF_SUITES_ANON:
		names_suites(nm, f, q->fact == PF_SUITES_ANON);
		break;
	case PF_ORDER:
		names_order(nm, q, f);
		break;
	case PF_GROUPS:
		names_groups(nm, f);
		break;
	case PF_DHE:
		names_dhe(nm, f);
		break;
	case PF_KEX_HASH:
		names_kex_hash(nm, f);
		break;
	case PF_COMPRESSION:
	case PF_RENEG_SECURE:
	case PF_RENEG_CLIENT:
	case PF_EMS:
		names_tls12_flag(nm, q->fact, f);
		break;
	case PF_SNI:
		yes_no(nm, f->scanned ? f->sni : PT_UNKNOWN, "ok", "fail",
		    "the SNI handshakes were not measured");
		break;
	case PF_CERT_KEY:
	case PF_CERT_SIG:
		names_certs(nm, f, q->fact == PF_CERT_SIG);
		break;
	default:
		names_dane(nm, q, f);
		break;
	}
}

/* evidence - the names of the worst tier first, then "; also" the rest,
 * within the outcome's buffer */
static void
evidence(const struct names *nm, const enum prof_tier *tier,
    enum prof_tier worst, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int pass = 0; pass < 2; pass++) {
		bool first = true;

		for (size_t i = 0; i < nm->n && off < len; i++) {
			char sz[24] = "";

			if ((tier[i] == worst) != (pass == 0))
				continue;
			if (nm->bits[i] >= 0)
				snprintf(sz, sizeof(sz), " %d bits",
				    nm->bits[i]);
			off += (size_t)snprintf(buf + off, len - off, "%s%s%s",
			    first ? (off == 0 ? "" : "; also ") : ", ",
			    nm->v[i], sz);
			first = false;
		}
	}
	if (off >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
}

/* no_tls - a row about TLS at an address that offers none: a standard
 * that asks for TLS versions is not met; what it asks of a TLS it cannot
 * see does not apply */
static void
no_tls(const struct prof_req *q, struct prof_outcome *out)
{
	bool version = q->fact == PF_VERSIONS || q->fact == PF_TLS12 ||
	               q->fact == PF_TLS13;

	out->res = version ? PR_FAIL : PR_NA;
	out->tier = version ? TIER_INSUFFICIENT : TIER_NONE;
	snprintf(out->evidence, sizeof(out->evidence), "%s",
	    version ? "STARTTLS not offered: no TLS version at all"
	            : "STARTTLS not offered: no TLS to grade");
}

void
prof_eval(const struct prof_req *q, const struct prof_facts *f,
    struct prof_outcome *out)
{
	struct names nm;
	enum prof_tier tier[NAMES_MAX], worst = TIER_NONE;

	memset(&nm, 0, sizeof(nm));
	memset(out, 0, sizeof(*out));
	if (f->no_starttls && q->fact != PF_DANE_EXISTS &&
	    q->fact != PF_DANE_VALID && q->fact != PF_DANE_ROLLOVER &&
	    q->fact != PF_DNSSEC_MX) {
		no_tls(q, out);
		return;
	}
	names_of(&nm, q, f);
	if (nm.stop != PR_PASS) {
		out->res = nm.stop;
		snprintf(out->evidence, sizeof(out->evidence), "%s", nm.why);
		return;
	}
	for (size_t i = 0; i < nm.n; i++) {
		tier[i] =
		    nm.bits[i] >= 0 && q->bits.good > 0
		        ? bits_tier(&q->bits, nm.bits[i])
		        : table_tier(q->match, q->nmatch, q->other, nm.v[i]);
		if (tier[i] > worst)
			worst = tier[i];
	}
	out->tier = worst;
	out->res = worst <= q->worst_ok ? PR_PASS : PR_FAIL;
	evidence(&nm, tier, worst, out->evidence, sizeof(out->evidence));
}

enum prof_res
prof_overall(enum prof_res acc, enum prof_level level, enum prof_res r)
{
	if (level != PL_REQUIRED || acc == PR_FAIL)
		return acc;
	if (r == PR_FAIL)
		return PR_FAIL;
	if (r == PR_UNTESTABLE)
		return PR_UNTESTABLE;
	return acc;
}
