/*
 * report_diff_render.c - the change list of report_diff() as a diff
 * document (JSON, tests/schema/diff.schema.json) or as text, one line per
 * change. Strings from the reports are escaped for the terminal
 * (text_escape), as every peer text is.
 */
#include "report_diff.h"

#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "buf.h"
#include "report_json.h"
#include "smtptls/probe.h"
#include "text.h"

#include "banned.h"

/* The text of one change is a line of a few hundred octets; the whole
 * text is capped far above any real diff. */
#define DIFF_TEXT_MAX (8u * 1024 * 1024)

/* side - "old"/"new": the target and time of one report */
static cJSON *
side(const cJSON *doc)
{
	cJSON *o = cJSON_CreateObject();

	report_json_str(o, "target",
	    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(doc, "target"), "input")));
	report_json_str(o, "finished",
	    cJSON_GetStringValue(
	        cJSON_GetObjectItemCaseSensitive(doc, "finished")));
	return o;
}

/* change_json - one change; NULL when out of memory (report_json_str
 * adds null for a NULL string, nothing when out of memory: counted) */
static cJSON *
change_json(const struct diff_change *c)
{
	cJSON *o = cJSON_CreateObject(), *s;

	if (o == NULL)
		return NULL;
	if ((s = cJSON_CreateObject()) != NULL) {
		report_json_str(s, "mx", c->mx);
		report_json_str(s, "address", c->address);
		report_json_str(s, "level", c->level);
	}
	/* report_json_section takes s, or frees it when it cannot */
	if (report_json_section(o, "subject", s) &&
	    cJSON_AddStringToObject(o, "rule", c->rule) != NULL &&
	    cJSON_AddStringToObject(o, "direction", diff_dir_name(c->dir)) !=
	        NULL &&
	    cJSON_AddStringToObject(o, "detail", c->detail) != NULL) {
		report_json_str(o, "old", c->old_value);
		report_json_str(o, "new", c->new_value);
		if (cJSON_GetArraySize(o) == 6 && cJSON_GetArraySize(s) == 3)
			return o;
	}
	cJSON_Delete(o);
	return NULL;
}

/* tool_json - who made the document */
static cJSON *
tool_json(void)
{
	cJSON *t = cJSON_CreateObject();

	if (t != NULL &&
	    (cJSON_AddStringToObject(t, "name", "smtptls") == NULL ||
	        cJSON_AddStringToObject(t, "version", smtptls_version()) ==
	            NULL)) {
		cJSON_Delete(t);
		return NULL;
	}
	return t;
}

/* changes_json - the list, or NULL when any change could not be added */
static cJSON *
changes_json(const struct diff_list *l)
{
	cJSON *ch = cJSON_CreateArray();

	for (size_t i = 0; ch != NULL && i < l->n; i++) {
		cJSON *c = change_json(&l->v[i]);

		if (c == NULL || !cJSON_AddItemToArray(ch, c)) {
			cJSON_Delete(c);
			cJSON_Delete(ch);
			return NULL;
		}
	}
	return ch;
}

cJSON *
report_diff_json(const struct diff_list *l, const cJSON *old, const cJSON *new,
    int exit_code)
{
	cJSON *doc = cJSON_CreateObject();

	/* report_json_section frees what it could not add: no part leaks */
	if (doc != NULL &&
	    cJSON_AddStringToObject(doc, "schema_version", "1.0") != NULL &&
	    cJSON_AddStringToObject(doc, "type", "diff") != NULL &&
	    report_json_section(doc, "tool", tool_json()) &&
	    report_json_section(doc, "old", side(old)) &&
	    report_json_section(doc, "new", side(new)) &&
	    report_json_section(doc, "changes", changes_json(l)) &&
	    cJSON_AddBoolToObject(doc, "level_worse", l->level_worse) != NULL &&
	    cJSON_AddNumberToObject(doc, "exit_code", exit_code) != NULL)
		return doc;
	cJSON_Delete(doc);
	return NULL;
}

/* add_text - s escaped for a terminal (NULL shows "-") */
static enum st_err
add_text(struct buf *b, const char *s)
{
	char esc[1024];

	if (s == NULL)
		return buf_addstr(b, "-");
	text_escape(s, strlen(s), esc, sizeof(esc));
	return buf_addstr(b, esc);
}

/* subject - "mx1 [192.0.2.1] " or "level dane " or nothing */
static enum st_err
subject(struct buf *b, const struct diff_change *c)
{
	enum st_err err = ST_OK;

	if (c->level != NULL)
		return buf_printf(b, "level %s ", c->level); /* a level name */
	if (c->mx != NULL)
		err = add_text(b, c->mx);
	if (err == ST_OK && c->address != NULL)
		err = buf_addstr(b, " [");
	if (err == ST_OK && c->address != NULL)
		err = add_text(b, c->address);
	if (err == ST_OK && c->address != NULL)
		err = buf_addstr(b, "]");
	if (err == ST_OK && c->mx != NULL)
		err = buf_addstr(b, " ");
	return err;
}

/* change_line - "worse    mx1 [192.0.2.1] cert.key: detail (old -> new)";
 * a level's detail already holds both outcomes */
static enum st_err
change_line(struct buf *b, const struct diff_change *c)
{
	bool values = strcmp(c->rule, "level") != 0;
	enum st_err err = buf_printf(b, "%-8s ", diff_dir_name(c->dir));

	if (err == ST_OK)
		err = subject(b, c);
	if (err == ST_OK && values)
		err = buf_printf(b, "%s: ", c->rule);
	if (err == ST_OK)
		err = add_text(b, c->detail);
	if (err == ST_OK && values)
		err = buf_addstr(b, " (");
	if (err == ST_OK && values)
		err = add_text(b, c->old_value);
	if (err == ST_OK && values)
		err = buf_addstr(b, " -> ");
	if (err == ST_OK && values)
		err = add_text(b, c->new_value);
	if (err == ST_OK && values)
		err = buf_addstr(b, ")");
	return err == ST_OK ? buf_addstr(b, "\n") : err;
}

char *
report_diff_text(const struct diff_list *l, const cJSON *old, const cJSON *new)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(new, "target");
	struct buf b;
	enum st_err err;

	buf_init(&b, DIFF_TEXT_MAX);
	err = add_text(&b,
	    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "input")));
	if (err == ST_OK)
		err = buf_addstr(&b, ": ");
	if (err == ST_OK)
		err = add_text(&b,
		    cJSON_GetStringValue(
		        cJSON_GetObjectItemCaseSensitive(old, "finished")));
	if (err == ST_OK)
		err = buf_addstr(&b, " -> ");
	if (err == ST_OK)
		err = add_text(&b,
		    cJSON_GetStringValue(
		        cJSON_GetObjectItemCaseSensitive(new, "finished")));
	if (err == ST_OK)
		err = buf_addstr(&b, "\n");
	for (size_t i = 0; err == ST_OK && i < l->n; i++)
		err = change_line(&b, &l->v[i]);
	if (err == ST_OK)
		err = buf_printf(&b, "%zu change%s%s\n", l->n,
		    l->n == 1 ? "" : "s",
		    l->level_worse ? "; a level got worse" : "");
	if (err != ST_OK) {
		buf_release(&b);
		return NULL;
	}
	return buf_take(&b);
}
