/*
 * smtp_params.h - what may stand in an SMTP command the probe sends: the
 * rules for a mailbox (MAIL FROM, RCPT TO) and for the EHLO name. Owned
 * here, beside the SMTP machine, and called by the command line too, so
 * that one rule is checked once (a value the machine would refuse is a
 * usage error, never a failure deep in a session).
 */
#ifndef SMTPTLS_SMTP_PARAMS_H
#define SMTPTLS_SMTP_PARAMS_H

#include "st_limits.h"

/*
 * smtp_mailbox_problem - the one rule for a mailbox that goes into
 * MAIL FROM:<...> or RCPT TO:<...>: local@domain, both parts non-empty, at
 * most SMTP_MAILBOX_MAX octets of ASCII, no control octet, SP, '<' or '>'
 * (which would break the command or inject one). NULL when s is fine, else why
 * not (static text). The command line checks its options with it too.
 */
const char *smtp_mailbox_problem(const char *s);

/*
 * smtp_ehlo_name_problem - the rule for the name sent in EHLO/HELO: a host
 * name (ascii_is_hostname) or an address literal. NULL when fine, else why
 * not (static text).
 */
const char *smtp_ehlo_name_problem(const char *s);

#endif
