/*
 * test_json_arena.c - cJSON documents in an arena (json_arena.h): before
 * the hooks are installed an arena refuses (cJSON keeps malloc); after,
 * a document of many items is built and printed from the arena, the
 * same text as one built with malloc; an object made before the arena
 * opened and deleted inside it is freed by free (under ASan a leak or a
 * bad free fails the run); a second thread meanwhile allocates as before.
 * Under ASan, a child process that reads an item cJSON freed, frees one
 * twice, or writes one octet past an item's end must be stopped by the
 * sanitizer (the arena poisons what malloc would).
 */
#include "json_arena.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cJSON.h>

#include "unit.h"
#include "banned.h"

/* doc - n members, as a report has them: strings, numbers, nesting */
static cJSON *
doc(int n)
{
	cJSON *o = cJSON_CreateObject(), *a;
	char key[32];

	if (o == NULL || (a = cJSON_AddArrayToObject(o, "items")) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	for (int i = 0; i < n; i++) {
		cJSON *it = cJSON_CreateObject();

		snprintf(key, sizeof(key), "k%d", i);
		if (it == NULL || !cJSON_AddItemToArray(a, it) ||
		    cJSON_AddStringToObject(it, key,
		        "a value of some length") == NULL ||
		    cJSON_AddNumberToObject(it, "n", i) == NULL) {
			cJSON_Delete(o);
			return NULL;
		}
	}
	return o;
}

static void *
other_thread(void *arg)
{
	cJSON *d = doc(500);

	*(bool *)arg = d != NULL;
	cJSON_Delete(d);
	return NULL;
}

#ifdef __SANITIZE_ADDRESS__
enum misuse { READ_FREED = 1, FREE_TWICE, WRITE_PAST_END };

/* misuse_in_child - whether ASan stopped a child that misused an arena's
 * item: it exits 0 when the misuse went unnoticed */
static bool
misuse_in_child(enum misuse how)
{
	pid_t pid = fork();
	int status, fd;

	if (pid < 0)
		return false;
	if (pid == 0) {
		struct json_arena a;
		cJSON *s;
		char *p;

		/* the sanitizer's report is expected, not shown */
		if ((fd = open("/dev/null", O_WRONLY)) >= 0)
			dup2(fd, 2);
		if (!json_arena_open(&a) ||
		    (s = cJSON_CreateString("freed")) == NULL ||
		    (p = cJSON_malloc(10)) == NULL)
			_exit(0);
		memset(p, 'x', 10);
		switch (how) {
		case READ_FREED:
			cJSON_Delete(s);
			if (*(volatile char *)s->valuestring == 'f')
				_exit(0);
			break;
		case FREE_TWICE:
			cJSON_free(p);
			cJSON_free(p);
			break;
		case WRITE_PAST_END:
			((volatile char *)p)[10] = 'y';
			break;
		}
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return false;
	return !WIFEXITED(status) || WEXITSTATUS(status) != 0;
}
#endif

int
main(void)
{
	struct json_arena a;
	cJSON *plain, *in, *before;
	char *want, *got = NULL;
	pthread_t t;
	bool other_ok = false;

	unit_report(!json_arena_open(&a), "not installed: refuses", "false",
	    "true");
	json_arena_close(&a);
	json_arena_install();
	plain = doc(3000);
	want = cJSON_PrintUnformatted(plain);
	before = cJSON_CreateString("made before the arena");
	unit_report(json_arena_open(&a), "installed: opens", "true", "false");
	if (pthread_create(&t, NULL, other_thread, &other_ok) != 0)
		other_ok = true; /* no second thread: nothing to check */
	in = doc(3000);
	if (in != NULL)
		got = cJSON_PrintBuffered(in, 1 << 16, false);
	cJSON_Delete(before); /* a malloc'd object, freed inside */
	unit_eq_str("3,000 items: the same text from the arena",
	    want != NULL ? want : "(none)", got != NULL ? got : "(none)");
	unit_eq_long("3,000 items in the arena's document", 3000,
	    in != NULL ? cJSON_GetArraySize(cJSON_GetObjectItem(in, "items"))
	               : -1);
	unit_report(a.head != NULL, "the items came from the arena's blocks",
	    "a block", "none");
	cJSON_free(got);      /* from the arena: nothing to free now */
	json_arena_close(&a); /* in goes with it */
	pthread_join(t, NULL);
	unit_report(other_ok, "another thread meanwhile: malloc as before",
	    "built and deleted", "failed");
	cJSON_free(want);
	cJSON_Delete(plain);
#ifdef __SANITIZE_ADDRESS__
	unit_report(misuse_in_child(READ_FREED),
	    "ASan: a read of an item cJSON freed is caught", "stopped",
	    "went unnoticed");
	unit_report(misuse_in_child(FREE_TWICE),
	    "ASan: an item freed twice is caught", "stopped", "went unnoticed");
	unit_report(misuse_in_child(WRITE_PAST_END),
	    "ASan: a write past an item's end is caught", "stopped",
	    "went unnoticed");
#endif
	return unit_exit();
}
