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
 * client-initiated renegotiation without SCAN_EXTRA.
 *
 * With SCAN_EXTRA (compliance profiles) two more TLS 1.2 handshakes offer
 * only SHA-1, then only SHA-224 signature algorithms (security level 0,
 * (EC)DHE suites only so that the server must sign): NCSC-NL table 5; and
 * a third asks to renegotiate right after its handshake (NCSC-NL table
 * 13: client-initiated renegotiation).
 */
#include "scan_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>

#include "clock.h"
#include "session.h"
#include "session_target.h"

#include "banned.h"

static const char *const suites13[] = {
	"TLS_AES_256_GCM_SHA384",
	"TLS_CHACHA20_POLY1305_SHA256",
	"TLS_AES_128_GCM_SHA256",
	"TLS_AES_128_CCM_SHA256",
	"TLS_AES_128_CCM_8_SHA256",
};
#define NSUITES13 (sizeof(suites13) / sizeof(suites13[0]))

/* The groups of checks.md Appendix B that OpenSSL 3.0 can offer. */
static const char *const groups[] = {
	"X25519",
	"P-256",
	"P-384",
	"P-521",
	"X448",
	"ffdhe2048",
	"ffdhe3072",
};
#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

/* An SNI no certificate of the server should carry (RFC 6761 6.4). */
#define SCAN_UNRELATED_SNI "smtptls-unrelated.invalid"

/* Every suite the linked OpenSSL knows, NULL encryption and anonymous
 * ones included: the scan observes, it does not protect. */
#define SCAN_ALL_SUITES "ALL:COMPLEMENTOFALL"

/* J_KEXHASH offers: one hash, every signature algorithm that uses it */
static const char *const kex_sigalgs[2] = {
	"RSA+SHA1:ECDSA+SHA1:DSA+SHA1",
	"RSA+SHA224:ECDSA+SHA224:DSA+SHA224",
};
/* Suites whose key exchange the server signs */
#define SCAN_SIGNED_SUITES "kECDHE:kDHE:!aNULL:@SECLEVEL=0"

const char *
scan_ver_key(enum scan_ver v)
{
	static const char *const k[SCAN_VER__COUNT] = {
		"ssl2",
		"ssl3",
		"tls1",
		"tls1_1",
		"tls1_2",
		"tls1_3",
	};

	return (int)v >= 0 && v < SCAN_VER__COUNT ? k[v] : "?";
}

const char *
scan_state_name(enum scan_state s)
{
	return s == SCAN_ACCEPTED  ? "accepted"
	       : s == SCAN_REFUSED ? "refused"
	                           : "untested";
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

static bool
set_version(SSL *ssl, int v)
{
	return SSL_set_min_proto_version(ssl, v) == 1 &&
	       SSL_set_max_proto_version(ssl, v) == 1;
}

/* setup_order - the two TLS 1.2 suites of the order test, the server's
 * first choice first (arg 0) or last (arg 1) */
static bool
setup_order(SSL *ssl, const struct scan_facts *f, int arg)
{
	char two[200];
	size_t a, b;

	scan_order_pair(f, &a, &b);
	if (arg == 1) {
		size_t t = a;

		a = b;
		b = t;
	}
	snprintf(two, sizeof(two), "%s:%s:@SECLEVEL=0",
	    f->suites[SCAN_TLS1_2][a].openssl,
	    f->suites[SCAN_TLS1_2][b].openssl);
	return set_version(ssl, TLS1_2_VERSION) &&
	       SSL_set_cipher_list(ssl, two) == 1;
}

/* setup_kexhash - TLS 1.2, suites whose key exchange the server signs,
 * signature algorithms of one hash only (SHA-1 needs security level 0) */
static bool
setup_kexhash(SSL *ssl, int arg)
{
	SSL_set_security_level(ssl, 0);
	return set_version(ssl, TLS1_2_VERSION) &&
	       SSL_set_cipher_list(ssl, SCAN_SIGNED_SUITES) == 1 &&
	       SSL_set1_sigalgs_list(ssl, kex_sigalgs[arg & 1]) == 1;
}

static bool
hook_setup(void *arg, size_t i, SSL *ssl)
{
	struct slot *sl = &((struct round *)arg)->slots[i];
	const struct job *j = sl->job;
	const struct scan_facts *f = sl->pl->f;
	char *offer;
	bool ok = false;

	switch (j->kind) {
	case J_CHAIN:
		if ((offer = chain_offer(f, (enum scan_ver)j->arg)) == NULL)
			break;
		ok = set_version(ssl, scan_ver_num[j->arg]) &&
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
		ok = setup_order(ssl, f, j->arg);
		break;
	case J_GROUP:
		ok = SSL_set1_groups_list(ssl, groups[j->arg]) == 1;
		break;
	case J_SNI:
		if (j->arg == SCAN_SNI_WITHOUT)
			ok = SSL_set_tlsext_host_name(ssl, NULL) == 1;
		else if (j->arg == SCAN_SNI_UNRELATED)
			ok = SSL_set_tlsext_host_name(ssl,
			         SCAN_UNRELATED_SNI) == 1;
		else
			ok = true;
		break;
	case J_ALT:
		ok = SSL_set1_sigalgs_list(ssl,
		         scan_alt_sigalgs[j->arg].list) == 1;
		break;
	case J_INJECT:
		ok = true;
		break;
	case J_KEXHASH:
		ok = setup_kexhash(ssl, j->arg);
		break;
	case J_RENEG:
		ok = set_version(ssl, TLS1_2_VERSION);
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
	EVP_PKEY *tmp = NULL;

	/* OpenSSL names a DH prime that is one of RFC 7919's groups. In
	 * every version: the DHE facts come from the first DHE handshake,
	 * which may be a TLS 1.0 one (an unnamed prime there read as "dh"
	 * and failed NCSC-NL's RFC 7919 row even for ffdhe3072) */
	if (SSL_get_peer_tmp_key(ssl, &tmp) && tmp != NULL) {
		if (EVP_PKEY_get_base_id(tmp) == EVP_PKEY_DH &&
		    !EVP_PKEY_get_utf8_string_param(tmp,
		        OSSL_PKEY_PARAM_GROUP_NAME, sl->dhe_group,
		        sizeof(sl->dhe_group), NULL))
			sl->dhe_group[0] = '\0';
		EVP_PKEY_free(tmp);
		ERR_clear_error();
	}
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

static bool
hook_reneg(void *arg, size_t i)
{
	return ((struct round *)arg)->slots[i].job->kind == J_RENEG;
}

static void
plan_add(struct plan *pl, enum job_kind k, int arg)
{
	if (pl->njobs < SCAN_JOBS_MAX)
		pl->jobs[pl->njobs++] = (struct job){ .kind = k, .arg = arg };
}

static void
plan_init(struct plan *pl, struct probe_addr *pa, struct scan_facts *f,
    unsigned extra)
{
	size_t i;

	memset(pl, 0, sizeof(*pl));
	pl->pa = pa;
	pl->f = f;
	pl->extra = extra;
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
	if (extra & SCAN_EXTRA) {
		plan_add(pl, J_KEXHASH, 0);
		plan_add(pl, J_KEXHASH, 1);
		plan_add(pl, J_RENEG, 0);
	}
}

static bool
job_done_by_kind(const struct plan *pl, enum job_kind k, int arg)
{
	for (size_t i = 0; i < pl->njobs; i++)
		if (pl->jobs[i].kind == k &&
		    (arg < 0 || pl->jobs[i].arg == arg))
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

static void
slot_release(struct slot *sl)
{
	if (sl->tmp.sc_ready)
		smtp_client_release(&sl->tmp.sc);
	if (sl->tmp.tls.have_chain)
		cert_chain_result_release(&sl->tmp.tls.chain);
	session_chain_drop(&sl->tmp);
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

		for (size_t k = 0; k < pl->njobs && taken < SCAN_SLOTS_PER_ADDR;
		     k++) {
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
	f->kex_sha1 = f->kex_sha224 = f->reneg_client = -1;
	/* TLS compression needs a method the client can offer; OpenSSL 3
	 * as Debian builds it has none (no zlib). */
	f->compression_testable =
	    sk_SSL_COMP_num(SSL_COMP_get_compression_methods()) > 0;
	return f;
}

/* mark_incomplete - the deadline came before every job was done */
static void
mark_incomplete(struct plan *plans, size_t np)
{
	for (size_t i = 0; i < np; i++)
		for (size_t k = 0; k < plans[i].njobs; k++)
			if (!plans[i].jobs[k].done)
				plans[i].f->incomplete = true;
}

enum st_err
scan_run_all(struct probe_addr **addrs, size_t n,
    const struct session_params *p, unsigned extra)
{
	struct plan *plans = NULL;
	struct slot *slots = NULL;
	struct probe_addr **tmp = NULL;
	struct session_target *tg = NULL;
	struct session_params sp = *p;
	struct round rd;
	struct session_hooks hooks = {
		.setup = hook_setup,
		.done = hook_done,
		.inject = hook_inject,
		.reneg = hook_reneg,
		.arg = &rd,
	};
	enum st_err err = ST_OK;
	size_t np = 0, i;
	long long t0 = clock_ms();

	sp.hooks = &hooks;
	plans = calloc(n + 1, sizeof(*plans));
	slots = calloc(n * SCAN_SLOTS_PER_ADDR + 1, sizeof(*slots));
	tmp = calloc(n * SCAN_SLOTS_PER_ADDR + 1, sizeof(*tmp));
	tg = calloc(n * SCAN_SLOTS_PER_ADDR + 1, sizeof(*tg));
	sp.targets = tg;
	if (plans == NULL || slots == NULL || tmp == NULL || tg == NULL) {
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
		plan_init(&plans[np++], pa, pa->scan, extra);
	}
	rd.slots = slots;
	for (;;) {
		size_t ns;

		if (clock_ms() >= p->deadline) {
			mark_incomplete(plans, np);
			break;
		}
		if ((ns = fill_round(plans, np, slots, tmp)) == 0)
			break;
		rd.n = ns;
		for (i = 0; i < ns; i++)
			session_target_of(tmp[i]->mx, &tg[i]);
		err = session_run_all(tmp, NULL, ns, &sp);
		session_chains_check(tmp, tg, ns, &sp);
		for (i = 0; i < ns; i++) {
			slots[i].job->busy = false;
			if (err == ST_OK)
				scan_slot_result(&slots[i]);
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
	free(tg);
	return err;
}
