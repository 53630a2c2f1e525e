/*
 * probe_resume.c - --resume: what an earlier run already wrote to the
 * --output file. Every line is a JSON document of smtptls (cJSON parses
 * it); its key (batch.h) goes into the set of entries done. A last line
 * without LF is a write cut short: it is cut off the file, so that what
 * this run appends starts on a line of its own.
 */
#include "probe_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "smtptls/batch.h"

#include "banned.h"

/* doc_key - the key of one document: a probe's domain (its input for an
 * address), an error document's target.input; NULL for a document of no
 * entry (an error of the whole run) */
static const char *
doc_key(const cJSON *d, bool *valid)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(d, "type");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(d, "target");
	const char *kind;

	*valid = cJSON_IsString(type);
	if (!*valid)
		return NULL;
	if (strcmp(type->valuestring, "error") == 0) {
		const cJSON *in = cJSON_GetObjectItemCaseSensitive(t, "input");

		return cJSON_IsString(in) ? in->valuestring : NULL;
	}
	*valid = strcmp(type->valuestring, "probe") == 0 && cJSON_IsObject(t);
	if (!*valid)
		return NULL;
	kind =
	    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "kind"));
	if (kind != NULL && strcmp(kind, "address") == 0)
		return cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(t, "input"));
	return cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(t, "domain"));
}

/* add_line - one complete line into seen; 0, or 2 (not ours), 4 (memory) */
static int
add_line(const char *line, size_t len, struct batch_keyset *seen, size_t *docs)
{
	cJSON *d = cJSON_ParseWithLength(line, len);
	const char *key;
	bool valid, added;
	uint64_t h;
	int rc = 0;

	if (d == NULL || !cJSON_IsObject(d)) {
		cJSON_Delete(d);
		return EXIT_USAGE;
	}
	key = doc_key(d, &valid);
	if (!valid)
		rc = EXIT_USAGE;
	else if (key != NULL && (batch_hash(key, strlen(key), &h) != ST_OK ||
	                            batch_keyset_add(seen, h, &added) != ST_OK))
		rc = EXIT_INTERNAL;
	else if (key != NULL)
		(*docs)++;
	cJSON_Delete(d);
	return rc;
}

/* read_all - every line of f; *good the offset after the last LF */
static int
read_all(FILE *f, const char *path, struct batch_keyset *seen, size_t *docs,
    off_t *good, const struct global_opts *g)
{
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	int rc = -1;

	while (rc < 0 && (n = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (line[n - 1] != '\n')
			break; /* torn: *good stays before it */
		if (n > 1 &&
		    (rc = add_line(line, (size_t)n - 1, seen, docs)) == 0) {
			*good += n;
			rc = -1;
		} else if (n == 1)
			*good += n;
	}
	free(line);
	if (rc == EXIT_USAGE)
		return cmd_error(g, EXIT_USAGE, "config", "options",
		    "--resume: line %zu of '%s' is not a JSON document of "
		    "smtptls; not appending to it",
		    lineno, path);
	if (rc == EXIT_INTERNAL || ferror(f))
		return cmd_error(g,
		    rc == EXIT_INTERNAL ? EXIT_INTERNAL : EXIT_USAGE,
		    rc == EXIT_INTERNAL ? "out-of-memory" : "config", "options",
		    "--resume: cannot read '%s'%s", path,
		    rc == EXIT_INTERNAL ? ": out of memory" : "");
	return -1;
}

int
probe_resume_load(const char *path, struct batch_keyset *seen, size_t *docs,
    bool *torn, const struct global_opts *g)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	off_t good = 0, size;
	FILE *f;
	int rc;

	*docs = 0;
	*torn = false;
	if (fd < 0 && errno == ENOENT)
		return -1; /* nothing done yet */
	if (fd < 0 || (f = fdopen(fd, "r")) == NULL) {
		rc = errno;
		if (fd >= 0)
			close(fd);
		return cmd_error(g, EXIT_USAGE, "config", "options",
		    "--resume: cannot read '%s': %s", path, strerror(rc));
	}
	rc = read_all(f, path, seen, docs, &good, g);
	size = lseek(fd, 0, SEEK_END);
	if (rc < 0 && size > good) {
		*torn = true;
		if (ftruncate(fd, good) != 0)
			rc = cmd_error(g, EXIT_USAGE, "config", "options",
			    "--resume: cannot cut the torn last line of '%s': %s",
			    path, strerror(errno));
	}
	fclose(f);
	return rc;
}
