/*
 * json_arena.h - the cJSON allocations of one report document from a few
 * large blocks, all freed at once when it is printed.
 *
 * A probe's document is built, printed and deleted in one go
 * (report_json_append), about a thousand cJSON items with their keys and
 * strings: three mallocs and three frees each. In a batch that was a
 * third of smtptls's CPU (perf, 3,000 domains: report_json_append 33 %,
 * most of it malloc and free). cJSON takes its allocator as hooks for
 * the whole process; these hooks serve the thread that opened an arena
 * from it and every other caller from malloc and free as before.
 */
#ifndef SMTPTLS_JSON_ARENA_H
#define SMTPTLS_JSON_ARENA_H

#include <stdbool.h>
#include <stddef.h>

struct json_arena_block;
struct json_arena {
	struct json_arena_block *head;
};

/* Install the hooks (cJSON_InitHooks); once, before any thread uses
 * cJSON (cJSON's hooks are one global). */
void json_arena_install(void);
/* From now on this thread's cJSON allocations come from a; one arena per
 * thread at a time. False when the hooks are not installed: cJSON then
 * allocates with malloc as before, and its objects need cJSON_Delete. */
bool json_arena_open(struct json_arena *a);
/* Back to malloc, and every block of a freed: whatever cJSON made in it
 * is gone (no cJSON_Delete needed, nor allowed after). */
void json_arena_close(struct json_arena *a);

#endif
