/*
 * tlsrpt.c - parse the _smtp._tls TXT record (RFC 8460 3) and judge its
 * rua URIs.
 *
 * Owns nothing beyond the caller's struct tlsrpt. Never does I/O, never
 * allocates, never prints; peer bytes are copied only into the bounded
 * arrays of the result.
 */
#include "tlsrpt.h"

#include <assert.h>
#include <string.h>

#include "ascii.h"
#include "txt_record.h"

#include "banned.h"

#define RPT_VERSION "v=TLSRPTv1"
#define RPT_VERSION_LEN (sizeof(RPT_VERSION) - 1)

static const char *const status_names[] = {
	[TLSRPT_NONE] = "none",
	[TLSRPT_VALID] = "valid",
	[TLSRPT_INVALID] = "invalid",
	[TLSRPT_MULTIPLE] = "multiple",
};
static_assert(sizeof(status_names) / sizeof(status_names[0]) == TLSRPT__COUNT,
    "status_names must name every status");

static const char *const scheme_names[] = {
	[TLSRPT_SCHEME_NONE] = "",
	[TLSRPT_SCHEME_MAILTO] = "mailto",
	[TLSRPT_SCHEME_HTTPS] = "https",
	[TLSRPT_SCHEME_OTHER] = "other",
};
static_assert(sizeof(scheme_names) / sizeof(scheme_names[0]) ==
                  TLSRPT_SCHEME__COUNT,
    "scheme_names must name every scheme");

static const char *const uri_err_names[] = {
	[TLSRPT_URI_OK] = "valid",
	[TLSRPT_URI_NO_SCHEME] = "no URI scheme",
	[TLSRPT_URI_BAD_SCHEME] = "scheme is neither mailto nor https",
	[TLSRPT_URI_BAD_CHAR] = "character that must be percent-encoded",
	[TLSRPT_URI_BAD_PCT] = "malformed percent-encoding",
	[TLSRPT_URI_BAD_ADDRESS] = "malformed mail address",
	[TLSRPT_URI_BAD_DOMAIN] = "malformed mail domain",
	[TLSRPT_URI_NO_AUTHORITY] = "no host after https://",
	[TLSRPT_URI_BAD_HOST] = "malformed host",
	[TLSRPT_URI_BAD_PORT] = "malformed port",
};
static_assert(sizeof(uri_err_names) / sizeof(uri_err_names[0]) ==
                  TLSRPT_URI__COUNT,
    "uri_err_names must name every error");

static const char *const prob_names[] = {
	[TLSRPT_P_MULTIPLE] = "more than one v=TLSRPTv1 record",
	[TLSRPT_P_NO_FIELDS] = "no field after v=TLSRPTv1",
	[TLSRPT_P_RUA_MISSING] = "no rua field",
	[TLSRPT_P_EMPTY_URI] = "empty URI in rua",
	[TLSRPT_P_EMPTY_FIELD] = "empty field",
	[TLSRPT_P_BAD_NAME] = "malformed field name",
	[TLSRPT_P_NO_EQUALS] = "field without '='",
	[TLSRPT_P_BAD_VALUE] = "malformed field value",
	[TLSRPT_P_RUA_DUPLICATE] = "rua given more than once",
	[TLSRPT_P_WS_BEFORE_SEMI] = "whitespace between v=TLSRPTv1 and ';'",
	[TLSRPT_P_TRAILING_WS] = "trailing whitespace",
	[TLSRPT_P_LOOKALIKE] =
	    "record resembling v=TLSRPTv1 discarded by senders",
	[TLSRPT_P_TOO_MANY_URIS] = "too many URIs, rest not kept",
};
static_assert(sizeof(prob_names) / sizeof(prob_names[0]) == TLSRPT_P__COUNT,
    "prob_names must name every problem");

const char *
tlsrpt_status_name(enum tlsrpt_status s)
{
	if ((int)s < 0 || s >= TLSRPT__COUNT)
		return "invalid";
	return status_names[s];
}

const char *
tlsrpt_scheme_name(enum tlsrpt_scheme s)
{
	if ((int)s < 0 || s >= TLSRPT_SCHEME__COUNT)
		return "invalid";
	return scheme_names[s];
}

const char *
tlsrpt_uri_err_name(enum tlsrpt_uri_err e)
{
	if ((int)e < 0 || e >= TLSRPT_URI__COUNT)
		return "invalid";
	return uri_err_names[e];
}

const char *
tlsrpt_prob_name(enum tlsrpt_prob p)
{
	if ((int)p < 0 || p >= TLSRPT_P__COUNT)
		return "invalid";
	return prob_names[p];
}

/*
 * is_uri_char - RFC 3986 unreserved, gen-delims and sub-delims less what
 * RFC 8460 3 requires encoded ("!", ",", ";"); "%" is checked apart
 */
static bool
is_uri_char(unsigned char c)
{
	static const char set[] = "-._~:/?#[]@$&'()*+=";

	return ascii_is_alnum(c) || memchr(set, c, sizeof(set) - 1) != NULL;
}

/* label_ok - one LDH label (RFC 1123 2.1) */
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

/* host_ok - LDH host name, no trailing dot; *dots counts the dots */
static bool
host_ok(const char *p, size_t n, size_t *dots)
{
	const char *dot;
	size_t ll;

	*dots = 0;
	if (n == 0 || n > TLSRPT_HOST_MAX)
		return false;
	for (;;) {
		dot = memchr(p, '.', n);
		ll = dot != NULL ? (size_t)(dot - p) : n;
		if (!label_ok(p, ll))
			return false;
		if (dot == NULL)
			return true;
		(*dots)++;
		p += ll + 1;
		n -= ll + 1;
		if (n == 0)
			return false;
	}
}

static void
set_host(struct tlsrpt_uri *u, const char *p, size_t n)
{
	/* Callers pass at most TLSRPT_HOST_MAX + 2 octets. */
	memcpy(u->host, p, n);
	u->host[n] = '\0';
}

/*
 * local_ok - RFC 6068 2 / RFC 5322 dot-atom-text local part, characters
 * already limited to URI characters by is_uri_char(): atoms of atext or
 * percent-escapes, separated by single dots
 */
static bool
local_ok(const char *p, size_t n)
{
	static const char set[] = ".%-_~$&'*+=/";
	size_t i;

	/* RFC 5321 4.5.3.1.1: at most 64 octets (escapes counted raw). */
	if (n == 0 || n > 64 * 3 || p[0] == '.' || p[n - 1] == '.')
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '.' && i + 1 < n && p[i + 1] == '.')
			return false;
		if (!ascii_is_alnum(c) &&
		    memchr(set, c, sizeof(set) - 1) == NULL)
			return false;
	}
	return true;
}

/* judge_mailto - "mailto:" local "@" domain [ "?" hfields ] */
static enum tlsrpt_uri_err
judge_mailto(struct tlsrpt_uri *u, const char *p, size_t n)
{
	const char *q = memchr(p, '?', n), *at = NULL;
	size_t alen = q != NULL ? (size_t)(q - p) : n, dlen, dots, i;

	for (i = alen; i > 0; i--)
		if (p[i - 1] == '@') {
			at = p + i - 1;
			break;
		}
	if (at == NULL || !local_ok(p, (size_t)(at - p)))
		return TLSRPT_URI_BAD_ADDRESS;
	dlen = alen - (size_t)(at - p) - 1;
	/* A mail domain of one label cannot receive reports from afar. */
	if (!host_ok(at + 1, dlen, &dots) || dots == 0)
		return TLSRPT_URI_BAD_DOMAIN;
	set_host(u, at + 1, dlen);
	return TLSRPT_URI_OK;
}

/* ip_literal_ok - "[" IPv6 or IPvFuture "]": characters only */
static bool
ip_literal_ok(const char *p, size_t n)
{
	size_t i;

	if (n < 3 || n > TLSRPT_HOST_MAX || p[0] != '[' || p[n - 1] != ']')
		return false;
	for (i = 1; i < n - 1; i++)
		if (!ascii_is_hex((unsigned char)p[i]) && p[i] != ':' &&
		    p[i] != '.')
			return false;
	return true;
}

/* judge_https - "https://" [userinfo "@"] host [":" port] [path...] */
static enum tlsrpt_uri_err
judge_https(struct tlsrpt_uri *u, const char *p, size_t n)
{
	size_t alen, hlen, i, dots;
	const char *host, *port = NULL;
	unsigned long pv = 0;

	if (n < 2 || p[0] != '/' || p[1] != '/')
		return TLSRPT_URI_NO_AUTHORITY;
	p += 2;
	n -= 2;
	for (alen = 0; alen < n; alen++)
		if (p[alen] == '/' || p[alen] == '?' || p[alen] == '#')
			break;
	host = p;
	for (i = alen; i > 0; i--)
		if (p[i - 1] == '@') {
			host = p + i; /* skip userinfo */
			break;
		}
	hlen = alen - (size_t)(host - p);
	if (hlen == 0)
		return TLSRPT_URI_NO_AUTHORITY;
	for (i = hlen; i > 0; i--) {
		if (host[i - 1] == ']')
			break;
		if (host[i - 1] == ':') {
			port = host + i;
			hlen = i - 1;
			break;
		}
	}
	if (port != NULL) {
		size_t plen = alen - (size_t)(port - p);

		if (plen > 5)
			return TLSRPT_URI_BAD_PORT;
		for (i = 0; i < plen; i++) {
			if (!ascii_is_digit((unsigned char)port[i]))
				return TLSRPT_URI_BAD_PORT;
			pv = pv * 10 + (unsigned long)(port[i] - '0');
		}
		if (pv > 65535)
			return TLSRPT_URI_BAD_PORT;
	}
	if (hlen == 0)
		return TLSRPT_URI_NO_AUTHORITY;
	if (host[0] == '[' ? !ip_literal_ok(host, hlen)
	                   : !host_ok(host, hlen, &dots))
		return TLSRPT_URI_BAD_HOST;
	set_host(u, host, hlen);
	return TLSRPT_URI_OK;
}

/* check_chars - every octet a URI character or a "%" escape */
static enum tlsrpt_uri_err
check_chars(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '%') {
			if (n - i < 3 ||
			    !ascii_is_hex((unsigned char)p[i + 1]) ||
			    !ascii_is_hex((unsigned char)p[i + 2]))
				return TLSRPT_URI_BAD_PCT;
			i += 2;
		} else if (!is_uri_char(c)) {
			return TLSRPT_URI_BAD_CHAR;
		}
	}
	return TLSRPT_URI_OK;
}

void
tlsrpt_uri_parse(struct tlsrpt_uri *u, const char *p, size_t len)
{
	size_t keep, slen, i;
	enum tlsrpt_uri_err err;

	memset(u, 0, sizeof(*u));
	if (p == NULL)
		len = 0;
	keep = len > TLSRPT_URI_MAX ? TLSRPT_URI_MAX : len;
	if (keep > 0)
		memcpy(u->uri, p, keep);
	u->uri[keep] = '\0';
	u->uri_len = keep;
	u->uri_cut = keep < len;

	/* RFC 3986 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
	for (slen = 0; slen < len; slen++) {
		unsigned char c = (unsigned char)p[slen];

		if (!ascii_is_alpha(c) &&
		    (slen == 0 || (!ascii_is_digit(c) && c != '+' && c != '-' &&
		                      c != '.')))
			break;
	}
	if (slen == 0 || slen == len || p[slen] != ':') {
		u->err = TLSRPT_URI_NO_SCHEME;
		return;
	}
	for (i = 0; i < slen && i < TLSRPT_SCHEME_MAX; i++)
		u->scheme[i] = (char)ascii_to_lower((unsigned char)p[i]);
	u->scheme[i] = '\0';
	if (slen == 6 && memcmp(u->scheme, "mailto", 6) == 0)
		u->kind = TLSRPT_SCHEME_MAILTO;
	else if (slen == 5 && memcmp(u->scheme, "https", 5) == 0)
		u->kind = TLSRPT_SCHEME_HTTPS;
	else {
		u->kind = TLSRPT_SCHEME_OTHER;
		u->err = TLSRPT_URI_BAD_SCHEME;
		return;
	}
	p += slen + 1;
	len -= slen + 1;
	err = check_chars(p, len);
	if (err == TLSRPT_URI_OK)
		err = u->kind == TLSRPT_SCHEME_MAILTO ? judge_mailto(u, p, len)
		                                      : judge_https(u, p, len);
	u->err = err;
	u->valid = err == TLSRPT_URI_OK;
	if (!u->valid)
		u->host[0] = '\0';
}

/* add_problem - keep one problem (or count it past the cap) */
static void
add_problem(struct tlsrpt *r, enum tlsrpt_prob code, bool fatal, size_t record,
    const char *ev, size_t ev_len)
{
	struct tlsrpt_problem *pr;

	if (fatal)
		r->fatal = true;
	if (r->nproblems >= TLSRPT_PROBLEMS_MAX) {
		r->problems_dropped++;
		return;
	}
	pr = &r->problems[r->nproblems++];
	pr->code = code;
	pr->fatal = fatal;
	pr->record = record;
	if (ev == NULL)
		ev_len = 0;
	if (ev_len > TLSRPT_EVIDENCE_MAX)
		ev_len = TLSRPT_EVIDENCE_MAX;
	if (ev_len > 0)
		memcpy(pr->evidence, ev, ev_len);
	pr->evidence[ev_len] = '\0';
	pr->evidence_len = ev_len;
}

void
tlsrpt_init(struct tlsrpt *r)
{
	memset(r, 0, sizeof(*r));
	r->status = TLSRPT_NONE;
}

void
tlsrpt_release(struct tlsrpt *r)
{
	if (r == NULL)
		return;
	tlsrpt_init(r);
}

/* parse_rua - split the rua value on "," and judge each URI */
static void
parse_rua(struct tlsrpt *r, size_t rec, const char *v, size_t vlen)
{
	const char *comma;
	size_t i = 0, end, s, e;

	for (;;) {
		comma = memchr(v + i, ',', vlen - i);
		end = comma != NULL ? (size_t)(comma - v) : vlen;
		for (s = i; s < end && ascii_is_wsp((unsigned char)v[s]); s++)
			;
		for (e = end; e > s && ascii_is_wsp((unsigned char)v[e - 1]);
		     e--)
			;
		if (e == s) {
			add_problem(r, TLSRPT_P_EMPTY_URI, true, rec, v, vlen);
		} else if (r->nuris >= TLSRPT_URIS_MAX) {
			if (r->uris_dropped++ == 0)
				add_problem(r, TLSRPT_P_TOO_MANY_URIS, false,
				    rec, v + s, e - s);
		} else {
			tlsrpt_uri_parse(&r->uris[r->nuris], v + s, e - s);
			if (r->uris[r->nuris].valid)
				r->nvalid++;
			r->nuris++;
		}
		if (comma == NULL)
			break;
		i = end + 1;
	}
}

/* parse_field - one non-empty field */
static void
parse_field(struct tlsrpt *r, size_t rec, const struct txt_record_field *f,
    bool *rua_seen)
{
	if (f->value == NULL) {
		add_problem(r, TLSRPT_P_NO_EQUALS, true, rec, f->p, f->len);
		return;
	}
	/* RFC 8460 3: tlsrpt-rua is %s"rua=", so "RUA=" is an extension. */
	if (f->name_len == 3 && memcmp(f->p, "rua", 3) == 0) {
		if (*rua_seen)
			add_problem(r, TLSRPT_P_RUA_DUPLICATE, false, rec, f->p,
			    f->len);
		*rua_seen = true;
		parse_rua(r, rec, f->value, f->value_len);
		return;
	}
	if (!txt_record_ext_name_ok(f->p, f->name_len))
		add_problem(r, TLSRPT_P_BAD_NAME, true, rec, f->p, f->len);
	else if (!txt_record_ext_value_ok(f->value, f->value_len))
		add_problem(r, TLSRPT_P_BAD_VALUE, true, rec, f->p, f->len);
}

/* parse_record - judge the one candidate record */
static void
parse_record(struct tlsrpt *r, size_t rec, const char *p, size_t len)
{
	struct txt_record_walk w;
	struct txt_record_field f;
	bool rua_seen = false;

	txt_record_walk_init(&w, p, len, RPT_VERSION_LEN);
	if (w.ws_before_semi) {
		r->ws_before_semicolon = true;
		add_problem(r, TLSRPT_P_WS_BEFORE_SEMI, false, rec, p,
		    w.pos + 1);
	}
	while (txt_record_next(&w, &f)) {
		if (f.len == 0)
			add_problem(r, TLSRPT_P_EMPTY_FIELD, true, rec, p, len);
		else
			parse_field(r, rec, &f, &rua_seen);
		if (f.trailing_ws)
			add_problem(r, TLSRPT_P_TRAILING_WS, true, rec, f.p,
			    f.raw_len);
	}
	if (w.nfields == 0)
		add_problem(r, TLSRPT_P_NO_FIELDS, true, rec, p, len);
	else if (!rua_seen)
		add_problem(r, TLSRPT_P_RUA_MISSING, true, rec, p, len);
}

enum st_err
tlsrpt_parse(struct tlsrpt *r, const char *const *text, const size_t *len,
    size_t n)
{
	enum txt_record_start start;
	size_t i, first = 0, l;

	if (r == NULL || (text == NULL && n > 0))
		return ST_ERR_INVAL;
	tlsrpt_init(r);
	for (i = 0; i < n; i++) {
		l = txt_record_len(text, len, i);
		start = txt_record_start(text[i], l, RPT_VERSION);
		/* A lone "v=TLSRPTv1" is judged (and fails) as a record. */
		if (txt_record_counts(start, n, true)) {
			if (r->candidates++ == 0)
				first = i;
			else
				add_problem(r, TLSRPT_P_MULTIPLE, true, i,
				    text[i], l);
		} else if (start != TXT_START_OTHER) {
			r->discarded++;
			add_problem(r, TLSRPT_P_LOOKALIKE, false, i, text[i],
			    l);
		}
	}
	if (r->candidates == 0) {
		r->status = TLSRPT_NONE;
		return ST_OK;
	}
	if (r->candidates > 1) {
		r->status = TLSRPT_MULTIPLE;
		return ST_OK;
	}
	r->record = first;
	parse_record(r, first, text[first], txt_record_len(text, len, first));
	r->status = r->fatal ? TLSRPT_INVALID : TLSRPT_VALID;
	return ST_OK;
}
