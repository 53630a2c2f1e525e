/*
 * serve.c - "smtptls serve": an HTTP exporter in the multi-target pattern
 * of Prometheus's blackbox_exporter. Parses serve's own options and hands
 * the rest to the probe's option table (probe_opts.c), binds the socket,
 * starts the HTTP side (serve_http.c) and waits for SIGINT, SIGTERM or
 * --duration.
 */
#include "serve_cmd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "probe_cmd.h"

#include "banned.h"

#define SERVE_DEFAULT_PORT 9725

static const char usage_text[] =
    "usage: smtptls serve [--bind ADDR[:PORT]] [--allow-from CIDR]...\n"
    "                     [--max-probes N] [--client-rate N]\n"
    "                     [--duration SECONDS] [probe options]\n"
    "\n"
    "Answer HTTP: GET /probe?target=DOMAIN[&level=LEVEL][&rcpt=ADDRESS]\n"
    "runs one probe and answers its OpenMetrics; GET /metrics the\n"
    "server's own; GET / a form; GET /report?target=DOMAIN the report.\n"
    "\n"
    "  --bind ADDR[:PORT]     listen here (default 127.0.0.1:9725)\n"
    "  --allow-from CIDR      answer only these clients (repeatable;\n"
    "                         others get 403)\n"
    "  --max-probes N         probes at once (default 4; more: 503)\n"
    "  --client-rate N        probe requests a minute per client\n"
    "                         (default 600; more: 429)\n"
    "  --duration SECONDS     exit after this long (default: at SIGINT\n"
    "                         or SIGTERM)\n"
    "  -h, --help             this text\n"
    "\n"
    "Every probe option but --host, --domains, --parallel, --nagios,\n"
    "--output, --resume, --shard and --html applies to each probe (see\n"
    "smtptls probe --help); without\n"
    "--allow-private, targets whose servers resolve to special-purpose\n"
    "addresses are refused (403).\n"
    "\nSee smtptls(1), SERVE.\n";

/* positive - a decimal number 1..max */
static bool
positive(const char *s, unsigned long max, unsigned long *out)
{
	return cmd_parse_uint(s, max, out) && *out > 0;
}

/* parse_bind - ADDR, ADDR:PORT, [V6] or [V6]:PORT (bind_addr.h), numeric
 * only; port 0 (any) makes no sense for a server others must find */
static bool
parse_bind(const char *v, struct serve_opts *o)
{
	return bind_addr_parse(v, SERVE_DEFAULT_PORT, &o->bind) &&
	       (o->bind.ss.ss_family == AF_INET
	               ? ((struct sockaddr_in *)&o->bind.ss)->sin_port
	               : ((struct sockaddr_in6 *)&o->bind.ss)->sin6_port) != 0;
}

/* own_value - serve's options with a value; -2 when a is none of them,
 * -1 when applied, else the exit code of a usage error */
static int
own_value(int argc, char **argv, int *i, struct serve_opts *o,
    const struct global_opts *g)
{
	unsigned long n;
	const char *v, *a = argv[*i];
	char why[120];
	bool miss = false;

	if ((v = cmd_opt_value(argc, argv, i, "--bind", &miss))) {
		if (!parse_bind(v, o))
			return cmd_error(g, EXIT_USAGE, "usage", "options",
			    "serve: invalid --bind '%s' (expected "
			    "ADDR[:PORT], numeric)",
			    v);
	} else if ((v = cmd_opt_value(argc, argv, i, "--allow-from", &miss))) {
		if (o->nallow >= SERVE_ALLOW_MAX)
			return cmd_error(g, EXIT_USAGE, "usage", "options",
			    "serve: at most %d --allow-from", SERVE_ALLOW_MAX);
		if (serve_cidr_parse(v, &o->allow[o->nallow], why,
		        sizeof(why)) != ST_OK)
			return cmd_error(g, EXIT_USAGE, "usage", "options",
			    "serve: invalid --allow-from '%s': %s", v, why);
		o->nallow++;
	} else if ((v = cmd_opt_value(argc, argv, i, "--max-probes", &miss))) {
		if (!positive(v, 256, &n))
			return cmd_error(g, EXIT_USAGE, "usage", "options",
			    "serve: invalid --max-probes '%s' (1-256)", v);
		o->max_probes = (unsigned)n;
	} else if ((v = cmd_opt_value(argc, argv, i, "--client-rate", &miss))) {
		if (!positive(v, 1000000, &n))
			return cmd_error(g, EXIT_USAGE, "usage", "options",
			    "serve: invalid --client-rate '%s' (1-1000000)", v);
		o->client_rate = (unsigned)n;
	} else if ((v = cmd_opt_value(argc, argv, i, "--duration", &miss))) {
		if (!positive(v, 31536000, &n))
			return cmd_error(g, EXIT_USAGE, "usage", "options",
			    "serve: invalid --duration '%s' (whole seconds)",
			    v);
		o->duration_ms = (long long)n * 1000;
	} else if (miss)
		return cmd_error(g, EXIT_USAGE, "usage", "options",
		    "serve: option '%s' needs a value", a);
	else
		return -2;
	return -1;
}

/* parse_args - serve's options out of argv, the rest through the probe's
 * option table; an exit code, or -1 to go on. rest has argc + 1 slots. */
static int
parse_args(int argc, char **argv, char **rest, struct serve_opts *o,
    struct global_opts *g)
{
	struct probe_out_opts out = { 0 };
	const char *domains = NULL;
	unsigned parallel = 1;
	int nrest = 1, rc;

	rest[0] = argv[0];
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			fputs(usage_text, stdout);
			return EXIT_PASS;
		}
		if (strcmp(argv[i], "--") == 0) {
			/* operands only from here: the probe's parser says
			 * what it makes of them */
			while (i < argc)
				rest[nrest++] = argv[i++];
			break;
		}
		if ((rc = own_value(argc, argv, &i, o, g)) >= 0)
			return rc;
		if (rc == -2)
			rest[nrest++] = argv[i];
	}
	rest[nrest] = NULL;
	if ((rc = probe_opts_parse(nrest, rest, &o->probe, g, &domains,
	         &parallel, &out)) >= 0)
		return rc;
	if (optind < nrest)
		return cmd_error(g, EXIT_USAGE, "usage", "options",
		    "serve: takes no target ('%s'): targets come with each "
		    "request",
		    rest[optind]);
	if (domains != NULL || o->probe.host != NULL || g->nagios ||
	    parallel != 1 || out.output != NULL || out.resume || out.sharded ||
	    g->html != NULL)
		return cmd_error(g, EXIT_USAGE, "usage", "options",
		    "serve: --domains, --parallel, --host, --nagios, --output, "
		    "--resume, --shard and --html are not for serve");
	return -1;
}

/* listen_socket - the bound, listening TCP socket; -1 with errmsg */
static int
listen_socket(const struct serve_opts *o, char *errmsg, size_t errlen)
{
	return bind_addr_open(&o->bind, SOCK_STREAM, errmsg, errlen);
}

/* wait_stop - until SIGINT, SIGTERM or the end of --duration. The signals
 * are blocked in every thread (the HTTP library's threads inherit the
 * mask) and taken here with sigtimedwait: no handler, no lost wake-up. */
static void
wait_stop(const sigset_t *set, long long duration_ms)
{
	struct timespec end, now, left;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += (time_t)(duration_ms / 1000);
	for (;;) {
		if (duration_ms <= 0) {
			if (sigwaitinfo(set, NULL) > 0)
				return;
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = end.tv_sec - now.tv_sec;
		left.tv_nsec = end.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_nsec += 1000000000L;
			left.tv_sec--;
		}
		if (left.tv_sec < 0 || sigtimedwait(set, NULL, &left) > 0 ||
		    errno == EAGAIN)
			return;
	}
}

/* check_config - what would make every probe fail the same way is a
 * configuration error now, not a 500 on each request */
static int
check_config(const struct serve_opts *o, const struct global_opts *g)
{
	char errmsg[300];
	enum st_err err = probe_global_init(errmsg, sizeof(errmsg));

	if (err == ST_OK)
		err = serve_config_check(&o->probe, errmsg, sizeof(errmsg));
	if (err == ST_ERR_NOMEM)
		return cmd_error(g, EXIT_INTERNAL, "out-of-memory", "internal",
		    "serve: out of memory");
	if (err != ST_OK)
		return cmd_error(g, EXIT_USAGE, "config", "options",
		    "serve: %s", errmsg);
	return -1;
}

int
cmd_serve(int argc, char **argv, struct global_opts *g)
{
	struct serve_opts o = { .max_probes = 4, .client_rate = 600 };
	struct serve_gate_params gp;
	struct serve_gate *gate = NULL;
	struct serve_http *h;
	char **rest, errmsg[300];
	sigset_t set;
	int rc, fd;

	probe_options_init(&o.probe);
	cmd_probe_env(&o.probe);
	if (!parse_bind("127.0.0.1", &o))
		return cmd_error(g, EXIT_INTERNAL, "internal", "internal",
		    "serve: default address");
	if ((rest = calloc((size_t)argc + 1, sizeof(*rest))) == NULL)
		return cmd_error(g, EXIT_INTERNAL, "out-of-memory", "internal",
		    "serve: out of memory");
	rc = parse_args(argc, argv, rest, &o, g);
	free(rest);
	if (rc >= 0 || (rc = check_config(&o, g)) >= 0)
		return rc;
	gp = (struct serve_gate_params){ o.allow, o.nallow, o.max_probes,
		o.client_rate };
	if (serve_gate_new(&gp, &gate) != ST_OK)
		return cmd_error(g, EXIT_INTERNAL, "out-of-memory", "internal",
		    "serve: out of memory");
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if ((fd = listen_socket(&o, errmsg, sizeof(errmsg))) < 0) {
		serve_gate_free(gate);
		return cmd_error(g, EXIT_INCOMPLETE, "bind", "serve",
		    "serve: %s", errmsg);
	}
	if ((h = serve_http_start(fd, &o, gate, g, errmsg, sizeof(errmsg))) ==
	    NULL) {
		serve_gate_free(gate);
		return cmd_error(g, EXIT_INTERNAL, "internal", "serve",
		    "serve: %s", errmsg);
	}
	if (!g->quiet)
		fprintf(stderr, "smtptls: serving http://%s/\n", o.bind.text);
	wait_stop(&set, o.duration_ms);
	serve_http_stop(h);
	serve_gate_free(gate);
	if (!g->quiet)
		fprintf(stderr, "smtptls: serve stopped\n");
	return EXIT_PASS;
}
