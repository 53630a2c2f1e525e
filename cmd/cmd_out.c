/*
 * cmd_out.c - what every subcommand prints the same way: the usage-error
 * line (and its JSON error document), and whether to colour.
 */
#include "cmd.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "smtptls/probe.h"

#include "smtp_reply.h"
#include "banned.h"

int
cmd_error(const struct global_opts *g, int exit_code, const char *code,
    const char *phase, const char *fmt, ...)
{
	char raw[512], msg[512 * 4];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* A message may quote what the user typed: control octets must not
	 * reach the terminal or split the one line of a usage error, and the
	 * JSON error document must stay valid UTF-8, so every octet outside
	 * printable ASCII is written \xNN (the escaper of peer text). */
	(void)smtp_reply_escape(msg, sizeof(msg), raw, strlen(raw));
	fprintf(stderr, "smtptls: %s\n", msg);
	if (g != NULL && g->json) {
		cJSON *d = cJSON_CreateObject(), *t, *e;
		char *s;

		cJSON_AddStringToObject(d, "schema_version", "1.0");
		cJSON_AddStringToObject(d, "type", "error");
		t = cJSON_AddObjectToObject(d, "tool");
		cJSON_AddStringToObject(t, "name", "smtptls");
		cJSON_AddStringToObject(t, "version", smtptls_version());
		e = cJSON_AddObjectToObject(d, "error");
		cJSON_AddStringToObject(e, "code", code);
		cJSON_AddStringToObject(e, "phase", phase);
		cJSON_AddStringToObject(e, "message", msg);
		cJSON_AddNumberToObject(d, "exit_code", exit_code);
		if ((s = cJSON_PrintUnformatted(d)) != NULL) {
			printf("%s\n", s);
			free(s);
		}
		cJSON_Delete(d);
	}
	return exit_code;
}

bool
cmd_use_color(const struct global_opts *g)
{
	if (g->color == COLOR_ALWAYS)
		return true;
	if (g->color == COLOR_NEVER)
		return false;
	return isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
}

bool
cmd_wants_json(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--json") == 0)
			return true;
	}
	return false;
}
