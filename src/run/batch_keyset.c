/*
 * batch_keyset.c - the keys a --domains run has done (batch.h): an open-
 * addressing table of 64-bit hashes, grown by doubling at 3/4 full. Owns
 * its table; knows nothing of what a key means.
 */
#include "smtptls/batch.h"

#include <stdlib.h>

#include "banned.h"

/* A million distinct keys fit in 2^21 slots (16 MiB); the table starts
 * small so that a short list costs nothing. */
#define KEYSET_START 1024u

struct batch_keyset {
	uint64_t *slot; /* 0 = empty: a hash of 0 is stored as 1 */
	size_t cap;     /* a power of two */
	size_t n;
};

struct batch_keyset *
batch_keyset_new(void)
{
	struct batch_keyset *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	if ((s->slot = calloc(KEYSET_START, sizeof(*s->slot))) == NULL) {
		free(s);
		return NULL;
	}
	s->cap = KEYSET_START;
	return s;
}

void
batch_keyset_free(struct batch_keyset *s)
{
	if (s == NULL)
		return;
	free(s->slot);
	free(s);
}

/* place - h into the table t of cap slots; false when it was there */
static bool
place(uint64_t *t, size_t cap, uint64_t h)
{
	size_t i = (size_t)(h ^ (h >> 32)) & (cap - 1);

	while (t[i] != 0) {
		if (t[i] == h)
			return false;
		i = (i + 1) & (cap - 1);
	}
	t[i] = h;
	return true;
}

static enum st_err
grow(struct batch_keyset *s)
{
	size_t cap = s->cap * 2;
	uint64_t *t;

	if (cap > SIZE_MAX / sizeof(*t))
		return ST_ERR_NOMEM;
	if ((t = calloc(cap, sizeof(*t))) == NULL)
		return ST_ERR_NOMEM;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slot[i] != 0)
			(void)place(t, cap, s->slot[i]); /* all distinct */
	free(s->slot);
	s->slot = t;
	s->cap = cap;
	return ST_OK;
}

enum st_err
batch_keyset_add(struct batch_keyset *s, uint64_t h, bool *added)
{
	enum st_err err;

	*added = false;
	if (h == 0)
		h = 1;
	if ((s->n + 1) * 4 > s->cap * 3 && (err = grow(s)) != ST_OK)
		return err;
	if (place(s->slot, s->cap, h)) {
		s->n++;
		*added = true;
	}
	return ST_OK;
}

bool
batch_keyset_has(const struct batch_keyset *s, uint64_t h)
{
	size_t i;

	if (h == 0)
		h = 1;
	for (i = (size_t)(h ^ (h >> 32)) & (s->cap - 1); s->slot[i] != 0;
	     i = (i + 1) & (s->cap - 1))
		if (s->slot[i] == h)
			return true;
	return false;
}

size_t
batch_keyset_count(const struct batch_keyset *s)
{
	return s->n;
}
