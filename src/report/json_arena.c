/*
 * json_arena.c - bump allocation of one document's cJSON items
 * (json_arena.h).
 *
 * Not glibc's obstack, the allocator made for this: on a failed
 * allocation it calls a handler that must not return (by default it
 * prints and exits), and library code neither exits nor longjmps. Here a
 * failed block is NULL to cJSON, which fails the document as with malloc.
 * free() of an arena's memory is a no-op until the arena closes; memory
 * from malloc (made before the arena opened) is freed as usual.
 */
#include "json_arena.h"

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cJSON.h>

#include "banned.h"

/* A block holds a one-MX-host document's items (its text is ~30 KiB,
 * the items about twice that); larger documents take more blocks. */
#define ARENA_BLOCK (64 * 1024)

struct json_arena_block {
	struct json_arena_block *next;
	size_t used, size;
	alignas(max_align_t) unsigned char data[];
};

static _Thread_local struct json_arena *current;
/* set by json_arena_install, before any thread opens an arena */
static bool installed;

static void *
arena_malloc(size_t n)
{
	struct json_arena *a = current;
	struct json_arena_block *b;
	void *p;

	if (a == NULL)
		return malloc(n);
	/* every allocation aligned as malloc's are */
	n = (n + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
	if ((b = a->head) == NULL || b->size - b->used < n) {
		size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;

		if ((b = malloc(sizeof(*b) + size)) == NULL)
			return NULL;
		b->used = 0;
		b->size = size;
		b->next = a->head;
		a->head = b;
	}
	p = b->data + b->used;
	b->used += n;
	return p;
}

/* owned - p lies in one of a's blocks */
static bool
owned(const struct json_arena *a, const void *p)
{
	uintptr_t x = (uintptr_t)p;

	for (const struct json_arena_block *b = a->head; b != NULL; b = b->next)
		if (x >= (uintptr_t)b->data && x < (uintptr_t)b->data + b->size)
			return true;
	return false;
}

static void
arena_free(void *p)
{
	struct json_arena *a = current;

	if (a != NULL && owned(a, p))
		return;
	free(p);
}

void
json_arena_install(void)
{
	cJSON_Hooks h = { arena_malloc, arena_free };

	cJSON_InitHooks(&h);
	installed = true;
}

bool
json_arena_open(struct json_arena *a)
{
	a->head = NULL;
	if (!installed)
		return false;
	current = a;
	return true;
}

void
json_arena_close(struct json_arena *a)
{
	struct json_arena_block *b;

	if (current == a)
		current = NULL;
	while ((b = a->head) != NULL) {
		a->head = b->next;
		free(b);
	}
}
