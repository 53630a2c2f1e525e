/*
 * scan_result.c - fold the outcome of one deep-scan session into the facts
 * of its address (see scan.c for the plan that chose the offer).
 */
#include "scan_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "banned.h"

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
add_suite(struct scan_facts *f, enum scan_ver v,
    const struct tls_cipher_info *c)
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
note_dhe(struct scan_facts *f, const struct slot *sl)
{
	const struct tls_facts *t = &sl->tmp.tls;

	if (f->dhe_bits < 0 && t->version_num < TLS1_3_VERSION &&
	    t->group[0] == '\0' && t->kex_bits > 0 &&
	    t->cipher.forward_secrecy) {
		f->dhe_bits = t->kex_bits;
		snprintf(f->dhe_group, sizeof(f->dhe_group), "%s",
		    sl->dhe_group);
	}
}

static void
result_chain(struct slot *sl, enum outcome o)
{
	struct scan_facts *f = sl->pl->f;
	struct tls_facts *t = &sl->tmp.tls;
	enum scan_ver v = (enum scan_ver)sl->job->arg;
	bool first = f->nsuites[v] == 0;

	if (o == OUT_OK && t->version_num == scan_ver_num[v] &&
	    !have_suite(f, v, t->cipher.openssl) &&
	    f->nsuites[v] < SCAN_SUITES_MAX) {
		f->versions[v] = SCAN_ACCEPTED;
		add_suite(f, v, &t->cipher);
		note_dhe(f, sl);
		if (first && v == SCAN_TLS1_2) {
			f->reneg_secure = sl->reneg;
			f->ems = sl->ems < 0 ? -1 : sl->ems > 0;
		}
		return; /* the chain goes on */
	}
	if (first)
		f->versions[v] = o == OUT_REFUSED || o == OUT_OK
		                     ? SCAN_REFUSED
		                     : SCAN_UNTESTED;
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
	a->family = scan_alt_sigalgs[sl->job->arg].family;
	snprintf(a->leaf_sha256, sizeof(a->leaf_sha256), "%s", leaf);
	a->chain = t->chain; /* taken over */
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
		snprintf(f->sni_alert[m], sizeof(f->sni_alert[m]), "%s",
		    t->alert);
	} else
		f->sni[m] = o == OUT_REFUSED ? SNI_CLOSED : SNI_ERROR;
	if (pl->sni_leaf[SCAN_SNI_WITHOUT][0] && pl->sni_leaf[SCAN_SNI_WITH][0])
		f->sni_same_cert = strcmp(pl->sni_leaf[SCAN_SNI_WITHOUT],
		                       pl->sni_leaf[SCAN_SNI_WITH]) == 0;
}

/* result_order - ORDER 0 offers the server's first choice first; 1 last */
static void
result_order(struct slot *sl)
{
	struct scan_facts *f = sl->pl->f;
	const char *got = sl->tmp.tls.cipher.openssl;
	const struct scan_suite *s = f->suites[SCAN_TLS1_2];
	size_t a, b;

	scan_order_pair(f, &a, &b);
	if (sl->job->arg == 1)
		f->server_order = strcmp(got, s[a].openssl) == 0   ? 1
		                  : strcmp(got, s[b].openssl) == 0 ? 0
		                                                   : -1;
	else if (strcmp(got, s[b].openssl) == 0)
		f->server_order = 0; /* not even its own first choice */
}

/* result_kexhash - accepted only when the server signed with the one hash
 * offered (OpenSSL refuses any other), refused when the handshake failed */
static void
result_kexhash(struct slot *sl, enum outcome o)
{
	struct scan_facts *f = sl->pl->f;
	const char *want = sl->job->arg == 0 ? "SHA1" : "SHA224";
	int *v = sl->job->arg == 0 ? &f->kex_sha1 : &f->kex_sha224;

	if (o == OUT_REFUSED)
		*v = 0;
	else if (o == OUT_OK)
		*v = strcasecmp(sl->tmp.tls.sigalg_hash, want) == 0 ? 1 : -1;
}

/* result_group - the group a handshake offered one group agreed on */
static void
result_group(struct slot *sl, enum outcome o)
{
	struct scan_facts *f = sl->pl->f;
	const struct tls_facts *t = &sl->tmp.tls;

	f->groups_tested = true;
	if (o != OUT_OK || t->group[0] == '\0' || f->ngroups >= SCAN_GROUPS_MAX)
		return;
	snprintf(f->groups[f->ngroups].name, sizeof(f->groups[0].name), "%s",
	    t->group);
	f->groups[f->ngroups++].cls = tls_group_classify(t->group, t->kex_bits);
}

/* slot_result - fold one session's outcome into its address's facts */
void
scan_slot_result(struct slot *sl)
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
			f->versions[SCAN_TLS1_3] =
			    o == OUT_OK && t->version_num == TLS1_3_VERSION
			        ? SCAN_ACCEPTED
			        : SCAN_REFUSED;
		break;
	case J_SUITE13:
		if (o == OUT_OK && t->version_num == TLS1_3_VERSION &&
		    !have_suite(f, SCAN_TLS1_3, t->cipher.openssl))
			add_suite(f, SCAN_TLS1_3, &t->cipher);
		break;
	case J_ORDER:
		if (o == OUT_OK)
			result_order(sl);
		break;
	case J_GROUP:
		result_group(sl, o);
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
	case J_KEXHASH:
		result_kexhash(sl, o);
		break;
	case J_RENEG:
		if (o == OUT_OK && t->version_num == TLS1_2_VERSION)
			f->reneg_client = t->renegotiated;
		break;
	default:
		break;
	}
}
