/*
 * replay_main.c - runs a libFuzzer target's LLVMFuzzerTestOneInput over
 * files, without libFuzzer, so that the regular suite (and its ASan build)
 * replays every corpus and crash regression with the normal compiler.
 *
 * Usage: replay FILE... ; prints "PASS replay/NAME/FILE" per input and
 * exits non-zero if an input could not be read. A crash ends the process,
 * which the suite counts as a failure.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Corpus files are small; anything larger is not a seed of ours. */
#define REPLAY_MAX (4 * 1024 * 1024)

static int
replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (f == NULL)
		return -1;
	if ((buf = malloc(REPLAY_MAX)) == NULL) {
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, REPLAY_MAX, f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	int bad = 0;

	for (int i = 1; i < argc; i++) {
		const char *base = strrchr(argv[i], '/');

		if (replay_file(argv[i]) != 0) {
			printf("FAIL replay/%s\n  expected: a readable input\n  seen: cannot read it\n",
			    argv[i]);
			bad = 1;
			continue;
		}
		printf("PASS replay/%s\n", base ? base + 1 : argv[i]);
	}
	return bad;
}
