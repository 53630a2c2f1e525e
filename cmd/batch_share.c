/*
 * batch_share.c - around a --domains run (probe_batch.c): the sessions and
 * politeness limits its probes share (issue 14, smtptls/probe.h
 * probe_share_new), and with -v what the sharing saved. The environment's
 * SMTPTLS_SHARE=0 turns the sharing (not the limits) off: a bench and
 * debug knob (man page ENVIRONMENT, bench/scale.sh).
 */
#include "probe_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

int
batch_share_begin(struct probe_options *o, struct global_opts *g)
{
	const char *env = getenv("SMTPTLS_SHARE");
	bool sessions = env == NULL || strcmp(env, "0") != 0;

	if ((o->share = probe_share_new(o, sessions)) == NULL)
		return cmd_error(g, EXIT_INTERNAL, "out-of-memory", "internal",
		    "out of memory");
	return -1;
}

void
batch_share_end(struct probe_options *o, const struct global_opts *g)
{
	struct probe_share_stats st;

	if (o->share != NULL && g->verbose > 0) {
		probe_share_stats(o->share, &st);
		fprintf(stderr,
		    "smtptls: %zu connections, %zu results shared, %zu "
		    "retries after rate limiting; %zu shareable DNS lookups "
		    "sent, %zu answers shared",
		    st.sessions, st.copies, st.retries, st.dns_lookups,
		    st.dns_shared);
		if (st.forgotten > 0)
			fprintf(stderr, "; %zu finished sessions forgotten",
			    st.forgotten);
		fputc('\n', stderr);
	}
	probe_share_free(o->share);
	o->share = NULL;
}
