/*
 * scan.c - the deep TLS scan (checks.md 10): after the standard sessions,
 * further SMTP+STARTTLS sessions per address, each with a restricted
 * offer, each ending right after its handshake.
 *
 * Design. The scan reuses session.c's engine instead of running a second
 * event loop: session_run_all() gets session_hooks that restrict each
 * session's SSL (versions, suites, groups, signature algorithms, SNI) just
 * before the handshake and stop it right after, without EHLO or QUIT. So
 * connect, greeting, EHLO, STARTTLS, every step timeout and the run
 * deadline are handled in one place, exactly as for the standard
 * sessions, and the probe's normal behaviour does not change (no hooks).
 *
 * The scan runs in rounds: each round gives every address up to two
 * sessions (checks.md 1.9: at most two at a time per address, all
 * addresses concurrently), waits for all of them and feeds the outcomes to
 * each address's plan. Some items are chains whose next offer depends on
 * the last answer (testssl-style suite enumeration: offer all, note the
 * choice, remove it, repeat until the handshake fails), so a round is the
 * natural unit. A chain runs in every round (it is the long pole); the
 * second slot works through the independent items.
 *
 * Not measured here (checks.md 13 decision 1: no hand-built ClientHello):
 * SSL 2.0/3.0, export suites and DEFLATE compression are "untested"; so is
 * client-initiated renegotiation.
 */
#include "scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "clock.h"
#include "session.h"

#include "banned.h"

enum job_kind {
	J_CHAIN = 0,  /* arg: scan_ver TLS1..TLS1_2; suite enumeration */
	J_V13,        /* TLS 1.3 alone */
	J_SUITE13,    /* arg: index into suites13 */
	J_ORDER,      /* arg: 0 best first, 1 reversed */
	J_GROUP,      /* arg: index into groups */
	J_SNI,        /* arg: SCAN_SNI_* */
	J_ALT,        /* arg: index into alt_sigalgs */
	J_INJECT,
};

static const char *const suites13[] = {
	"TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
	"TLS_AES_128_GCM_SHA256", "TLS_AES_128_CCM_SHA256",
	"TLS_AES_128_CCM_8_SHA256",
};
#define NSUITES13 (sizeof(suites13) / sizeof(suites13[0]))

/* The groups of checks.md Appendix B that OpenSSL 3.0 can offer. */
static const char *const groups[] = {
	"X25519", "P-256", "P-384", "P-521", "X448", "ffdhe2048", "ffdhe3072",
};
#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

static const struct {
	const char *family;
	const char *list;
} alt_sigalgs[SCAN_ALT_MAX] = {
	{"rsa", "rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:"
	    "rsa_pss_pss_sha256:rsa_pss_pss_sha384:rsa_pss_pss_sha512:"
	    "RSA+SHA256:RSA+SHA384:RSA+SHA512:RSA+SHA1"},
	{"ecdsa", "ECDSA+SHA256:ECDSA+SHA384:ECDSA+SHA512:ECDSA+SHA1"},
	{"eddsa", "ed25519:ed448"},
};

/* An SNI no certificate of the server should carry (RFC 6761 6.4). */
#define SCAN_UNRELATED_SNI "smtptls-unrelated.invalid"

/* Every suite the linked OpenSSL knows, NULL encryption and anonymous
 * ones included: the scan observes, it does not protect. */
#define SCAN_ALL_SUITES "ALL:COMPLEMENTOFALL"

#define SCAN_JOBS_MAX 32
#define SCAN_SLOTS_PER_ADDR 2 /* checks.md 1.9 */

struct job {
	enum job_kind kind;
	int arg;
	bool done;
	bool busy;    /* in the current round */
};

struct plan {
	struct probe_addr *pa;
	struct scan_facts *f;
	struct job jobs[SCAN_JOBS_MAX];
	size_t njobs;
	char std_leaf[65];      /* leaf of the standard handshake or "" */
	char sni_leaf[SCAN_SNI__COUNT][65];
};

struct slot {
	struct plan *pl;
	struct job *job;
	struct probe_addr tmp;  /* scratch address for the engine */
	bool setup_failed;
	int reneg, ems;         /* read in the done hook; -1 unknown */
};

struct round {
	struct slot *slots;
	size_t n;
};

static const int ver_num[SCAN_VER__COUNT] = {
	SSL2_VERSION, SSL3_VERSION, TLS1_VERSION, TLS1_1_VERSION,
	TLS1_2_VERSION, TLS1_3_VERSION,
};

const char *
scan_ver_key(enum scan_ver v)
{
	static const char *const k[SCAN_VER__COUNT] = {
		"ssl2", "ssl3", "tls1", "tls1_1", "tls1_2", "tls1_3",
	};

	return (int)v >= 0 && v < SCAN_VER__COUNT ? k[v] : "?";
}

const char *
scan_state_name(enum scan_state s)
{
	return s == SCAN_ACCEPTED ? "accepted" : s == SCAN_REFUSED ?
	    "refused" : "untested";
}

void
scan_facts_free(struct scan_facts *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->nalt; i++)
		if (f->alt[i].have_chain)
			cert_chain_result_release(&f->alt[i].chain);
	free(f);
}

/* chain_offer - every suite but those the server already chose */
static char *
chain_offer(const struct scan_facts *f, enum scan_ver v)
{
	size_t len = sizeof(SCAN_ALL_SUITES) + 16, i, off;
	char *s;

	for (i = 0; i < f->nsuites[v]; i++)
		len += strlen(f->suites[v][i].openssl) + 2;
	if ((s = malloc(len)) == NULL)
		return NULL;
	off = (size_t)snprintf(s, len, "%s", SCAN_ALL_SUITES);
	for (i = 0; i < f->nsuites[v] && off < len; i++)
		off += (size_t)snprintf(s + off, len - off, ":!%s",
		    f->suites[v][i].openssl);
	if (off < len)
		snprintf(s + off, len - off, ":@SECLEVEL=0");
	return s;
}

/* order_pair - the two TLS 1.2 suites of the order test: the server's
 * first choice and the first later choice of another class, if any */
static void
order_pair(const struct scan_facts *f, size_t *a, size_t *b)
{
	const struct scan_suite *s = f->suites[SCAN_TLS1_2];

	*a = 0;
	*b = 1;
	for (size_t i = 1; i < f->nsuites[SCAN_TLS1_2]; i++)
		if (s[i].cls != s[0].cls) {
			*b = i;
			return;
		}
}

static bool
set_version(SSL *ssl, int v)
{
	return SSL_set_min_proto_version(ssl, v) == 1 &&
	    SSL_set_max_proto_version(ssl, v) == 1;
}

static bool
hook_setup(void *arg, size_t i, SSL *ssl)
{
	struct slot *sl = &((struct round *)arg)->slots[i];
	const struct job *j = sl->job;
	const struct scan_facts *f = sl->pl->f;
	char *offer, two[200];
	size_t a, b;
	bool ok = false;

	switch (j->kind) {
	case J_CHAIN:
		if ((offer = chain_offer(f, (enum scan_ver)j->arg)) == NULL)
			break;
		ok = set_version(ssl, ver_num[j->arg]) &&
		    SSL_set_cipher_list(ssl, offer) == 1;
		free(offer);
		break;
	case J_V13:
		ok = set_version(ssl, TLS1_3_VERSION);
		break;
	case J_SUITE13:
		ok = set_version(ssl, TLS1_3_VERSION) &&
		    SSL_set_ciphersuites(ssl, suites13[j->arg]) == 1;
		break;
	case J_ORDER:
		order_pair(f, &a, &b);
		if (j->arg == 1) {
			size_t t = a;

			a = b;
			b = t;
		}
		snprintf(two, sizeof(two), "%s:%s:@SECLEVEL=0",
		    f->suites[SCAN_TLS1_2][a].openssl,
		    f->suites[SCAN_TLS1_2][b].openssl);
		ok = set_version(ssl, TLS1_2_VERSION) &&
		    SSL_set_cipher_list(ssl, two) == 1;
		break;
	case J_GROUP:
		ok = SSL_set1_groups_list(ssl, groups[j->arg]) == 1;
		break;
	case J_SNI:
		if (j->arg == SCAN_SNI_WITHOUT)
			ok = SSL_set_tlsext_host_name(ssl, NULL) == 1;
		else if (j->arg == SCAN_SNI_UNRELATED)
			ok = SSL_set_tlsext_host_name(ssl, SCAN_UNRELATED_SNI) == 1;
		else
			ok = true;
		break;
	case J_ALT:
		ok = SSL_set1_sigalgs_list(ssl, alt_sigalgs[j->arg].list) == 1;
		break;
	case J_INJECT:
		ok = true;
		break;
	}
	if (!ok) {
		sl->setup_failed = true;
		ERR_clear_error();
	}
	return ok;
}

static void
hook_done(void *arg, size_t i, SSL *ssl)
{
	struct slot *sl = &((struct round *)arg)->slots[i];

	if (SSL_version(ssl) != TLS1_2_VERSION)
		return;
	sl->reneg = SSL_get_secure_renegotiation_support(ssl) ? 1 : 0;
	sl->ems = SSL_get_extms_support(ssl);
}

static bool
hook_inject(void *arg, size_t i)
{
	return ((struct round *)arg)->slots[i].job->kind == J_INJECT;
}

static void
plan_add(struct plan *pl, enum job_kind k, int arg)
{
	if (pl->njobs < SCAN_JOBS_MAX)
		pl->jobs[pl->njobs++] = (struct job){.kind = k, .arg = arg};
}

static void
plan_init(struct plan *pl, struct probe_addr *pa, struct scan_facts *f)
{
	size_t i;

	memset(pl, 0, sizeof(*pl));
	pl->pa = pa;
	pl->f = f;
	if (pa->tls.have_chain && pa->tls.chain.ncerts > 0)
		snprintf(pl->std_leaf, sizeof(pl->std_leaf), "%s",
		    pa->tls.chain.certs[0].sha256_hex);
	/* The TLS 1.2 chain first: it is the longest. */
	plan_add(pl, J_CHAIN, SCAN_TLS1_2);
	plan_add(pl, J_V13, 0);
	plan_add(pl, J_CHAIN, SCAN_TLS1);
	plan_add(pl, J_CHAIN, SCAN_TLS1_1);
	for (i = 0; i < SCAN_SNI__COUNT; i++)
		plan_add(pl, J_SNI, (int)i);
	for (i = 0; i < NGROUPS; i++)
		plan_add(pl, J_GROUP, (int)i);
	for (i = 0; i < SCAN_ALT_MAX; i++)
		plan_add(pl, J_ALT, (int)i);
	for (i = 0; i < NSUITES13; i++)
		plan_add(pl, J_SUITE13, (int)i);
	plan_add(pl, J_ORDER, 0);
	plan_add(pl, J_ORDER, 1);
	plan_add(pl, J_INJECT, 0);
}

static bool
job_done_by_kind(const struct plan *pl, enum job_kind k, int arg)
{
	for (size_t i = 0; i < pl->njobs; i++)
		if (pl->jobs[i].kind == k && (arg < 0 || pl->jobs[i].arg == arg))
			if (!pl->jobs[i].done)
				return false;
	return true;
}

/* job_ready - may this job run now? Jobs whose prerequisite failed are
 * marked done (their items stay untested or empty). */
static bool
job_ready(struct plan *pl, struct job *j)
{
	const struct scan_facts *f = pl->f;

	if (j->done || j->busy)
		return false;
	switch (j->kind) {
	case J_SUITE13:
		if (!job_done_by_kind(pl, J_V13, -1))
			return false;
		if (f->versions[SCAN_TLS1_3] != SCAN_ACCEPTED)
			j->done = true;
		return !j->done;
	case J_ORDER:
		if (!job_done_by_kind(pl, J_CHAIN, SCAN_TLS1_2))
			return false;
		if (f->nsuites[SCAN_TLS1_2] < 2)
			j->done = true;
		return !j->done;
	case J_SNI:
		/* An address literal target has no name to send. */
		if (j->arg == SCAN_SNI_WITH && pl->pa->mx->literal)
			j->done = true;
		return !j->done;
	default:
		return true;
	}
}

enum outcome { OUT_OK = 0, OUT_REFUSED, OUT_ERROR };

static enum outcome
slot_outcome(const struct slot *sl)
{
	const struct probe_addr *t = &sl->tmp;

	if (t->tls.established)
		return OUT_OK;
	/* A handshake that started and failed, not by a timer. */
	if (t->tls.attempted && !sl->setup_failed && !t->tls.timeout &&
	    !t->deadline && t->sc.starttls.code == 220)
		return OUT_REFUSED;
	return OUT_ERROR;
}

static void
add_suite(struct scan_facts *f, enum scan_ver v, const struct tls_cipher_info *c)
{
	struct scan_suite *s;

	if (f->nsuites[v] >= SCAN_SUITES_MAX)
		return;
	s = &f->suites[v][f->nsuites[v]++];
	snprintf(s->iana, sizeof(s->iana), "%s", c->iana);
	snprintf(s->openssl, sizeof(s->openssl), "%s", c->openssl);
	s->cls = c->cls;
	s->anonymous = c->anonymous;
}

static bool
have_suite(const struct scan_facts *f, enum scan_ver v, const char *openssl)
{
	for (size_t i = 0; i < f->nsuites[v]; i++)
		if (strcmp(f->suites[v][i].openssl, openssl) == 0)
			return true;
	return false;
}

static void
note_dhe(struct scan_facts *f, const struct tls_facts *t)
{
	if (f->dhe_bits < 0 && t->version_num < TLS1_3_VERSION &&
	    t->group[0] == '\0' && t->kex_bits > 0 && t->cipher.forward_secrecy)
		f->dhe_bits = t->kex_bits;
}

static void
result_chain(struct slot *sl, enum outcome o)
{
	struct scan_facts *f = sl->pl->f;
	struct tls_facts *t = &sl->tmp.tls;
	enum scan_ver v = (enum scan_ver)sl->job->arg;
	bool first = f->nsuites[v] == 0;

	if (o == OUT_OK && t->version_num == ver_num[v] &&
	    !have_suite(f, v, t->cipher.openssl) &&
	    f->nsuites[v] < SCAN_SUITES_MAX) {
		f->versions[v] = SCAN_ACCEPTED;
		add_suite(f, v, &t->cipher);
		note_dhe(f, t);
		if (first && v == SCAN_TLS1_2) {
			f->reneg_secure = sl->reneg;
			f->ems = sl->ems < 0 ? -1 : sl->ems > 0;
		}
		return; /* the chain goes on */
	}
	if (first)
		f->versions[v] = o == OUT_REFUSED || o == OUT_OK ?
		    SCAN_REFUSED : SCAN_UNTESTED;
	if (o == OUT_ERROR && !first)
		f->incomplete = true;
	sl->job->done = true;
}

static void
result_alt(struct slot *sl)
{
	struct scan_facts *f = sl->pl->f;
	struct tls_facts *t = &sl->tmp.tls;
	struct scan_alt *a;
	const char *leaf;

	if (!t->have_chain || t->chain.ncerts == 0)
		return;
	leaf = t->chain.certs[0].sha256_hex;
	for (size_t i = 0; i < f->nalt; i++)
		if (strcmp(f->alt[i].leaf_sha256, leaf) == 0)
			return;
	if (f->nalt >= SCAN_ALT_MAX)
		return;
	a = &f->alt[f->nalt++];
	a->family = alt_sigalgs[sl->job->arg].family;
	snprintf(a->leaf_sha256, sizeof(a->leaf_sha256), "%s", leaf);
	a->chain = t->chain;       /* taken over */
	a->have_chain = true;
	t->have_chain = false;
	memset(&t->chain, 0, sizeof(t->chain));
	a->dane_checked = t->dane_checked;
	a->dane_verified = t->dane_verified;
}

static void
result_sni(struct slot *sl, enum outcome o)
{
	struct plan *pl = sl->pl;
	struct scan_facts *f = pl->f;
	const struct tls_facts *t = &sl->tmp.tls;
	int m = sl->job->arg;

	if (o == OUT_OK) {
		f->sni[m] = SNI_OK;
		if (t->have_chain && t->chain.ncerts > 0)
			snprintf(pl->sni_leaf[m], sizeof(pl->sni_leaf[m]), "%s",
			    t->chain.certs[0].sha256_hex);
	} else if (o == OUT_REFUSED && t->alert[0] != '\0') {
		f->sni[m] = SNI_ALERT;
		snprintf(f->sni_alert[m], sizeof(f->sni_alert[m]), "%s", t->alert);
	} else
		f->sni[m] = o == OUT_REFUSED ? SNI_CLOSED : SNI_ERROR;
	if (pl->sni_leaf[SCAN_SNI_WITHOUT][0] && pl->sni_leaf[SCAN_SNI_WITH][0])
		f->sni_same_cert = strcmp(pl->sni_leaf[SCAN_SNI_WITHOUT],
		    pl->sni_leaf[SCAN_SNI_WITH]) == 0;
}

/* slot_result - fold one session's outcome into its address's facts */
static void
slot_result(struct slot *sl)
{
	struct scan_facts *f = sl->pl->f;
	struct tls_facts *t = &sl->tmp.tls;
	enum outcome o = slot_outcome(sl);

	if (sl->tmp.deadline)
		f->incomplete = true;
	if (sl->job->kind == J_CHAIN) {
		result_chain(sl, o);
		return;
	}
	sl->job->done = true;
	switch (sl->job->kind) {
	case J_V13:
		if (o != OUT_ERROR)
			f->versions[SCAN_TLS1_3] = o == OUT_OK &&
			    t->version_num == TLS1_3_VERSION ?
			    SCAN_ACCEPTED : SCAN_REFUSED;
		break;
	case J_SUITE13:
		if (o == OUT_OK && t->version_num == TLS1_3_VERSION &&
		    !have_suite(f, SCAN_TLS1_3, t->cipher.openssl))
			add_suite(f, SCAN_TLS1_3, &t->cipher);
		break;
	case J_ORDER: {
		/* ORDER 0 offers the server's first choice first; 1 last. */
		size_t a, b;
		const struct scan_suite *s = f->suites[SCAN_TLS1_2];

		order_pair(f, &a, &b);
		if (o != OUT_OK)
			break;
		if (sl->job->arg == 1)
			f->server_order = strcmp(t->cipher.openssl, s[a].openssl) == 0 ?
			    1 : strcmp(t->cipher.openssl, s[b].openssl) == 0 ? 0 : -1;
		else if (strcmp(t->cipher.openssl, s[b].openssl) == 0)
			f->server_order = 0; /* not even its own first choice */
		break;
	}
	case J_GROUP:
		f->groups_tested = true;
		if (o == OUT_OK && t->group[0] != '\0' &&
		    f->ngroups < SCAN_GROUPS_MAX) {
			snprintf(f->groups[f->ngroups].name,
			    sizeof(f->groups[0].name), "%s", t->group);
			f->groups[f->ngroups++].cls =
			    tls_group_classify(t->group, t->kex_bits);
		}
		break;
	case J_SNI:
		result_sni(sl, o);
		break;
	case J_ALT:
		f->alt_tested = true;
		if (o == OUT_OK)
			result_alt(sl);
		break;
	case J_INJECT:
		if (o == OUT_OK && t->unsolicited >= 0)
			f->injection = t->unsolicited;
		break;
	default:
		break;
	}
}

static void
slot_release(struct slot *sl)
{
	if (sl->tmp.sc_ready)
		smtp_client_release(&sl->tmp.sc);
	if (sl->tmp.tls.have_chain)
		cert_chain_result_release(&sl->tmp.tls.chain);
	memset(&sl->tmp, 0, sizeof(sl->tmp));
}

/* fill_round - pick up to two ready jobs per address; the number of slots */
static size_t
fill_round(struct plan *plans, size_t n, struct slot *slots,
    struct probe_addr **tmp)
{
	size_t ns = 0;

	for (size_t i = 0; i < n; i++) {
		struct plan *pl = &plans[i];
		size_t taken = 0;

		for (size_t k = 0; k < pl->njobs && taken < SCAN_SLOTS_PER_ADDR; k++) {
			struct job *j = &pl->jobs[k];
			struct slot *sl;

			if (!job_ready(pl, j))
				continue;
			sl = &slots[ns];
			memset(sl, 0, sizeof(*sl));
			sl->pl = pl;
			sl->job = j;
			sl->reneg = sl->ems = -1;
			snprintf(sl->tmp.address, sizeof(sl->tmp.address), "%s",
			    pl->pa->address);
			sl->tmp.family = pl->pa->family;
			sl->tmp.mx = pl->pa->mx;
			sl->tmp.order = pl->pa->order;
			j->busy = true;
			tmp[ns++] = &sl->tmp;
			taken++;
		}
	}
	return ns;
}

static struct scan_facts *
facts_new(void)
{
	struct scan_facts *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	f->ran = true;
	f->server_order = f->dhe_bits = f->reneg_secure = f->ems = -1;
	f->sni_same_cert = f->injection = -1;
	return f;
}

enum st_err
scan_run_all(struct probe_addr **addrs, size_t n, const struct session_params *p)
{
	struct plan *plans = NULL;
	struct slot *slots = NULL;
	struct probe_addr **tmp = NULL;
	struct session_params sp = *p;
	struct round rd;
	struct session_hooks hooks = {
		.setup = hook_setup, .done = hook_done, .inject = hook_inject,
		.arg = &rd,
	};
	enum st_err err = ST_OK;
	size_t np = 0, i;
	long long t0 = clock_ms();

	sp.hooks = &hooks;
	plans = calloc(n + 1, sizeof(*plans));
	slots = calloc(n * SCAN_SLOTS_PER_ADDR + 1, sizeof(*slots));
	tmp = calloc(n * SCAN_SLOTS_PER_ADDR + 1, sizeof(*tmp));
	if (plans == NULL || slots == NULL || tmp == NULL) {
		err = ST_ERR_NOMEM;
		goto out;
	}
	/* checks.md 10: only addresses whose STARTTLS was accepted. */
	for (i = 0; i < n; i++) {
		struct probe_addr *pa = addrs[i];

		if (!pa->sc_ready || pa->sc.starttls.code != 220)
			continue;
		if ((pa->scan = facts_new()) == NULL) {
			err = ST_ERR_NOMEM;
			goto out;
		}
		plan_init(&plans[np++], pa, pa->scan);
	}
	rd.slots = slots;
	for (;;) {
		size_t ns;

		if (clock_ms() >= p->deadline) {
			for (i = 0; i < np; i++)
				for (size_t k = 0; k < plans[i].njobs; k++)
					if (!plans[i].jobs[k].done)
						plans[i].f->incomplete = true;
			break;
		}
		if ((ns = fill_round(plans, np, slots, tmp)) == 0)
			break;
		rd.n = ns;
		err = session_run_all(tmp, NULL, ns, &sp);
		for (i = 0; i < ns; i++) {
			slots[i].job->busy = false;
			if (err == ST_OK)
				slot_result(&slots[i]);
			slots[i].pl->f->handshakes++;
			slot_release(&slots[i]);
		}
		if (err != ST_OK)
			break;
	}
	for (i = 0; i < np; i++)
		plans[i].f->ms = (long)(clock_ms() - t0);
out:
	free(plans);
	free(slots);
	free(tmp);
	return err;
}
