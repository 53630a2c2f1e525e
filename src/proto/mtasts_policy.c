/*
 * mtasts_policy.c - parse an MTA-STS policy body (RFC 8461 3.2) and match
 * MX host names against its patterns (RFC 8461 4.1).
 *
 * Owns the mx pattern strings of the caller's struct mtasts_policy and
 * nothing else. Never does I/O, never prints. Memory is bounded by
 * MTASTS_MX_MAX patterns of MTASTS_PATTERN_MAX octets whatever the body
 * holds; time is linear in the body length.
 */
#include "mtasts_policy.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "banned.h"

static const char *const mode_names[] = {
	[MTASTS_MODE_UNSET] = "unset",
	[MTASTS_MODE_INVALID] = "invalid",
	[MTASTS_MODE_ENFORCE] = "enforce",
	[MTASTS_MODE_TESTING] = "testing",
	[MTASTS_MODE_NONE] = "none",
};
static_assert(sizeof(mode_names) / sizeof(mode_names[0]) == MTASTS_MODE__COUNT,
    "mode_names must name every mode");

static const char *const prob_names[] = {
	[MTASTS_P_TOO_LARGE] = "policy body too large",
	[MTASTS_P_EMPTY] = "empty policy body",
	[MTASTS_P_NON_ASCII] = "non-ASCII octet",
	[MTASTS_P_CONTROL] = "control character",
	[MTASTS_P_NO_COLON] = "line without ':'",
	[MTASTS_P_BAD_KEY] = "malformed key",
	[MTASTS_P_BAD_VALUE] = "malformed value",
	[MTASTS_P_VERSION_MISSING] = "no version line",
	[MTASTS_P_VERSION_INVALID] = "version is not STSv1",
	[MTASTS_P_MODE_MISSING] = "no mode line",
	[MTASTS_P_MODE_INVALID] = "mode is not enforce, testing or none",
	[MTASTS_P_MAX_AGE_MISSING] = "no max_age line",
	[MTASTS_P_MAX_AGE_INVALID] = "max_age is not 1-10 digits",
	[MTASTS_P_MX_INVALID] = "mx pattern is not a valid host name",
	[MTASTS_P_MX_MISSING] = "no mx line with mode enforce or testing",
	[MTASTS_P_VERSION_DUP] = "version given more than once, first used",
	[MTASTS_P_MODE_DUP] = "mode given more than once, first used",
	[MTASTS_P_MAX_AGE_DUP] = "max_age given more than once, first used",
	[MTASTS_P_KEY_TYPO] = "unknown key resembles a known one",
	[MTASTS_P_EMPTY_LINE] = "empty line",
	[MTASTS_P_MX_TOO_MANY] = "too many mx lines, rest not kept",
	[MTASTS_P_UNKNOWN_TOO_MANY] = "too many unknown keys, rest not kept",
};
static_assert(sizeof(prob_names) / sizeof(prob_names[0]) == MTASTS_P__COUNT,
    "prob_names must name every problem");

/* Parse state beyond what the result keeps. */
struct pstate {
	struct mtasts_policy *pol;
	size_t line;   /* 1-based number of the current line */
	const char *l; /* the current line, without terminator */
	size_t llen;
	bool version_seen;
	bool max_age_seen;
	bool fatal;
};

const char *
mtasts_mode_name(enum mtasts_mode mode)
{
	if ((int)mode < 0 || mode >= MTASTS_MODE__COUNT)
		return "invalid";
	return mode_names[mode];
}

const char *
mtasts_policy_prob_name(enum mtasts_policy_prob p)
{
	if ((int)p < 0 || p >= MTASTS_P__COUNT)
		return "invalid";
	return prob_names[p];
}

static bool
eq(const char *p, size_t n, const char *s)
{
	size_t sl = strlen(s);

	return n == sl && memcmp(p, s, n) == 0;
}

static bool
eq_nocase(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ascii_to_lower((unsigned char)a[i]) !=
		    ascii_to_lower((unsigned char)b[i]))
			return false;
	return true;
}

/* add_problem - keep one problem about the current line (or count it) */
static void
add_problem(struct pstate *ps, enum mtasts_policy_prob code, bool fatal)
{
	struct mtasts_policy *pol = ps->pol;
	struct mtasts_policy_problem *pr;
	size_t n = ps->llen;

	if (fatal)
		ps->fatal = true;
	else if (code == MTASTS_P_VERSION_DUP || code == MTASTS_P_MODE_DUP ||
	         code == MTASTS_P_MAX_AGE_DUP || code == MTASTS_P_KEY_TYPO)
		pol->warn = true; /* checks.md 7: syntax warn */
	if (pol->nproblems >= MTASTS_PROBLEMS_MAX) {
		pol->problems_dropped++;
		return;
	}
	pr = &pol->problems[pol->nproblems++];
	pr->code = code;
	pr->fatal = fatal;
	pr->line = ps->line;
	if (ps->l == NULL)
		n = 0;
	if (n > MTASTS_EVIDENCE_MAX)
		n = MTASTS_EVIDENCE_MAX;
	if (n > 0)
		memcpy(pr->evidence, ps->l, n);
	pr->evidence[n] = '\0';
	pr->evidence_len = n;
}

/*
 * label_ok - one LDH label (RFC 1123 2.1): 1-63 letters, digits and
 * hyphens, no hyphen at either end
 */
static bool
label_ok(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || n > 63 || p[0] == '-' || p[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!ascii_is_alnum((unsigned char)p[i]) && p[i] != '-')
			return false;
	return true;
}

/* host_ok - an ASCII host name of LDH labels, no trailing dot */
static bool
host_ok(const char *p, size_t n)
{
	const char *dot;
	size_t ll;

	if (n == 0 || n > 253)
		return false;
	for (;;) {
		dot = memchr(p, '.', n);
		ll = dot != NULL ? (size_t)(dot - p) : n;
		if (!label_ok(p, ll))
			return false;
		if (dot == NULL)
			return true;
		p += ll + 1;
		n -= ll + 1;
		if (n == 0)
			return false; /* trailing dot */
	}
}

/* pattern_ok - RFC 8461 3.2 sts-policy-mx-value: ["*."] host */
static bool
pattern_ok(const char *p, size_t n)
{
	if (n >= 2 && p[0] == '*' && p[1] == '.')
		return host_ok(p + 2, n - 2);
	return host_ok(p, n);
}

/* set_version - the version line */
static void
set_version(struct pstate *ps, const char *v, size_t vlen)
{
	if (ps->version_seen) {
		add_problem(ps, MTASTS_P_VERSION_DUP, false);
		return;
	}
	ps->version_seen = true;
	if (eq(v, vlen, "STSv1"))
		ps->pol->has_version = true;
	else
		add_problem(ps, MTASTS_P_VERSION_INVALID, true);
}

/* set_mode - the mode line */
static void
set_mode(struct pstate *ps, const char *v, size_t vlen)
{
	struct mtasts_policy *pol = ps->pol;

	if (pol->mode != MTASTS_MODE_UNSET) {
		add_problem(ps, MTASTS_P_MODE_DUP, false);
		return;
	}
	if (eq(v, vlen, "enforce"))
		pol->mode = MTASTS_MODE_ENFORCE;
	else if (eq(v, vlen, "testing"))
		pol->mode = MTASTS_MODE_TESTING;
	else if (eq(v, vlen, "none"))
		pol->mode = MTASTS_MODE_NONE;
	else {
		pol->mode = MTASTS_MODE_INVALID;
		add_problem(ps, MTASTS_P_MODE_INVALID, true);
	}
}

/* set_max_age - the max_age line: 1*10DIGIT, no sign, no unit */
static void
set_max_age(struct pstate *ps, const char *v, size_t vlen)
{
	struct mtasts_policy *pol = ps->pol;
	uint64_t n = 0;
	size_t i;

	if (ps->max_age_seen) {
		add_problem(ps, MTASTS_P_MAX_AGE_DUP, false);
		return;
	}
	ps->max_age_seen = true;
	if (vlen == 0 || vlen > 10)
		goto bad;
	for (i = 0; i < vlen; i++) {
		if (v[i] < '0' || v[i] > '9')
			goto bad;
		n = n * 10 + (uint64_t)(v[i] - '0'); /* < 10^10: no overflow */
	}
	pol->has_max_age = true;
	pol->max_age = n;
	pol->max_age_short = n < MTASTS_MAX_AGE_SHORT;
	pol->max_age_long = n > MTASTS_MAX_AGE_LIMIT;
	return;
bad:
	add_problem(ps, MTASTS_P_MAX_AGE_INVALID, true);
}

/* add_mx - one mx line; keeps the first MTASTS_MX_MAX valid patterns */
static enum st_err
add_mx(struct pstate *ps, const char *v, size_t vlen)
{
	struct mtasts_policy *pol = ps->pol;
	char *s;

	pol->mx_lines++;
	if (!pattern_ok(v, vlen)) {
		add_problem(ps, MTASTS_P_MX_INVALID, true);
		return ST_OK;
	}
	if (pol->nmx >= MTASTS_MX_MAX) {
		/* A hostile body may carry thousands: count, do not keep. */
		if (pol->mx_dropped++ == 0)
			add_problem(ps, MTASTS_P_MX_TOO_MANY, false);
		return ST_OK;
	}
	if (pol->mx == NULL) {
		pol->mx = calloc(MTASTS_MX_MAX, sizeof(*pol->mx));
		if (pol->mx == NULL)
			return ST_ERR_NOMEM;
	}
	/* pattern_ok() bounds vlen to MTASTS_PATTERN_MAX. */
	s = malloc(vlen + 1);
	if (s == NULL)
		return ST_ERR_NOMEM;
	memcpy(s, v, vlen);
	s[vlen] = '\0';
	pol->mx[pol->nmx++] = s;
	return ST_OK;
}

/* key_like - key equals name up to letter case and '-' for '_' */
static bool
key_like(const char *k, size_t klen, const char *name)
{
	size_t i;

	if (klen != strlen(name))
		return false;
	for (i = 0; i < klen; i++) {
		unsigned char c = ascii_to_lower((unsigned char)k[i]);

		if (c == '-')
			c = '_';
		if (c != (unsigned char)name[i])
			return false;
	}
	return true;
}

/* add_unknown - a key this version of MTA-STS does not define */
static void
add_unknown(struct pstate *ps, const char *k, size_t klen, const char *v,
    size_t vlen, bool clean)
{
	static const char *const known[] = { "version", "mode", "max_age",
		"mx" };
	struct mtasts_policy *pol = ps->pol;
	struct mtasts_policy_kv *kv;
	size_t i, keep;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (key_like(k, klen, known[i])) {
			add_problem(ps, MTASTS_P_KEY_TYPO, false);
			break;
		}
	/* RFC 8461 3.2 sts-policy-ext-value: at least one character. */
	if (vlen == 0) {
		add_problem(ps, MTASTS_P_BAD_VALUE, true);
		return;
	}
	if (!clean)
		return; /* already a problem; keep no odd bytes */
	if (pol->nunknown >= MTASTS_UNKNOWN_MAX) {
		if (pol->unknown_dropped++ == 0)
			add_problem(ps, MTASTS_P_UNKNOWN_TOO_MANY, false);
		return;
	}
	kv = &pol->unknown[pol->nunknown++];
	memcpy(kv->key, k, klen);
	kv->key[klen] = '\0';
	keep = vlen > MTASTS_VALUE_MAX ? MTASTS_VALUE_MAX : vlen;
	memcpy(kv->value, v, keep);
	kv->value[keep] = '\0';
	kv->value_cut = keep < vlen;
	kv->line = ps->line;
}

/* check_octets - flag non-ASCII and control octets; true if none */
static bool
check_octets(struct pstate *ps)
{
	bool non_ascii = false, ctl = false;
	size_t i;

	for (i = 0; i < ps->llen; i++) {
		unsigned char c = (unsigned char)ps->l[i];

		if (c >= 0x80)
			non_ascii = true;
		else if ((c < 0x20 && c != '\t') || c == 0x7f)
			ctl = true;
	}
	if (non_ascii)
		add_problem(ps, MTASTS_P_NON_ASCII, true);
	if (ctl)
		add_problem(ps, MTASTS_P_CONTROL, true);
	return !non_ascii && !ctl;
}

/* key_ok - RFC 8461 3.2 sts-policy-ext-name */
static bool
key_ok(const char *k, size_t n)
{
	size_t i;

	if (n == 0 || n > MTASTS_KEY_MAX ||
	    !ascii_is_alnum((unsigned char)k[0]))
		return false;
	for (i = 1; i < n; i++)
		if (!ascii_is_alnum((unsigned char)k[i]) && k[i] != '_' &&
		    k[i] != '-' && k[i] != '.')
			return false;
	return true;
}

/* parse_line - one line without its terminator */
static enum st_err
parse_line(struct pstate *ps)
{
	const char *l = ps->l, *colon, *v;
	size_t n = ps->llen, klen, vlen;
	bool clean;

	if (n == 0) {
		add_problem(ps, MTASTS_P_EMPTY_LINE, false);
		return ST_OK;
	}
	clean = check_octets(ps);
	colon = memchr(l, ':', n);
	if (colon == NULL) {
		add_problem(ps, MTASTS_P_NO_COLON, true);
		return ST_OK;
	}
	klen = (size_t)(colon - l);
	if (!key_ok(l, klen)) {
		add_problem(ps, MTASTS_P_BAD_KEY, true);
		return ST_OK;
	}
	v = colon + 1;
	vlen = n - klen - 1;
	while (vlen > 0 && ascii_is_wsp((unsigned char)v[0])) {
		v++;
		vlen--;
	}
	while (vlen > 0 && ascii_is_wsp((unsigned char)v[vlen - 1]))
		vlen--;
	if (eq(l, klen, "version"))
		set_version(ps, v, vlen);
	else if (eq(l, klen, "mode"))
		set_mode(ps, v, vlen);
	else if (eq(l, klen, "max_age"))
		set_max_age(ps, v, vlen);
	else if (eq(l, klen, "mx"))
		return add_mx(ps, v, vlen);
	else
		add_unknown(ps, l, klen, v, vlen, clean);
	return ST_OK;
}

/* check_required - what RFC 8461 3.2 requires of the body as a whole */
static void
check_required(struct pstate *ps)
{
	struct mtasts_policy *pol = ps->pol;

	ps->line = 0;
	ps->l = NULL;
	ps->llen = 0;
	if (!ps->version_seen)
		add_problem(ps, MTASTS_P_VERSION_MISSING, true);
	if (pol->mode == MTASTS_MODE_UNSET)
		add_problem(ps, MTASTS_P_MODE_MISSING, true);
	if (!ps->max_age_seen)
		add_problem(ps, MTASTS_P_MAX_AGE_MISSING, true);
	if ((pol->mode == MTASTS_MODE_ENFORCE ||
	        pol->mode == MTASTS_MODE_TESTING) &&
	    pol->mx_lines == 0)
		add_problem(ps, MTASTS_P_MX_MISSING, true);
}

void
mtasts_policy_init(struct mtasts_policy *pol)
{
	memset(pol, 0, sizeof(*pol));
	pol->mode = MTASTS_MODE_UNSET;
	pol->mx = NULL;
}

void
mtasts_policy_release(struct mtasts_policy *pol)
{
	size_t i;

	if (pol == NULL)
		return;
	for (i = 0; i < pol->nmx; i++)
		free(pol->mx[i]);
	free(pol->mx);
	mtasts_policy_init(pol);
}

enum st_err
mtasts_policy_parse(struct mtasts_policy *pol, const char *p, size_t len)
{
	struct pstate ps;
	const char *nl;
	size_t i = 0, end, lend;
	enum st_err err = ST_OK;

	if (pol == NULL || (p == NULL && len > 0))
		return ST_ERR_INVAL;
	mtasts_policy_release(pol);
	memset(&ps, 0, sizeof(ps));
	ps.pol = pol;
	ps.l = p;
	if (len > MTASTS_POLICY_MAX) {
		ps.llen = len;
		add_problem(&ps, MTASTS_P_TOO_LARGE, true);
		goto out;
	}
	if (len == 0) {
		add_problem(&ps, MTASTS_P_EMPTY, true);
		goto out;
	}
	while (i < len) {
		nl = memchr(p + i, '\n', len - i);
		end = nl != NULL ? (size_t)(nl - p) : len;
		lend = end;
		if (lend > i && p[lend - 1] == '\r')
			lend--; /* CRLF; a bare CR stays a control */
		ps.line++;
		ps.l = p + i;
		ps.llen = lend - i;
		err = parse_line(&ps);
		if (err != ST_OK)
			goto out;
		i = nl != NULL ? end + 1 : len;
	}
	pol->lines = ps.line;
	check_required(&ps);
out:
	if (err != ST_OK) {
		mtasts_policy_release(pol);
		return err;
	}
	pol->valid = !ps.fatal;
	return ST_OK;
}

/* name_ok - no empty label, no '*', at least one octet */
static bool
name_ok(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || p[0] == '.' || p[n - 1] == '.')
		return false;
	for (i = 0; i < n; i++)
		if (p[i] == '*' ||
		    (p[i] == '.' && i + 1 < n && p[i + 1] == '.'))
			return false;
	return true;
}

bool
mtasts_mx_match(const char *pattern, size_t pattern_len, const char *host,
    size_t host_len)
{
	const char *dot, *parent;
	size_t plen, first;

	if (pattern == NULL || host == NULL)
		return false;
	if (host_len > 0 && host[host_len - 1] == '.')
		host_len--;
	if (!name_ok(host, host_len))
		return false;
	if (pattern_len >= 2 && pattern[0] == '*' && pattern[1] == '.') {
		/* RFC 8461 4.1: "*" stands for exactly one whole label. */
		parent = pattern + 2;
		plen = pattern_len - 2;
		if (!name_ok(parent, plen))
			return false;
		dot = memchr(host, '.', host_len);
		if (dot == NULL)
			return false;
		first = (size_t)(dot - host);
		return host_len - first - 1 == plen &&
		       eq_nocase(dot + 1, parent, plen);
	}
	if (!name_ok(pattern, pattern_len))
		return false;
	return pattern_len == host_len && eq_nocase(pattern, host, host_len);
}

const char *
mtasts_policy_match(const struct mtasts_policy *pol, const char *host,
    size_t host_len)
{
	size_t i;

	if (pol == NULL)
		return NULL;
	for (i = 0; i < pol->nmx; i++)
		if (mtasts_mx_match(pol->mx[i], strlen(pol->mx[i]), host,
		        host_len))
			return pol->mx[i];
	return NULL;
}
