/*
 * test_serve.c - table tests of the HTTP-independent parts of serve
 * (src/serve/): --allow-from networks and matching, the per-client token
 * buckets, the cap on probes in flight, the request parameter rules with
 * hostile targets, and the metrics made from a probe's JSON report: the
 * samples and their label escaping, in both exposition formats.
 */
#include "smtptls/serve.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "serve_rate.h"
#include "unit.h"

#include "banned.h"

static const struct {
	const char *name, *spec;
	int ok;
	const char *match, *nomatch; /* client addresses */
} cidrs[] = {
    {"v4 /24", "127.10.17.0/24", 1, "127.10.17.200", "127.10.18.1"},
    {"v4 host", "127.10.17.3", 1, "127.10.17.3", "127.10.17.4"},
    {"v4 /0", "0.0.0.0/0", 1, "203.0.113.9", "::1"},
    {"v4 /25 edge", "127.10.17.128/25", 1, "127.10.17.255", "127.10.17.127"},
    {"v4 /31", "10.0.0.2/31", 1, "10.0.0.3", "10.0.0.4"},
    {"v4 matches mapped v6", "127.10.17.0/24", 1, "::ffff:127.10.17.9",
     "::ffff:127.10.18.9"},
    {"v6 /64", "2001:db8:1::/64", 1, "2001:db8:1::5", "2001:db8:2::5"},
    {"v6 bracketed", "[::1]/128", 1, "::1", "::2"},
    {"v6 /127", "2001:db8::/127", 1, "2001:db8::1", "2001:db8::2"},
    {"host bits set", "127.10.17.1/24", 0, NULL, NULL},
    {"prefix too long", "127.10.17.0/33", 0, NULL, NULL},
    {"v6 prefix too long", "::/129", 0, NULL, NULL},
    {"negative prefix", "127.0.0.0/-1", 0, NULL, NULL},
    {"empty prefix", "127.0.0.0/", 0, NULL, NULL},
    {"not an address", "localhost", 0, NULL, NULL},
    {"empty", "", 0, NULL, NULL},
    {"bracketed v4", "[127.0.0.1]", 0, NULL, NULL},
    {"trailing garbage", "127.0.0.1/24x", 0, NULL, NULL},
};

/* sa_of - a sockaddr for a textual address */
static const struct sockaddr *
sa_of(const char *text, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, text, &((struct sockaddr_in *)ss)->sin_addr) ==
	    1)
		ss->ss_family = AF_INET;
	else if (inet_pton(AF_INET6, text,
	             &((struct sockaddr_in6 *)ss)->sin6_addr) == 1)
		ss->ss_family = AF_INET6;
	return (const struct sockaddr *)ss;
}

static void
test_cidr(void)
{
	for (size_t i = 0; i < sizeof(cidrs) / sizeof(cidrs[0]); i++) {
		struct serve_cidr c;
		struct sockaddr_storage ss;
		char name[160], why[120];
		enum st_err err = serve_cidr_parse(cidrs[i].spec, &c, why,
		    sizeof(why));

		snprintf(name, sizeof(name), "cidr/%s/parse", cidrs[i].name);
		unit_eq_long(name, cidrs[i].ok ? ST_OK : ST_ERR_PARSE, err);
		if (err != ST_OK)
			continue;
		snprintf(name, sizeof(name), "cidr/%s/match", cidrs[i].name);
		unit_eq_long(name, 1,
		    serve_cidr_match(&c, sa_of(cidrs[i].match, &ss)));
		snprintf(name, sizeof(name), "cidr/%s/no-match", cidrs[i].name);
		unit_eq_long(name, 0,
		    serve_cidr_match(&c, sa_of(cidrs[i].nomatch, &ss)));
	}
}

/* A client's bucket: 3 a minute, a burst of 3; another client's apart. */
static void
test_rate(void)
{
	static struct serve_rate r;
	struct sockaddr_storage a, b, m;
	int got = 0;

	serve_rate_init(&r, 3);
	sa_of("127.10.17.3", &a);
	sa_of("127.10.17.4", &b);
	sa_of("::ffff:127.10.17.3", &m);
	for (int i = 0; i < 5; i++)
		got += serve_rate_take(&r, (struct sockaddr *)&a, 1000);
	unit_eq_long("rate/burst-then-refused", 3, got);
	unit_eq_long("rate/mapped-v6-is-the-same-client", 0,
	    serve_rate_take(&r, (struct sockaddr *)&m, 1000));
	unit_eq_long("rate/other-client-apart", 1,
	    serve_rate_take(&r, (struct sockaddr *)&b, 1000));
	/* one token every 20 s: half a token at 10 s, one and a half at 30 */
	unit_eq_long("rate/not-yet-refilled", 0,
	    serve_rate_take(&r, (struct sockaddr *)&a, 1000 + 10000));
	unit_eq_long("rate/refilled-after-30s", 1,
	    serve_rate_take(&r, (struct sockaddr *)&a, 1000 + 30000));
	unit_eq_long("rate/one-token-only", 0,
	    serve_rate_take(&r, (struct sockaddr *)&a, 1000 + 30000));
}

/* Many clients: the table forgets the least recent, never fails. */
static void
test_rate_full(void)
{
	static struct serve_rate r;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	size_t ok = 0;

	serve_rate_init(&r, 1);
	for (unsigned i = 0; i < SERVE_RATE_CLIENTS + 10; i++) {
		sin.sin_addr.s_addr = htonl(0x0a000000u + i);
		ok += serve_rate_take(&r, (struct sockaddr *)&sin, i);
	}
	unit_eq_long("rate/full-table-new-clients-admitted",
	    SERVE_RATE_CLIENTS + 10, (long)ok);
}

static void
test_gate(void)
{
	struct serve_cidr net;
	struct serve_gate_params p = { &net, 1, 2, 100 };
	struct serve_gate *g = NULL;
	struct sockaddr_storage in, out;
	enum serve_reject why = SERVE_REJECT__COUNT;
	char whytext[100], *m;

	if (serve_cidr_parse("127.10.17.0/28", &net, whytext,
	        sizeof(whytext)) != ST_OK ||
	    serve_gate_new(&p, &g) != ST_OK) {
		unit_report(0, "gate/new", "ST_OK", "failed");
		return;
	}
	sa_of("127.10.17.2", &in);
	sa_of("127.10.17.100", &out);
	unit_eq_long("gate/allowed", 1,
	    serve_gate_allowed(g, (struct sockaddr *)&in));
	unit_eq_long("gate/forbidden", 0,
	    serve_gate_allowed(g, (struct sockaddr *)&out));
	unit_eq_long("gate/first", ST_OK,
	    serve_gate_probe_begin(g, (struct sockaddr *)&in, 0, &why));
	unit_eq_long("gate/second", ST_OK,
	    serve_gate_probe_begin(g, (struct sockaddr *)&in, 0, &why));
	unit_eq_long("gate/third-busy", ST_ERR_LIMIT,
	    serve_gate_probe_begin(g, (struct sockaddr *)&in, 0, &why));
	unit_eq_long("gate/third-busy-why", SERVE_REJECT_BUSY, why);
	serve_gate_probe_done(g, false, true);
	unit_eq_long("gate/room-again", ST_OK,
	    serve_gate_probe_begin(g, (struct sockaddr *)&in, 0, &why));
	serve_gate_probe_done(g, true, false);
	serve_gate_probe_done(g, false, false);
	serve_gate_count(g, SERVE_PATH_PROBE, 200);
	serve_gate_count(g, SERVE_PATH_OTHER, 418);
	serve_gate_reject(g, SERVE_REJECT_BUSY);
	m = serve_gate_metrics(g, SERVE_OPENMETRICS);
	unit_eq_long("gate/metrics-requests", 1,
	    m && strstr(m, "smtptls_serve_requests_total{path=\"/probe\","
	                   "code=\"200\"} 1\n") != NULL);
	unit_eq_long("gate/metrics-other-code", 1,
	    m && strstr(m, "{path=\"other\",code=\"other\"} 1\n") != NULL);
	unit_eq_long("gate/metrics-busy", 1,
	    m && strstr(m, "_rejected_total{reason=\"busy\"} 1\n") != NULL);
	unit_eq_long("gate/metrics-probes", 1,
	    m && strstr(m, "smtptls_serve_probes_total 1\n") != NULL);
	unit_eq_long("gate/metrics-errors", 1,
	    m && strstr(m, "smtptls_serve_probe_errors_total 1\n") != NULL);
	unit_eq_long("gate/metrics-in-flight", 1,
	    m && strstr(m, "smtptls_serve_probes_in_flight 0\n") != NULL);
	unit_eq_long("gate/metrics-om-family", 1,
	    m && strstr(m, "# TYPE smtptls_serve_probes counter\n") != NULL);
	unit_eq_long("gate/metrics-eof", 1,
	    m && strlen(m) > 6 && strcmp(m + strlen(m) - 6, "# EOF\n") == 0);
	free(m);
	m = serve_gate_metrics(g, SERVE_PROMETHEUS_TEXT);
	unit_eq_long("gate/text-family", 1,
	    m && strstr(m, "# TYPE smtptls_serve_probes_total counter\n"));
	unit_eq_long("gate/text-no-eof", 1, m && !strstr(m, "# EOF"));
	free(m);
	serve_gate_free(g);
}

static char long_target[10 * 1024 + 1];

static void
test_params(void)
{
	static const struct {
		const char *name, *target, *level, *rcpt;
		int ok;
	} rows[] = {
	    {"domain", "good.lab.test", NULL, NULL, 1},
	    {"domain, level, rcpt", "good.lab.test", "dane",
	     "postmaster@good.lab.test", 1},
	    {"missing", NULL, NULL, NULL, 0},
	    {"empty", "", NULL, NULL, 0},
	    {"quote", "a\".lab.test", NULL, NULL, 0},
	    {"newline", "a\n# EOF\nb.lab.test", NULL, NULL, 0},
	    {"script", "<script>alert(1)</script>", NULL, NULL, 0},
	    {"space", "good lab.test", NULL, NULL, 0},
	    {"address", "user@good.lab.test", NULL, NULL, 0},
	    {"bracketed literal", "[127.0.0.1]", NULL, NULL, 0},
	    {"host and port", "good.lab.test:25", NULL, NULL, 0},
	    {"non-UTF-8", "\xff\xfe.lab.test", NULL, NULL, 0},
	    {"10 KB", long_target, NULL, NULL, 0},
	    {"unknown level", "good.lab.test", "strict", NULL, 0},
	    {"rcpt with CRLF", "good.lab.test", NULL, "a@b\r\nRSET", 0},
	    {"rcpt without @", "good.lab.test", NULL, "postmaster", 0},
	};

	memset(long_target, 'a', sizeof(long_target) - 1);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char name[120];
		const char *why = serve_params_problem(rows[i].target,
		    rows[i].level, rows[i].rcpt);

		snprintf(name, sizeof(name), "params/%s", rows[i].name);
		unit_eq_long(name, rows[i].ok, why == NULL);
		/* The reason is answered to the client: it quotes nothing. */
		if (why != NULL) {
			snprintf(name, sizeof(name), "params/%s/no-echo",
			    rows[i].name);
			unit_eq_long(name, 1,
			    strpbrk(why, "<>\"\n") == NULL &&
			        (rows[i].target == NULL ||
			            *rows[i].target == '\0' ||
			            strstr(why, rows[i].target) == NULL));
		}
	}
}

/* A probe document cut down to what the metrics read; one MX name holds
 * the three octets a label value must escape. */
static const char doc[] =
    "{\"type\":\"probe\",\"duration_ms\":1234,"
    "\"summary\":{\"exit_code\":1},"
    "\"verdicts\":{\"levels\":{"
    "\"opportunistic\":{\"outcome\":\"deliver\",\"variants\":"
    "{\"cleartext_retry\":{\"outcome\":\"deliver\"}}},"
    "\"dane\":{\"outcome\":\"unknown\",\"variants\":"
    "{\"opportunistic\":{\"outcome\":\"defer\"}}}}},"
    "\"checks\":["
    "{\"id\":\"tls.cert.expiry\",\"status\":\"pass\"},"
    "{\"id\":\"tls.cert.expiry\",\"status\":\"warn\"},"
    "{\"id\":\"tls.cert.expiry\",\"status\":\"warn\"},"
    "{\"id\":\"dane.match\",\"status\":\"fail\"}],"
    "\"mx\":[{\"name\":\"mx\\\"1\\\\\\n.lab.test\",\"addresses\":["
    "{\"address\":\"192.0.2.25\",\"tls\":{\"established\":true,"
    "\"version\":\"TLSv1.3\",\"cipher\":\"TLS_AES_128_GCM_SHA256\","
    "\"chain\":[{\"not_after\":\"2027-01-02T03:04:05Z\"}]},"
    "\"dane\":{\"checked\":true,\"verified\":false}},"
    "{\"address\":\"2001:db8::25\",\"tls\":null,\"dane\":null}]}],"
    "\"mta_sts\":{\"policy\":{\"parsed\":{\"mode\":\"testing\"}}}}";

static const char *const want_om[] = {
    "smtptls_probe_success 0\n",
    "# UNIT smtptls_probe_duration_seconds seconds\n",
    "smtptls_probe_duration_seconds 1.234\n",
    "smtptls_probe_exit_code 1\n",
    "smtptls_level_deliver{level=\"opportunistic\",variant=\"strict\"} 1\n",
    "smtptls_level_deliver{level=\"opportunistic\","
    "variant=\"cleartext_retry\"} 1\n",
    "smtptls_level_deliver{level=\"dane\",variant=\"strict\"} 0\n",
    "smtptls_level_deliver{level=\"dane\",variant=\"opportunistic\"} 0\n",
    "smtptls_level_unknown{level=\"dane\"} 1\n",
    "smtptls_level_unknown{level=\"opportunistic\"} 0\n",
    "smtptls_check_status{id=\"tls.cert.expiry\",status=\"warn\"} 2\n",
    "smtptls_check_status{id=\"tls.cert.expiry\",status=\"fail\"} 0\n",
    "smtptls_check_status{id=\"dane.match\",status=\"fail\"} 1\n",
    /* 2027-01-02T03:04:05Z */
    "smtptls_cert_not_after_timestamp_seconds{mx=\"mx\\\"1\\\\\\n.lab.test\","
    "address=\"192.0.2.25\"} 1798859045\n",
    "smtptls_tls_version_info{mx=\"mx\\\"1\\\\\\n.lab.test\","
    "address=\"192.0.2.25\",version=\"TLSv1.3\","
    "cipher=\"TLS_AES_128_GCM_SHA256\"} 1\n",
    "smtptls_dane_match{mx=\"mx\\\"1\\\\\\n.lab.test\","
    "address=\"192.0.2.25\"} 0\n",
    "smtptls_mtasts_mode{mode=\"testing\"} 1\n",
    "smtptls_mtasts_mode{mode=\"enforce\"} 0\n",
    "# EOF\n",
};

static void
test_metrics(void)
{
	char *out = NULL, name[80];
	enum st_err err = serve_metrics_probe(doc, strlen(doc),
	    SERVE_OPENMETRICS, &out);

	unit_eq_long("metrics/ok", ST_OK, err);
	for (size_t i = 0; out && i < sizeof(want_om) / sizeof(want_om[0]);
	     i++) {
		snprintf(name, sizeof(name), "metrics/line-%zu", i);
		unit_eq_str(name, want_om[i],
		    strstr(out, want_om[i]) ? want_om[i] : out);
	}
	/* The address without TLS has no TLS, certificate or DANE sample;
	 * every line is a comment or a sample (no raw newline from a
	 * label). */
	unit_eq_long("metrics/no-sample-without-tls", 1,
	    out && strstr(out, "2001:db8::25") == NULL);
	for (const char *l = out; l && *l; l = strchr(l, '\n') + 1) {
		if (*l != '#' && strncmp(l, "smtptls_", 8) != 0) {
			unit_report(0, "metrics/every-line", "# or smtptls_", l);
			break;
		}
	}
	free(out);
	unit_eq_long("metrics/text-format", ST_OK,
	    serve_metrics_probe(doc, strlen(doc), SERVE_PROMETHEUS_TEXT, &out));
	unit_eq_long("metrics/text-no-unit-no-eof", 1,
	    out && !strstr(out, "# UNIT") && !strstr(out, "# EOF"));
	free(out);
	unit_eq_long("metrics/not-json", ST_ERR_PARSE,
	    serve_metrics_probe("{", 1, SERVE_OPENMETRICS, &out));
	unit_eq_long("metrics/not-json-nothing-out", 1, out == NULL);
	unit_eq_long("metrics/not-a-probe", ST_ERR_PARSE,
	    serve_metrics_probe("{\"type\":\"error\"}", 16, SERVE_OPENMETRICS,
	        &out));
}

static void
test_accept(void)
{
	unit_eq_long("accept/prometheus", SERVE_OPENMETRICS,
	    serve_format_accept("application/openmetrics-text;version=1.0.0,"
	                        "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"));
	unit_eq_long("accept/curl", SERVE_PROMETHEUS_TEXT,
	    serve_format_accept("*/*"));
	unit_eq_long("accept/none", SERVE_PROMETHEUS_TEXT,
	    serve_format_accept(NULL));
	unit_eq_str("accept/path-probe", "probe",
	    serve_path_of("/probe") == SERVE_PATH_PROBE ? "probe" : "other");
	unit_eq_str("accept/path-other", "other",
	    serve_path_of("/probe/") == SERVE_PATH_OTHER ? "other" : "probe");
}

int
main(void)
{
	test_cidr();
	test_rate();
	test_rate_full();
	test_gate();
	test_params();
	test_metrics();
	test_accept();
	return unit_exit();
}
