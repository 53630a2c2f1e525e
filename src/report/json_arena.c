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
 *
 * Under ASan the arena keeps what malloc gives the sanitizer to check: a
 * block's memory is poisoned but for the items handed out, each item is
 * followed by a poisoned gap (a write past its end is caught), and an
 * item freed by cJSON is poisoned again (a use after free is caught, and
 * a second free reads it and is caught too). Without ASan the poisoning
 * macros are empty and the gap is zero.
 */
#include "json_arena.h"

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cJSON.h>

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#define ARENA_GAP alignof(max_align_t)
#else
#define ASAN_POISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#define ARENA_GAP 0
#endif

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
	size_t want = n > 0 ? n : 1;
	void *p;

	if (a == NULL)
		return malloc(n);
	/* every allocation aligned as malloc's are, a gap after it */
	n = (want + ARENA_GAP + alignof(max_align_t) - 1) &
	    ~(alignof(max_align_t) - 1);
	if ((b = a->head) == NULL || b->size - b->used < n) {
		size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;

		if ((b = malloc(sizeof(*b) + size)) == NULL)
			return NULL;
		ASAN_POISON_MEMORY_REGION(b->data, size);
		b->used = 0;
		b->size = size;
		b->next = a->head;
		a->head = b;
	}
	p = b->data + b->used;
	b->used += n;
	ASAN_UNPOISON_MEMORY_REGION(p, want);
	return p;
}

/* owner - the block of a's that p lies in, or NULL */
static struct json_arena_block *
owner(const struct json_arena *a, const void *p)
{
	uintptr_t x = (uintptr_t)p;

	for (struct json_arena_block *b = a->head; b != NULL; b = b->next)
		if (x >= (uintptr_t)b->data && x < (uintptr_t)b->data + b->size)
			return b;
	return NULL;
}

static void
arena_free(void *p)
{
	struct json_arena *a = current;
	struct json_arena_block *b;

	if (a == NULL || (b = owner(a, p)) == NULL) {
		free(p);
		return;
	}
#ifdef __SANITIZE_ADDRESS__
	/* A freed item is poisoned: reading it reports the second free. */
	(void)*(volatile unsigned char *)p;
	/* The item ends where the poisoned gap after it begins. */
	unsigned char *top = b->data + b->used;
	unsigned char *end =
	    __asan_region_is_poisoned(p, top - (unsigned char *)p);

	ASAN_POISON_MEMORY_REGION(p,
	    (end != NULL ? end : top) - (unsigned char *)p);
#endif
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
		ASAN_UNPOISON_MEMORY_REGION(b->data, b->size);
		free(b);
	}
}
