/*
 * mtasts_txt.c - parse the _mta-sts TXT record (RFC 8461 3.1).
 *
 * Owns nothing beyond the caller's struct mtasts_txt. Never does I/O,
 * never allocates, never prints; peer bytes are copied only into the
 * bounded arrays of the result.
 */
#include "mtasts_txt.h"

#include <assert.h>
#include <string.h>

#include "ascii.h"
#include "txt_record.h"

#include "banned.h"

#define STS_VERSION "v=STSv1"
#define STS_VERSION_LEN (sizeof(STS_VERSION) - 1)

static const char *const status_names[] = {
	[MTASTS_TXT_NONE] = "none",
	[MTASTS_TXT_VALID] = "valid",
	[MTASTS_TXT_INVALID] = "invalid",
	[MTASTS_TXT_MULTIPLE] = "multiple",
};
static_assert(sizeof(status_names) / sizeof(status_names[0]) ==
                  MTASTS_TXT__COUNT,
    "status_names must name every status");

static const char *const prob_names[] = {
	[MTASTS_TXT_P_MULTIPLE] = "more than one v=STSv1 record",
	[MTASTS_TXT_P_NO_FIELDS] = "no field after v=STSv1",
	[MTASTS_TXT_P_ID_MISSING] = "no id field",
	[MTASTS_TXT_P_ID_EMPTY] = "empty id",
	[MTASTS_TXT_P_ID_TOO_LONG] = "id longer than 32 characters",
	[MTASTS_TXT_P_ID_BAD_CHAR] = "id not only letters and digits",
	[MTASTS_TXT_P_ID_DUPLICATE] = "id given more than once, first used",
	[MTASTS_TXT_P_EMPTY_FIELD] = "empty field",
	[MTASTS_TXT_P_BAD_NAME] = "malformed field name",
	[MTASTS_TXT_P_NO_EQUALS] = "field without '='",
	[MTASTS_TXT_P_BAD_VALUE] = "malformed field value",
	[MTASTS_TXT_P_WS_BEFORE_SEMI] = "whitespace between v=STSv1 and ';'",
	[MTASTS_TXT_P_TRAILING_WS] = "trailing whitespace",
	[MTASTS_TXT_P_LOOKALIKE] =
	    "record resembling v=STSv1 discarded by senders",
	[MTASTS_TXT_P_TOO_MANY_FIELDS] = "too many fields, rest not kept",
};
static_assert(sizeof(prob_names) / sizeof(prob_names[0]) == MTASTS_TXT_P__COUNT,
    "prob_names must name every problem");
static_assert(MTASTS_TXT_NAME_MAX >= TXT_RECORD_NAME_MAX,
    "a field name that passes must fit");

const char *
mtasts_txt_status_name(enum mtasts_txt_status s)
{
	if ((int)s < 0 || s >= MTASTS_TXT__COUNT)
		return "invalid";
	return status_names[s];
}

const char *
mtasts_txt_prob_name(enum mtasts_txt_prob p)
{
	if ((int)p < 0 || p >= MTASTS_TXT_P__COUNT)
		return "invalid";
	return prob_names[p];
}

/* add_problem - keep one problem (or count it past the cap) */
static void
add_problem(struct mtasts_txt *t, enum mtasts_txt_prob code, bool fatal,
    size_t record, const char *ev, size_t ev_len)
{
	struct mtasts_txt_problem *pr;

	if (fatal)
		t->fatal = true;
	if (t->nproblems >= MTASTS_TXT_PROBLEMS_MAX) {
		t->problems_dropped++;
		return;
	}
	pr = &t->problems[t->nproblems++];
	pr->code = code;
	pr->fatal = fatal;
	pr->record = record;
	if (ev == NULL)
		ev_len = 0;
	if (ev_len > MTASTS_TXT_EVIDENCE_MAX)
		ev_len = MTASTS_TXT_EVIDENCE_MAX;
	if (ev_len > 0)
		memcpy(pr->evidence, ev, ev_len);
	pr->evidence[ev_len] = '\0';
	pr->evidence_len = ev_len;
}

void
mtasts_txt_init(struct mtasts_txt *t)
{
	memset(t, 0, sizeof(*t));
	t->status = MTASTS_TXT_NONE;
}

void
mtasts_txt_release(struct mtasts_txt *t)
{
	if (t == NULL)
		return;
	mtasts_txt_init(t);
}

/* parse_id - judge an "id=" field's value; keep the first valid one */
static void
parse_id(struct mtasts_txt *t, size_t rec, const char *f, size_t flen,
    const char *v, size_t vlen, bool *id_seen)
{
	size_t i;

	if (*id_seen)
		add_problem(t, MTASTS_TXT_P_ID_DUPLICATE, false, rec, f, flen);
	if (vlen == 0) {
		add_problem(t, MTASTS_TXT_P_ID_EMPTY, true, rec, f, flen);
		goto out;
	}
	for (i = 0; i < vlen; i++)
		if (!ascii_is_alnum((unsigned char)v[i])) {
			add_problem(t, MTASTS_TXT_P_ID_BAD_CHAR, true, rec, f,
			    flen);
			goto out;
		}
	if (vlen > MTASTS_TXT_ID_MAX) {
		add_problem(t, MTASTS_TXT_P_ID_TOO_LONG, true, rec, f, flen);
		goto out;
	}
	if (!*id_seen) {
		memcpy(t->id, v, vlen);
		t->id[vlen] = '\0';
		t->has_id = true;
	}
out:
	*id_seen = true;
}

/* parse_ext - judge an extension field and keep it if valid */
static void
parse_ext(struct mtasts_txt *t, size_t rec, const struct txt_record_field *f)
{
	struct mtasts_txt_field *fld;
	size_t keep;

	if (!txt_record_ext_name_ok(f->p, f->name_len)) {
		add_problem(t, MTASTS_TXT_P_BAD_NAME, true, rec, f->p, f->len);
		return;
	}
	if (!txt_record_ext_value_ok(f->value, f->value_len)) {
		add_problem(t, MTASTS_TXT_P_BAD_VALUE, true, rec, f->p, f->len);
		return;
	}
	if (t->nfields >= MTASTS_TXT_FIELDS_MAX) {
		if (t->fields_dropped++ == 0)
			add_problem(t, MTASTS_TXT_P_TOO_MANY_FIELDS, false, rec,
			    f->p, f->len);
		return;
	}
	fld = &t->fields[t->nfields++];
	memcpy(fld->name, f->p, f->name_len);
	fld->name[f->name_len] = '\0';
	keep = f->value_len > MTASTS_TXT_VALUE_MAX ? MTASTS_TXT_VALUE_MAX
	                                           : f->value_len;
	memcpy(fld->value, f->value, keep);
	fld->value[keep] = '\0';
	fld->value_cut = keep < f->value_len;
}

/* parse_field - one non-empty field */
static void
parse_field(struct mtasts_txt *t, size_t rec, const struct txt_record_field *f,
    bool *id_seen)
{
	if (f->value == NULL) {
		add_problem(t, MTASTS_TXT_P_NO_EQUALS, true, rec, f->p, f->len);
		return;
	}
	/* RFC 8461 3.1: sts-id is %s"id=", so "ID=" is an extension. */
	if (f->name_len == 2 && memcmp(f->p, "id", 2) == 0)
		parse_id(t, rec, f->p, f->len, f->value, f->value_len, id_seen);
	else
		parse_ext(t, rec, f);
}

/* parse_record - judge the one candidate record */
static void
parse_record(struct mtasts_txt *t, size_t rec, const char *p, size_t len)
{
	struct txt_record_walk w;
	struct txt_record_field f;
	bool id_seen = false;

	txt_record_walk_init(&w, p, len, STS_VERSION_LEN);
	if (w.ws_before_semi) {
		t->ws_before_semicolon = true;
		add_problem(t, MTASTS_TXT_P_WS_BEFORE_SEMI, false, rec, p,
		    w.pos + 1);
	}
	while (txt_record_next(&w, &f)) {
		if (f.len == 0)
			add_problem(t, MTASTS_TXT_P_EMPTY_FIELD, true, rec, p,
			    len);
		else
			parse_field(t, rec, &f, &id_seen);
		if (f.trailing_ws)
			add_problem(t, MTASTS_TXT_P_TRAILING_WS, true, rec, f.p,
			    f.raw_len);
	}
	if (w.nfields == 0)
		add_problem(t, MTASTS_TXT_P_NO_FIELDS, true, rec, p, len);
	else if (!id_seen)
		add_problem(t, MTASTS_TXT_P_ID_MISSING, true, rec, p, len);
}

enum st_err
mtasts_txt_parse(struct mtasts_txt *t, const char *const *text,
    const size_t *len, size_t n)
{
	enum txt_record_start start;
	size_t i, first = 0, l;

	if (t == NULL || (text == NULL && n > 0))
		return ST_ERR_INVAL;
	mtasts_txt_init(t);
	for (i = 0; i < n; i++) {
		l = txt_record_len(text, len, i);
		start = txt_record_start(text[i], l, STS_VERSION);
		if (txt_record_counts(start, n, false)) {
			if (t->candidates++ == 0)
				first = i;
			else
				add_problem(t, MTASTS_TXT_P_MULTIPLE, true, i,
				    text[i], l);
		} else if (start != TXT_START_OTHER) {
			t->discarded++;
			add_problem(t, MTASTS_TXT_P_LOOKALIKE, false, i,
			    text[i], l);
		}
	}
	if (t->candidates == 0) {
		t->status = MTASTS_TXT_NONE;
		return ST_OK;
	}
	if (t->candidates > 1) {
		t->status = MTASTS_TXT_MULTIPLE;
		return ST_OK;
	}
	t->record = first;
	parse_record(t, first, text[first], txt_record_len(text, len, first));
	t->status = t->fatal ? MTASTS_TXT_INVALID : MTASTS_TXT_VALID;
	return ST_OK;
}
