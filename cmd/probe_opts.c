/*
 * probe_opts.c - the options of "smtptls probe" (cli.md) as one table:
 * each row names the option for getopt_long, says what kind of value it
 * takes and where it goes, or which small function applies it. Adding an
 * option means adding a row (and its line in the usage text, probe_usage.c,
 * which tests/integration/47-docs.sh holds against the man page).
 */
#include "probe_cmd.h"

#include <getopt.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "smtptls/batch.h"
#include "smtptls/probe.h"
#include "smtptls/profile.h"
#include "ascii.h"
#include "smtp_client.h"
#include "text.h"

#include "banned.h"

/* Where an option's value goes, and what it must be. */
struct parse_ctx {
	struct probe_options *o;
	struct global_opts *g;
	const char **domains;
	unsigned *parallel;
	struct probe_out_opts *out;
	bool dnssec_given; /* --dnssec named: --trust-anchor implies nothing */
};

enum opt_kind {
	K_SET,     /* a bool in probe_options becomes true */
	K_FILE,    /* a readable file: a const char * in probe_options */
	K_DIR,     /* a readable directory: likewise */
	K_SECONDS, /* positive seconds: unsigned milliseconds */
	K_FN,      /* the row's function applies it */
};

struct opt_row {
	const char *name; /* long name; NULL: short only */
	int has_arg;      /* getopt_long's no_/required_/optional_argument */
	int val;          /* getopt_long's value: the short letter or an id */
	enum opt_kind kind;
	size_t off; /* offsetof the field in struct probe_options */
	int (*fn)(const struct opt_row *, const char *, struct parse_ctx *);
};

/* parse_seconds - a positive number of seconds (decimals allowed) */
static bool
parse_seconds(const char *s, unsigned *ms)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || !(v > 0) || v > 86400)
		return false;
	*ms = (unsigned)(v * 1000 + 0.5);
	if (*ms == 0)
		*ms = 1;
	return true;
}

static int opt_error(const struct global_opts *g, const char *opt,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
opt_error(const struct global_opts *g, const char *opt, const char *fmt, ...)
{
	char m[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	return cmd_error(g, EXIT_USAGE, "usage", "options", "%s: %s", opt, m);
}

/* bad_option - the usage error for getopt_long's '?'. A long option
 * given a value it does not take ("--scan=x") comes with optopt set to
 * the option's val, which is no character to print. */
static int
bad_option(const struct global_opts *g, const char *arg)
{
	if (strncmp(arg, "--", 2) == 0 && strchr(arg, '=') != NULL &&
	    (optopt >= 256 || (optopt > 0 && strchr("46fvq", optopt) != NULL)))
		return cmd_error(g, EXIT_USAGE, "usage", "options",
		    "option '%.*s' takes no value", (int)strcspn(arg, "="),
		    arg);
	return cmd_error(g, EXIT_USAGE, "usage", "options",
	    "unknown option '%s' (see smtptls probe --help)",
	    optopt ? (char[]){ '-', (char)optopt, '\0' } : arg);
}

/* a value of an option taking a file name that names nothing readable
 * is a configuration error (report.md 7.1 code "config") */
static int
unreadable(const struct global_opts *g, const char *opt, const char *what,
    const char *arg)
{
	return cmd_error(g, EXIT_USAGE, "config", "options",
	    "--%s: cannot read %s'%s'", opt, what, arg);
}

static int
opt_resolver(const struct opt_row *row, const char *arg, struct parse_ctx *c)
{
	(void)row;
	if (c->o->nresolvers >= PROBE_MAX_RESOLVERS)
		return opt_error(c->g, "--resolver", "at most 4 resolvers");
	c->o->resolvers[c->o->nresolvers++] = arg;
	return -1;
}

static int
opt_dnssec(const struct opt_row *row, const char *arg, struct parse_ctx *c)
{
	int m = probe_dnssec_parse(arg);

	(void)row;
	if (m < 0)
		return opt_error(c->g, "--dnssec",
		    "unknown mode '%s' (expected auto, resolver or local)",
		    arg);
	c->o->dnssec = (enum probe_dnssec)m;
	c->dnssec_given = true;
	return -1;
}

static int
opt_family(const struct opt_row *row, const char *arg, struct parse_ctx *c)
{
	(void)arg;
	if (row->val == '4')
		c->o->ipv6 = false;
	else
		c->o->ipv4 = false;
	return -1;
}

static int
opt_host(const struct opt_row *row, const char *arg, struct parse_ctx *c)
{
	(void)row;
	c->o->host = arg;
	return -1;
}

static int
opt_port(const struct opt_row *row, const char *arg, struct parse_ctx *c)
{
	unsigned long n;

	(void)row;
	if (!cmd_parse_uint(arg, 65535, &n) || n == 0)
		return opt_error(c->g, "--port", "invalid port '%s'", arg);
	c->o->port = (uint16_t)n;
	return -1;
}

static int
opt_ehlo(const struct opt_row *row, const char *arg, struct parse_ctx *c)
{
	const char *why;

	(void)row;
	if ((why = smtp_ehlo_name_problem(arg)) != NULL)
		return opt_error(c->g, "--ehlo", "invalid name: %s", why);
	c->o->ehlo = arg;
	return -1;
}

/* opt_mailbox - --rcpt and --mail-from ("" is the null path): the SMTP
 * machine's own rule (smtp_mailbox_problem) */
static int
opt_mailbox(const struct opt_row *row, const char *arg, struct parse_ctx *c)
{
	bool rcpt = strcmp(row->name, "rcpt") == 0;
	const char *why;

	if ((rcpt || *arg != '\0') && (why = smtp_mailbox_problem(arg)) != NULL)
		return opt_error(c->g, rcpt ? "--rcpt" : "--mail-from",
		    "invalid address: %s", why);
	if (rcpt)
		c->o->rcpt = arg;
	else
		c->o->mail_from = arg;
	return -1;
}

/* add_profile - --profile NAME, or the profile of --require profile:NAME;
 * its index in o->profiles, or -1 after a usage error */
static int
add_profile(struct parse_ctx *c, const char *opt, const char *name)
{
	struct probe_options *o = c->o;
	size_t i;

	/* (void): the callers return EXIT_USAGE, what opt_error() returns */
	if (!smtptls_profile_known(name)) {
		(void)opt_error(c->g, opt,
		    "unknown profile '%s' (see smtptls profiles)", name);
		return -1;
	}
	for (i = 0; i < o->nprofiles; i++)
		if (strcasecmp(o->profiles[i], name) == 0)
			return (int)i;
	if (o->nprofiles >= PROBE_MAX_PROFILES) {
		(void)opt_error(c->g, opt, "at most %d profiles",
		    PROBE_MAX_PROFILES);
		return -1;
	}
	o->profiles[o->nprofiles] = name;
	o->scan = true;
	return (int)o->nprofiles++;
}

static int
opt_profile(const struct opt_row *row, const char *arg, struct parse_ctx *c)
{
	(void)row;
	return add_profile(c, "--profile", arg) < 0 ? EXIT_USAGE : -1;
}

static int
opt_require(const struct opt_row *row, const char *arg, struct parse_ctx *c)
{
	int lv = probe_level_parse(arg);

	(void)row;
	if (strncmp(arg, "profile:", 8) == 0) {
		int i = add_profile(c, "--require", arg + 8);

		if (i < 0)
			return EXIT_USAGE;
		c->o->require_profiles |= 1u << i;
		return -1;
	}
	if (lv < 0)
		return opt_error(c->g, "--require",
		    "unknown level '%s' (expected "
		    "opportunistic, encrypt, verify, dane, mta-sts, secure)",
		    arg);
	c->o->require |= 1u << lv;
	return -1;
}

static int
opt_warn_days(const struct opt_row *row, const char *arg, struct parse_ctx *c)
{
	unsigned long n;

	(void)row;
	if (!cmd_parse_uint(arg, 3650, &n))
		return opt_error(c->g, "--warn-days",
		    "invalid number of days '%s'", arg);
	c->o->warn_days = (int)n;
	return -1;
}

static int
opt_min_tls(const struct opt_row *row, const char *arg, struct parse_ctx *c)
{
	static const struct {
		const char *name;
		int version;
	} versions[] = {
		{ "1.0", TLS1_VERSION },
		{ "1.1", TLS1_1_VERSION },
		{ "1.2", TLS1_2_VERSION },
		{ "1.3", TLS1_3_VERSION },
	};

	(void)row;
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (strcmp(arg, versions[i].name) == 0) {
			c->o->min_tls = versions[i].version;
			return -1;
		}
	return opt_error(c->g, "--min-tls",
	    "unknown version '%s' (expected "
	    "1.0, 1.1, 1.2 or 1.3)",
	    arg);
}

static int
opt_tls_domain(const struct opt_row *row, const char *arg, struct parse_ctx *c)
{
	(void)row;
	if (!ascii_is_hostname(arg))
		return opt_error(c->g, "--tls-domain",
		    "invalid name (expected a "
		    "host name)");
	c->o->tls_domain = arg;
	return -1;
}

static int
opt_ignore(const struct opt_row *row, const char *arg, struct parse_ctx *c)
{
	(void)row;
	if (c->o->nignore >= PROBE_MAX_IGNORE)
		return opt_error(c->g, "--ignore", "at most 32 patterns");
	c->o->ignore[c->o->nignore++] = arg;
	return -1;
}

static int
opt_domains(const struct opt_row *row, const char *arg, struct parse_ctx *c)
{
	(void)row;
	if (access(arg, R_OK) != 0)
		return unreadable(c->g, "domains", "", arg);
	*c->domains = arg;
	return -1;
}

static int
opt_parallel(const struct opt_row *row, const char *arg, struct parse_ctx *c)
{
	unsigned long n;

	(void)row;
	if (!cmd_parse_uint(arg, 256, &n) || n == 0)
		return opt_error(c->g, "--parallel",
		    "invalid number '%s' (1-256)", arg);
	*c->parallel = (unsigned)n;
	return -1;
}

/* opt_polite - --per-address N (1-64) and --max-rate R (1-100000) */
static int
opt_polite(const struct opt_row *row, const char *arg, struct parse_ctx *c)
{
	bool rate = strcmp(row->name, "max-rate") == 0;
	unsigned long n;

	if (!cmd_parse_uint(arg, rate ? 100000 : 64, &n) || n == 0)
		return opt_error(c->g, rate ? "--max-rate" : "--per-address",
		    "invalid number '%s' (1-%u)", arg, rate ? 100000u : 64u);
	if (rate)
		c->o->max_rate = (unsigned)n;
	else
		c->o->per_address = (unsigned)n;
	return -1;
}

/* opt_html - --html FILE: cmd/probe_html.c opens it before the probe. A
 * name with control octets or invalid UTF-8 is refused like every other
 * value (46-cli-props.sh): most likely a quoting mistake, and the error
 * message could not show it. */
static int
opt_html(const struct opt_row *row, const char *arg, struct parse_ctx *c)
{
	const unsigned char *p = (const unsigned char *)arg;
	size_t len = strlen(arg), i, l;

	(void)row;
	if (len == 0)
		return opt_error(c->g, "--html", "empty file name");
	for (i = 0; i < len; i += l)
		if ((l = text_utf8_len(p + i, len - i)) == 0 || p[i] < 0x20 ||
		    p[i] == 0x7f)
			return opt_error(c->g, "--html",
			    "file name with control octets or invalid UTF-8");
	c->g->html = arg;
	return -1;
}

/* opt_output - -o FILE: opened later (cmd/probe.c), once the command
 * line is known good; a name with control or non-ASCII octets is refused,
 * as a file name nobody could type back */
static int
opt_output(const struct opt_row *row, const char *arg, struct parse_ctx *c)
{
	(void)row;
	if (*arg == '\0')
		return opt_error(c->g, "--output", "empty file name");
	for (const char *p = arg; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			return opt_error(c->g, "--output",
			    "a file name with control or non-ASCII octets");
	c->out->output = arg;
	return -1;
}

static int
opt_resume(const struct opt_row *row, const char *arg, struct parse_ctx *c)
{
	(void)row;
	(void)arg;
	c->out->resume = true;
	return -1;
}

static int
opt_shard(const struct opt_row *row, const char *arg, struct parse_ctx *c)
{
	(void)row;
	if (!batch_shard_parse(arg, &c->out->shard_i, &c->out->shard_n))
		return opt_error(c->g, "--shard",
		    "invalid value '%s' (expected I/N, 0 <= I < N <= %u)", arg,
		    BATCH_SHARD_MAX);
	c->out->sharded = true;
	return -1;
}

/* opt_global - the options every command takes, also after "probe" */
static int
opt_global(const struct opt_row *row, const char *arg, struct parse_ctx *c)
{
	switch (row->val) {
	case 'v':
		c->g->verbose++;
		return -1;
	case 'q':
		c->g->quiet = true;
		return -1;
	default:
		break;
	}
	if (strcmp(row->name, "json") == 0)
		c->g->json = true;
	else if (strcmp(row->name, "nagios") == 0)
		c->g->nagios = true;
	else if (arg == NULL || strcmp(arg, "always") == 0)
		c->g->color = COLOR_ALWAYS;
	else if (strcmp(arg, "auto") == 0)
		c->g->color = COLOR_AUTO;
	else if (strcmp(arg, "never") == 0)
		c->g->color = COLOR_NEVER;
	else
		return opt_error(c->g, "--color",
		    "unknown value '%s' (expected "
		    "auto, always or never)",
		    arg);
	return -1;
}

static int
opt_help(const struct opt_row *row, const char *arg, struct parse_ctx *c)
{
	(void)row;
	(void)arg;
	(void)c;
	fputs(probe_usage, stdout);
	return EXIT_PASS;
}

#define OFF(f) offsetof(struct probe_options, f)
#define REQ required_argument
#define NONE no_argument

/* Long-only options get ids from 256 up (getopt_long's val). */
static const struct opt_row rows[] = {
	{ "resolver", REQ, 256, K_FN, 0, opt_resolver },
	{ "trust-anchor", REQ, 257, K_FILE, OFF(trust_anchor), NULL },
	{ "dnssec", REQ, 320, K_FN, 0, opt_dnssec },
	{ "ca-file", REQ, 258, K_FILE, OFF(ca_file), NULL },
	{ "ca-path", REQ, 259, K_DIR, OFF(ca_path), NULL },
	{ "timeout", REQ, 260, K_SECONDS, OFF(timeout_ms), NULL },
	{ "deadline", REQ, 261, K_SECONDS, OFF(deadline_ms), NULL },
	{ "host", REQ, 262, K_FN, 0, opt_host },
	{ "port", REQ, 263, K_FN, 0, opt_port },
	{ "ehlo", REQ, 264, K_FN, 0, opt_ehlo },
	{ "rcpt", REQ, 265, K_FN, 0, opt_mailbox },
	{ "mail-from", REQ, 266, K_FN, 0, opt_mailbox },
	{ "require", REQ, 267, K_FN, 0, opt_require },
	{ "scan", NONE, 268, K_SET, OFF(scan), NULL },
	{ "transcript", NONE, 269, K_SET, OFF(transcript), NULL },
	{ "no-pem", NONE, 270, K_SET, OFF(no_pem), NULL },
	{ "no-mta-sts", NONE, 271, K_SET, OFF(no_mta_sts), NULL },
	{ "no-dane", NONE, 272, K_SET, OFF(no_dane), NULL },
	{ "domains", REQ, 'f', K_FN, 0, opt_domains },
	{ "parallel", REQ, 273, K_FN, 0, opt_parallel },
	{ "warn-days", REQ, 274, K_FN, 0, opt_warn_days },
	{ "min-tls", REQ, 275, K_FN, 0, opt_min_tls },
	{ "tls-domain", REQ, 276, K_FN, 0, opt_tls_domain },
	{ "allow-private", NONE, 277, K_SET, OFF(allow_private), NULL },
	{ "rcpt-all", NONE, 278, K_SET, OFF(rcpt_all), NULL },
	{ "catchall", NONE, 279, K_SET, OFF(catchall), NULL },
	{ "cleartext", NONE, 280, K_SET, OFF(cleartext), NULL },
	{ "ignore", REQ, 281, K_FN, 0, opt_ignore },
	{ "strict", NONE, 282, K_SET, OFF(strict), NULL },
	{ "nagios", NONE, 283, K_FN, 0, opt_global },
	{ "json", NONE, 284, K_FN, 0, opt_global },
	{ "color", optional_argument, 285, K_FN, 0, opt_global },
	{ "verbose", NONE, 'v', K_FN, 0, opt_global },
	{ "quiet", NONE, 'q', K_FN, 0, opt_global },
	{ "help", NONE, 286, K_FN, 0, opt_help },
	{ "per-address", REQ, 330, K_FN, 0, opt_polite },
	{ "max-rate", REQ, 331, K_FN, 0, opt_polite },
	{ "html", REQ, 340, K_FN, 0, opt_html },
	{ "output", REQ, 'o', K_FN, 0, opt_output },
	{ "resume", NONE, 287, K_FN, 0, opt_resume },
	{ "shard", REQ, 288, K_FN, 0, opt_shard },
	{ "profile", REQ, 341, K_FN, 0, opt_profile },
	{ NULL, NONE, '4', K_FN, 0, opt_family },
	{ NULL, NONE, '6', K_FN, 0, opt_family },
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

/* apply - one option by its row */
static int
apply(const struct opt_row *row, const char *arg, struct parse_ctx *c)
{
	char *base = (char *)c->o;

	switch (row->kind) {
	case K_SET:
		*(bool *)(base + row->off) = true;
		return -1;
	case K_FILE:
	case K_DIR:
		if (access(arg, row->kind == K_DIR ? R_OK | X_OK : R_OK) != 0)
			return unreadable(c->g, row->name,
			    row->kind == K_DIR ? "directory " : "", arg);
		*(const char **)(base + row->off) = arg;
		return -1;
	case K_SECONDS:
		if (!parse_seconds(arg, (unsigned *)(base + row->off)))
			return cmd_error(c->g, EXIT_USAGE, "usage", "options",
			    "--%s: invalid number of seconds '%s'", row->name,
			    arg);
		return -1;
	case K_FN:
	default:
		return row->fn(row, arg, c);
	}
}

int
probe_opts_parse(int argc, char **argv, struct probe_options *o,
    struct global_opts *g, const char **domains, unsigned *parallel,
    struct probe_out_opts *out)
{
	struct option longs[NROWS + 1];
	struct parse_ctx c = { o, g, domains, parallel, out, false };
	size_t n = 0;
	int v;

	for (size_t i = 0; i < NROWS; i++)
		if (rows[i].name != NULL)
			longs[n++] = (struct option){ rows[i].name,
				rows[i].has_arg, NULL, rows[i].val };
	longs[n] = (struct option){ NULL, 0, NULL, 0 };
	opterr = 0;
	optind = 1;
	while ((v = getopt_long(argc, argv, ":46f:o:vq", longs, NULL)) != -1) {
		size_t i;
		int rc;

		if (v == '?')
			return bad_option(g, argv[optind - 1]);
		if (v == ':')
			return cmd_error(g, EXIT_USAGE, "usage", "options",
			    "option '%s' needs a value", argv[optind - 1]);
		for (i = 0; i < NROWS && rows[i].val != v; i++)
			;
		if (i == NROWS)
			return bad_option(g, argv[optind - 1]);
		if ((rc = apply(&rows[i], optarg, &c)) >= 0)
			return rc;
	}
	/* cli.md: --trust-anchor alone means "validate locally". */
	if (o->trust_anchor != NULL && !c.dnssec_given)
		o->dnssec = PROBE_DNSSEC_LOCAL;
	return -1;
}
