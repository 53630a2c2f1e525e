/*
 * probe_batch.c - "smtptls probe --domains FILE": probe every entry of a
 * list, at most --parallel at a time, and write each report as it finishes
 * (JSON Lines with --json or --output) to standard output or -o FILE. The
 * list is streamed: a line is read when a worker is free, so memory grows
 * with the entries in flight and the set of keys done, never with the
 * list. What each kind of line gives is smtptls(1), "DOMAIN LISTS"; the
 * line rules are src/run/batch_line.c, the shard rule batch_shard.c. The
 * exit code is the highest-ranking one over this run's entries (report.md
 * 8: 4, 2, 1, 3, 0).
 */
#include "probe_cmd.h"

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "buf.h"
#include "smtptls/batch.h"
#include "smtptls/probe.h"
#include "smtp_reply.h"
#include "st_limits.h"

#include "banned.h"

struct batch {
	FILE *in;
	const char *file;
	size_t lineno, entries;
	const struct probe_options *base;
	const struct probe_out_opts *oo;
	const struct global_opts *g; /* messages on stderr */
	struct global_opts rg;       /* the reports: JSON with --output */
	struct report_sink sink;
	struct batch_keyset *seen, *done; /* this run's keys; --resume's */
	struct probe_progress prog;
	/* Two locks, so that a worker waiting for the next line of a slow
	 * list (a pipe) never holds back another's report: in_lock guards
	 * in, lineno, entries and the key sets; out_lock the sink, worst
	 * and prog. Taken in that order when both are. */
	pthread_mutex_t in_lock, out_lock;
	int worst;
	atomic_int stop;         /* why the run stopped early: an errno, or
	                          * STOP_LIB: lib_err says */
	enum st_err lib_err;     /* under in_lock */
	atomic_size_t probed;    /* entries probed, for batch_trim */
	atomic_long trimmed_rss; /* resident bytes after the last trim */
};

/* exit_rank - report.md 8 precedence: 4, then 2, 1, 3, 0 */
static int
exit_rank(int code)
{
	static const int
	    rank[] = { [0] = 0, [3] = 1, [1] = 2, [2] = 3, [4] = 4 };

	return code >= 0 && code <= 4 ? rank[code] : 4;
}

/* batch_stop - the first reason to stop wins */
static void
batch_stop(struct batch *b, int why)
{
	int none = 0;

	(void)atomic_compare_exchange_strong(&b->stop, &none, why);
}

/* batch_emit - the result of the entry of line lineno: its report (text,
 * whole, or NULL), its exit code, the progress line */
static void
batch_emit(struct batch *b, size_t lineno, const char *text, size_t len,
    int code)
{
	int e;

	pthread_mutex_lock(&b->out_lock);
	if (text != NULL && (e = report_sink_write(&b->sink, text, len)) != 0)
		batch_stop(b, e);
	if (exit_rank(code) > exit_rank(b->worst))
		b->worst = code;
	b->prog.done++;
	if (code != EXIT_PASS)
		b->prog.failed++;
	if (lineno > b->prog.lines)
		b->prog.lines = lineno;
	probe_progress_draw(&b->prog, false);
	pthread_mutex_unlock(&b->out_lock);
}

/* batch_say - one line on stderr, clear of the progress line */
static void
batch_say(struct batch *b, const char *msg)
{
	pthread_mutex_lock(&b->out_lock);
	probe_progress_clear(&b->prog);
	fprintf(stderr, "smtptls: --domains: %s\n", msg);
	pthread_mutex_unlock(&b->out_lock);
}

/* error_doc - report.md 7.2 with the entry it is about: target.input (the
 * key that --resume reads back) and the line of the list */
static char *
error_doc(const struct batch_line *l, size_t lineno, const char *code,
    const char *msg, int exit_code)
{
	cJSON *d = cJSON_CreateObject(), *t, *e;
	char *s = NULL;

	if (d == NULL)
		return NULL;
	cJSON_AddStringToObject(d, "schema_version", "1.0");
	cJSON_AddStringToObject(d, "type", "error");
	t = cJSON_AddObjectToObject(d, "tool");
	cJSON_AddStringToObject(t, "name", "smtptls");
	cJSON_AddStringToObject(t, "version", smtptls_version());
	t = cJSON_AddObjectToObject(d, "target");
	cJSON_AddStringToObject(t, "input", l->key);
	cJSON_AddNumberToObject(t, "line", (double)lineno);
	e = cJSON_AddObjectToObject(d, "error");
	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "phase", "options");
	cJSON_AddStringToObject(e, "message", msg);
	cJSON_AddNumberToObject(d, "exit_code", exit_code);
	/* a member missing for want of memory leaves an incomplete
	 * document: none is better */
	if (cJSON_GetObjectItem(d, "exit_code") != NULL)
		s = cJSON_PrintUnformatted(d);
	cJSON_Delete(d);
	/* with its LF, so that one write() carries the whole line */
	if (s != NULL) {
		size_t n = strlen(s);
		char *line = realloc(s, n + 2);

		if (line == NULL) {
			free(s);
			return NULL;
		}
		memcpy(line + n, "\n", 2);
		s = line;
	}
	return s;
}

/* entry_error - an entry without a report: one line on stderr and, when
 * the reports are JSON, an error document in their stream */
static void entry_error(struct batch *b, const struct batch_line *l,
    size_t lineno, int exit_code, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void
entry_error(struct batch *b, const struct batch_line *l, size_t lineno,
    int exit_code, const char *code, const char *fmt, ...)
{
	char raw[600], msg[600 * 4], line[600 * 4 + 32];
	va_list ap;
	char *doc = NULL;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	(void)smtp_reply_escape(msg, sizeof(msg), raw, strlen(raw));
	snprintf(line, sizeof(line), "line %zu: %s", lineno, msg);
	batch_say(b, line);
	if (b->rg.json &&
	    (doc = error_doc(l, lineno, code, msg, exit_code)) == NULL) {
		batch_stop(b, ENOMEM);
		return;
	}
	batch_emit(b, lineno, doc, doc != NULL ? strlen(doc) : 0, exit_code);
	free(doc);
}

/* read_line - the next line of f: its first BATCH_LINE_MAX + 1 octets in
 * buf (*len of them), the rest read and dropped, its whole length in
 * *full (without LF); false at the end of the file */
static bool
read_line(FILE *f, char *buf, size_t *len, size_t *full)
{
	size_t n = 0, all = 0;
	int c;

	while ((c = getc_unlocked(f)) != EOF && c != '\n') {
		if (n < BATCH_LINE_MAX + 1)
			buf[n++] = (char)c;
		all++;
	}
	*len = n;
	*full = all;
	return c != EOF || all > 0;
}

enum take { TAKE_PROBE, TAKE_PASS, TAKE_STOP };

/* batch.stop: a library call failed (lib_err), no errno */
#define STOP_LIB (-1)

/* take - whether line lineno (classified in l) is probed: invalid entries
 * are reported here, other shards, entries done and repeats passed over */
static enum take
take(struct batch *b, const struct batch_line *l, size_t lineno)
{
	unsigned shard;
	uint64_t h;
	bool added;

	if (l->kind == BATCH_LINE_SKIP)
		return TAKE_PASS;
	b->entries++;
	if (b->oo->sharded) {
		b->lib_err = batch_line_shard(l, b->oo->shard_n, &shard);
		if (b->lib_err != ST_OK)
			return TAKE_STOP;
		if (shard != b->oo->shard_i)
			return TAKE_PASS;
	}
	if ((b->lib_err = batch_hash(l->key, strlen(l->key), &h)) != ST_OK)
		return TAKE_STOP;
	if (batch_keyset_has(b->done, h))
		return TAKE_PASS; /* --resume: in the output already */
	if ((b->lib_err = batch_keyset_add(b->seen, h, &added)) != ST_OK)
		return TAKE_STOP;
	if (!added) {
		char msg[sizeof(l->key) + 80];

		snprintf(msg, sizeof(msg),
		    "line %zu: '%s' is listed before; probed once", lineno,
		    l->kind == BATCH_LINE_INVALID ? "(invalid)" : l->key);
		batch_say(b, msg);
		return TAKE_PASS;
	}
	if (l->kind != BATCH_LINE_INVALID)
		return TAKE_PROBE;
	if (l->entry_len > 0)
		entry_error(b, l, lineno, EXIT_USAGE, "usage",
		    "invalid entry '%s': %s", l->entry, l->why);
	else /* a line too long to quote: target.input has its start */
		entry_error(b, l, lineno, EXIT_USAGE, "usage", "%s", l->why);
	return TAKE_PASS;
}

/* next_entry - under in_lock: the next entry to probe, in *l and
 * *lineno; false at the end of the list or when the run stops */
static bool
next_entry(struct batch *b, struct batch_line *l, size_t *lineno)
{
	char buf[BATCH_LINE_MAX + 1];
	size_t len, full;

	while (
	    atomic_load(&b->stop) == 0 && read_line(b->in, buf, &len, &full)) {
		enum take t;

		*lineno = ++b->lineno;
		if ((b->lib_err = batch_line_classify(buf, len, full, l)) !=
		    ST_OK)
			t = TAKE_STOP;
		else
			t = take(b, l, *lineno);
		if (t == TAKE_PROBE)
			return true;
		if (t == TAKE_STOP)
			batch_stop(b, STOP_LIB);
	}
	return false;
}

/* batch_result - the report of one probed entry, rendered in text (the
 * worker's, kept from one entry to the next) */
static void
batch_result(struct batch *b, struct buf *text, const struct batch_line *l,
    size_t lineno, enum st_err err, const struct probe_result *r,
    const char *errmsg)
{
	int code;

	if (err == ST_ERR_INVAL) {
		entry_error(b, l, lineno, EXIT_USAGE, "usage", "'%s': %s",
		    l->entry, errmsg);
		return;
	}
	if (err != ST_OK) {
		entry_error(b, l, lineno, EXIT_INTERNAL,
		    err == ST_ERR_NOMEM ? "out-of-memory" : "internal",
		    "'%s': probe failed: %s%s%s", l->entry, st_strerror(err),
		    errmsg[0] ? ": " : "", errmsg);
		return;
	}
	buf_reset(text);
	if ((code = cmd_probe_report_text(r, &b->rg, text)) < 0) {
		entry_error(b, l, lineno, EXIT_INTERNAL, "out-of-memory",
		    "'%s': out of memory while rendering the report", l->entry);
		return;
	}
	batch_emit(b, lineno, text->data, text->len, code);
}

/* Entries between two looks at the resident size (batch_trim). */
#define BATCH_TRIM_EVERY 64
/* The largest report buffer a worker keeps for its next entry. */
#define BATCH_TEXT_KEEP (1024 * 1024)
/* Growth of the resident size since the last trim that calls for one. */
#define BATCH_TRIM_GROWTH (8L << 20)

/* resident_bytes - the process's resident size (Linux: /proc/self/statm),
 * -1 when it cannot be read */
static long
resident_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "re");
	long size, pages = -1, page = sysconf(_SC_PAGESIZE);

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &pages) != 2)
		pages = -1;
	fclose(f);
	return pages < 0 || page <= 0 ? -1 : pages * page;
}

/*
 * batch_trim - every BATCH_TRIM_EVERY probed entries, when the resident
 * size grew by BATCH_TRIM_GROWTH since the last trim (or cannot be read),
 * hand the free pages of every malloc arena back to the system. A probe's
 * DNS threads and workers allocate in up to 8 arenas per core, and what a
 * finished probe freed stays resident between the chunks still in use
 * (the shared sessions), so without trimming the peak RSS grew with the
 * length of the list (71 MiB at 10,000 domains, 10.8 MiB of it live at
 * 2,000). A trim is not free: each page it returns is one madvise() with
 * its TLB shootdown, and a page touched again faults back in. Trimming
 * every 64 entries whatever the size took a quarter of the batch's CPU
 * (5,000 scale-lab domains: 16.5 s of CPU, 12.1 s without trimming at
 * 52.5 MiB). glibc only: other C libraries keep their own policy.
 */
static void
batch_trim(struct batch *b)
{
	size_t n = atomic_fetch_add(&b->probed, 1) + 1;
	long rss;

#ifdef __GLIBC__
	if (n % BATCH_TRIM_EVERY != 0)
		return;
	/* Two workers may both trim: harmless, and rare. */
	rss = resident_bytes();
	if (rss >= 0 && rss < atomic_load(&b->trimmed_rss) + BATCH_TRIM_GROWTH)
		return;
	(void)malloc_trim(0);
	atomic_store(&b->trimmed_rss, resident_bytes());
#else
	(void)n;
	(void)rss;
#endif
}

static void *
batch_worker(void *arg)
{
	struct batch *b = arg;
	struct batch_line l;
	struct buf text;

	buf_init(&text, REPORT_TEXT_MAX);
	for (;;) {
		struct probe_options o;
		struct probe_result *r = NULL;
		char errmsg[300];
		enum st_err err;
		size_t lineno = 0;
		bool more;

		pthread_mutex_lock(&b->in_lock);
		more = next_entry(b, &l, &lineno);
		pthread_mutex_unlock(&b->in_lock);
		if (!more)
			break;
		o = *b->base;
		o.target = l.entry;
		err = probe_run(&o, &r, errmsg, sizeof(errmsg));
		batch_result(b, &text, &l, lineno, err, r, errmsg);
		probe_result_free(r);
		/* a rare giant report does not stay with the worker */
		if (text.cap > BATCH_TEXT_KEEP)
			buf_release(&text);
		batch_trim(b);
	}
	buf_release(&text);
	return NULL;
}

/* batch_threads - parallel workers until the list is done */
static void
batch_threads(struct batch *b, unsigned parallel)
{
	pthread_t *tids = calloc(parallel, sizeof(*tids));
	size_t started = 0;

	pthread_mutex_init(&b->in_lock, NULL);
	pthread_mutex_init(&b->out_lock, NULL);
	for (unsigned i = 0; tids != NULL && i < parallel; i++)
		if (pthread_create(&tids[started], NULL, batch_worker, b) == 0)
			started++;
	if (started == 0)
		(void)batch_worker(b); /* no thread: this one does it all */
	for (size_t i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	pthread_mutex_destroy(&b->in_lock);
	pthread_mutex_destroy(&b->out_lock);
	free(tids);
}

/* batch_open - the key sets, --resume's reading, the list, the sink;
 * -1 when the run goes on, else its exit code */
static int
batch_open(struct batch *b)
{
	const char *out = b->oo->output;
	size_t docs;
	bool torn;
	int rc, e;

	b->seen = batch_keyset_new();
	b->done = batch_keyset_new();
	if (b->seen == NULL || b->done == NULL)
		return cmd_error(b->g, EXIT_INTERNAL, "out-of-memory",
		    "internal", "out of memory");
	if (b->oo->resume &&
	    (rc = probe_resume_load(out, b->done, &docs, &torn, b->g)) >= 0)
		return rc;
	if (b->oo->resume && torn)
		fprintf(stderr,
		    "smtptls: --resume: cut a torn last line off '%s'\n", out);
	if ((b->in = fopen(b->file, "r")) == NULL)
		return cmd_error(b->g, EXIT_USAGE, "config", "options",
		    "--domains: cannot read '%s': %s", b->file,
		    strerror(errno));
	if ((e = report_sink_open(&b->sink, out, b->oo->resume)) != 0)
		return cmd_error(b->g, EXIT_USAGE, "config", "options",
		    "--output: cannot write '%s': %s", out, strerror(e));
	return -1;
}

/* batch_end - the run's exit code, after what stopped it early */
static int
batch_end(struct batch *b)
{
	int e = report_sink_close(&b->sink), stop = atomic_load(&b->stop);

	probe_progress_draw(&b->prog, true);
	if (ferror(b->in))
		return cmd_error(b->g, EXIT_USAGE, "config", "options",
		    "--domains: cannot read '%s'", b->file);
	if (stop == STOP_LIB || stop == ENOMEM)
		return cmd_error(b->g, EXIT_INTERNAL,
		    stop == ENOMEM || b->lib_err == ST_ERR_NOMEM
		        ? "out-of-memory"
		        : "internal",
		    "internal", "stopped at line %zu of '%s': %s", b->lineno,
		    b->file,
		    stop == ENOMEM ? "out of memory" : st_strerror(b->lib_err));
	if (stop != 0 || e != 0)
		return cmd_error(b->g, EXIT_INCOMPLETE, "config", "internal",
		    "cannot write the report%s%s%s: %s; stopped at line %zu",
		    b->oo->output ? " to '" : "",
		    b->oo->output ? b->oo->output : "",
		    b->oo->output ? "'" : "", strerror(stop ? stop : e),
		    b->lineno);
	if (b->entries == 0)
		return cmd_error(b->g, EXIT_USAGE, "config", "options",
		    "--domains: no domain in '%s'", b->file);
	return b->worst;
}

int
cmd_probe_batch(const char *file, unsigned parallel,
    const struct probe_options *base, const struct probe_out_opts *oo,
    struct global_opts *g)
{
	struct batch b = { .file = file,
		.base = base,
		.oo = oo,
		.g = g,
		.rg = *g,
		.sink = { .fd = -1 },
		.worst = EXIT_PASS };
	char errmsg[200];
	int rc;

	/* -o FILE holds JSON Lines: the form --resume reads back */
	b.rg.json = g->json || oo->output != NULL;
	probe_progress_init(&b.prog, file, !g->quiet);
	if ((rc = batch_open(&b)) >= 0)
		goto out;
	if (probe_global_init(errmsg, sizeof(errmsg)) != ST_OK) {
		rc = cmd_error(g, EXIT_INTERNAL, "internal", "internal", "%s",
		    errmsg);
		goto out;
	}
	batch_threads(&b, parallel);
	rc = batch_end(&b);
out:
	if (b.in != NULL)
		fclose(b.in);
	(void)report_sink_close(&b.sink); /* closed already, or never open */
	batch_keyset_free(b.seen);
	batch_keyset_free(b.done);
	return rc;
}
