/*
 * server_faults.c - the reference server's named faults.  Each switches on
 * one deviation seen in real servers, so that every scenario of the suite
 * can be shown to fail against at least one of them.  The order is the order
 * of enum srv_fault in server.h and of `serve --list-faults`.
 */
#include "server.h"

#include <string.h>

static const struct {
	enum srv_fault id;
	const char *name;
	const char *desc;
} faults[] = {
	{ SRV_F_CLOSE_ON_INVALID, "close-on-invalid",
	    "after answering an unknown command with 500, close the connection" },
	{ SRV_F_ACCEPT_UNKNOWN, "accept-unknown",
	    "answer unknown commands with 250" },
	{ SRV_F_INVALID_421, "invalid-421",
	    "answer an unknown command with 421 and close" },
	{ SRV_F_QUIT_250, "quit-250",
	    "answer QUIT with 250 instead of 221 (then close)" },
	{ SRV_F_QUIT_NO_CLOSE, "quit-no-close",
	    "answer QUIT with 221 but keep the connection open" },
	{ SRV_F_GREETING_421, "greeting-421",
	    "greet with 421 and close" },
	{ SRV_F_SILENT, "silent",
	    "accept connections and never send anything" },
	{ SRV_F_TIRED_421, "tired-421",
	    "answer the fourth command of a session with 421 and close" },
	{ SRV_F_421_NO_CLOSE, "421-no-close",
	    "answer the fourth command with 421 but keep the session open" },
	{ SRV_F_BARE_LF_REPLIES, "bare-lf-replies",
	    "end every reply line with LF instead of CRLF" },
	{ SRV_F_MIXED_CODE_MULTILINE, "mixed-code-multiline",
	    "the last line of the EHLO reply carries code 251 instead of 250" },
	{ SRV_F_CODE_OUT_OF_RANGE, "code-out-of-range",
	    "answer unknown commands with code 599" },
	{ SRV_F_UNSOLICITED_REPLY, "unsolicited-reply",
	    "answer NOOP with two replies" },
	{ SRV_F_NO_EHLO, "no-ehlo",
	    "answer EHLO with 500 (an RFC 821-only server)" },
	{ SRV_F_HELO_MULTILINE, "helo-multiline",
	    "answer HELO with the multi-line EHLO extension list" },
	{ SRV_F_EHLO_NO_ARG_OK, "ehlo-no-arg-ok",
	    "accept EHLO and HELO without an argument" },
	{ SRV_F_CASE_SENSITIVE_VERBS, "case-sensitive-verbs",
	    "recognise only upper-case verbs" },
	{ SRV_F_NOOP_ARG_501, "noop-arg-501",
	    "answer NOOP with an argument with 501" },
	{ SRV_F_RSET_ARG_OK, "rset-arg-ok",
	    "accept RSET with an argument instead of answering 501" },
	{ SRV_F_RSET_KEEPS_TRANSACTION, "rset-keeps-transaction",
	    "RSET answers 250 but keeps the sender and recipients" },
	{ SRV_F_EHLO_KEEPS_TRANSACTION, "ehlo-keeps-transaction",
	    "a second EHLO/HELO does not reset the transaction" },
	{ SRV_F_RCPT_WITHOUT_MAIL, "rcpt-without-mail",
	    "accept RCPT with no MAIL before it" },
	{ SRV_F_DATA_WITHOUT_RCPT, "data-without-rcpt",
	    "answer DATA with 354 even with no accepted recipient" },
	{ SRV_F_VRFY_UNRECOGNIZED, "vrfy-unrecognized",
	    "answer VRFY with 500 command not recognized" },
	{ SRV_F_POSTMASTER_REJECTED, "postmaster-rejected",
	    "refuse RCPT TO:<Postmaster> with 550" },
	{ SRV_F_NULL_SENDER_REJECTED, "null-sender-rejected",
	    "refuse the null reverse-path MAIL FROM:<> with 501" },
	{ SRV_F_LONG_LINE_CLOSE, "long-line-close",
	    "close the connection without a reply on a command line over 512 octets" },
	{ SRV_F_SHORT_LINE_LIMIT, "short-line-limit",
	    "refuse command lines over 256 octets (RFC 5321 requires 512)" },
	{ SRV_F_LF_DOT_LF, "lf-dot-lf",
	    "also accept <LF>.<LF> and its mixed forms as the end of data" },
	{ SRV_F_BARE_LF_COMMANDS, "bare-lf-commands",
	    "accept a bare LF as a command line terminator" },
	{ SRV_F_NO_ENHANCED_CODES, "no-enhanced-codes",
	    "advertise ENHANCEDSTATUSCODES but send replies without them" },
	{ SRV_F_SIZE_IGNORED, "size-ignored",
	    "accept MAIL SIZE= above the advertised limit" },
	{ SRV_F_PIPELINING_DROPS_INPUT, "pipelining-drops-input",
	    "after a 4xx/5xx reply, discard the input already received" },
	{ SRV_F_DATA_250_NOT_354, "data-250-not-354",
	    "answer a valid DATA with 250 instead of 354" },
	{ SRV_F_NESTED_MAIL_OK, "nested-mail-ok",
	    "accept a second MAIL inside an open transaction" },
	{ SRV_F_MAIL_BEFORE_HELO, "mail-before-helo",
	    "accept MAIL before HELO/EHLO" },
	{ SRV_F_EHLO_AUTH_EQUALS, "ehlo-auth-equals",
	    "add the pre-standard \"AUTH=LOGIN PLAIN\" line to the EHLO reply (breaks the keyword grammar)" },
	{ SRV_F_GREETING_NO_DOMAIN, "greeting-no-domain",
	    "greet with \"220 ***** ready\" instead of the server's domain" },
	{ SRV_F_QUIT_NEEDS_HELO, "quit-needs-helo",
	    "answer QUIT before HELO/EHLO with 503" },
	{ SRV_F_SIZE_PARAM_REJECTED, "size-param-rejected",
	    "advertise SIZE but refuse the SIZE= parameter of MAIL with 555" },
	/* -- core suite faults -- */
	/* -- end of core suite faults -- */

	/* -- extension faults -- */
	/* -- end of extension faults -- */

	/* -- hostile faults -- */
	{ SRV_F_SLOW_GREETING, "slow-greeting",
	    "send the greeting one byte per second" },
	{ SRV_F_ENDLESS_LINE, "endless-line",
	    "answer the first command with an endless line without CRLF (up to 64 MiB)" },
	{ SRV_F_BINARY_REPLY, "binary-reply",
	    "answer every command with a reply holding NUL, 0xFF and terminal escape bytes" },
	{ SRV_F_RESET_AFTER_GREETING, "reset-after-greeting",
	    "greet, then reset the connection (TCP RST)" },
	{ SRV_F_ENDLESS_MULTILINE, "endless-multiline",
	    "answer the first command with a multi-line reply that never ends (up to 64 MiB)" },
	{ SRV_F_RANDOM_BYTES, "random-bytes",
	    "send random bytes instead of a greeting (up to 64 MiB)" },
	{ SRV_F_CLOSE_ON_CONNECT, "close-on-connect",
	    "close every connection at once" },
	{ SRV_F_DELAYED_GREETING, "delayed-greeting",
	    "greet after 500 ms, then behave (a slow server for load tests)" },
	/* -- end of hostile faults -- */
};

_Static_assert(sizeof(faults) / sizeof(faults[0]) == SRV_F_COUNT,
    "one table row per enum srv_fault");

size_t
srv_fault_count(void)
{
	return sizeof(faults) / sizeof(faults[0]);
}

const char *
srv_fault_name(size_t i)
{
	return i < srv_fault_count() ? faults[i].name : NULL;
}

const char *
srv_fault_desc(size_t i)
{
	return i < srv_fault_count() ? faults[i].desc : NULL;
}

int
srv_fault_lookup(const char *name, size_t len)
{
	for (size_t i = 0; i < srv_fault_count(); i++)
		if (strlen(faults[i].name) == len &&
		    memcmp(faults[i].name, name, len) == 0)
			return (int)faults[i].id;
	return -1;
}
