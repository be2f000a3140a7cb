/*
 * server_faults.c - the reference server's named faults.  Each switches on
 * one deviation seen in real servers, so that every scenario of the suite
 * can be shown to fail against at least one of them.  The order is the order
 * of enum srv_fault in server_faults.h and of `serve --list-faults`.
 */
#include "server_faults.h"

#include <stdio.h>
#include <string.h>

#include "server.h"

static const struct {
	enum srv_fault id;
	const char *name;
	const char *desc;	/* benign and lenient ones start with the mark */
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
	    "answer DATA with 354 even with no MAIL or no accepted recipient (the empty message then gets 554)" },
	{ SRV_F_VRFY_UNRECOGNIZED, "vrfy-unrecognized",
	    "answer VRFY with 500 command not recognized" },
	{ SRV_F_POSTMASTER_REJECTED, "postmaster-rejected",
	    "refuse RCPT TO:<Postmaster> with 550" },
	{ SRV_F_NULL_SENDER_REJECTED, "null-sender-rejected",
	    "(benign) refuse the null reverse-path MAIL FROM:<> with 501 (sender policy)" },
	{ SRV_F_LONG_LINE_CLOSE, "long-line-close",
	    "close the connection without a reply on a command line over 512 octets" },
	{ SRV_F_SHORT_LINE_LIMIT, "short-line-limit",
	    "refuse command lines over 256 octets (RFC 5321 requires 512)" },
	{ SRV_F_LF_DOT_LF, "lf-dot-lf",
	    "also accept <LF>.<LF> and its mixed forms as the end of data" },
	{ SRV_F_BARE_LF_COMMANDS, "bare-lf-commands",
	    "(lenient) accept a bare LF as a command line terminator" },
	{ SRV_F_NO_ENHANCED_CODES, "no-enhanced-codes",
	    "advertise ENHANCEDSTATUSCODES but send replies without them" },
	{ SRV_F_SIZE_IGNORED, "size-ignored",
	    "accept MAIL SIZE= above the advertised limit" },
	{ SRV_F_PIPELINING_DROPS_INPUT, "pipelining-drops-input",
	    "after a 4xx/5xx reply, discard the input already received" },
	{ SRV_F_DATA_250_NOT_354, "data-250-not-354",
	    "answer a valid DATA with 250 instead of 354" },
	{ SRV_F_NESTED_MAIL_OK, "nested-mail-ok",
	    "answer a second MAIL inside an open transaction with 250 but "
	    "drop the transaction (RCPT then gets 503)" },
	{ SRV_F_MAIL_BEFORE_HELO, "mail-before-helo",
	    "accept MAIL before HELO/EHLO and keep that transaction open "
	    "across the first EHLO" },
	{ SRV_F_EHLO_AUTH_EQUALS, "ehlo-auth-equals",
	    "add the pre-standard \"AUTH=LOGIN PLAIN\" line to the EHLO reply (breaks the keyword grammar)" },
	{ SRV_F_GREETING_NO_DOMAIN, "greeting-no-domain",
	    "(benign) greet with \"220 ***** ready\" instead of the server's domain (greeting grammar, no requirement keyword)" },
	{ SRV_F_QUIT_NEEDS_HELO, "quit-needs-helo",
	    "answer QUIT before HELO/EHLO with 503" },
	{ SRV_F_SIZE_PARAM_REJECTED, "size-param-rejected",
	    "advertise SIZE but refuse the SIZE= parameter of MAIL with 555" },
	/* -- core suite faults -- */
	{ SRV_F_HELP_BARE_LF, "help-bare-lf",
	    "end the lines of the multi-line HELP reply with a bare LF" },
	{ SRV_F_REPLY_ECHOES_CONTROL, "reply-echoes-control",
	    "(lenient) echo a command with control characters verbatim in the 500 "
	    "reply (RF-07: a warning, no MUST or SHOULD)" },
	{ SRV_F_REPLY_OVER_512, "reply-over-512",
	    "send reply lines longer than 512 octets "
	    "(a long EHLO name is echoed in full)" },
	{ SRV_F_LITERALS_REJECTED, "literals-rejected",
	    "refuse address literals in EHLO/HELO, MAIL and RCPT with 501" },
	{ SRV_F_EHLO_ANY_NAME, "ehlo-any-name",
	    "accept any non-empty EHLO/HELO argument (underscores, bad labels)" },
	{ SRV_F_ERROR_RESETS_TRANSACTION, "error-resets-transaction",
	    "a 5xx reply inside an open transaction aborts the transaction" },
	{ SRV_F_SOURCE_ROUTE_REJECTED, "source-route-rejected",
	    "refuse source routes (<@a,@b:user@c>) in MAIL and RCPT with 501" },
	{ SRV_F_QUOTED_LOCAL_REJECTED, "quoted-local-rejected",
	    "refuse quoted local parts (\"john doe\"@example.com) with 501" },
	{ SRV_F_LAX_OCTETS, "lax-octets",
	    "treat control and 8-bit octets in commands as letters "
	    "(MAIL FROM:<j\\xF6rg@...> is accepted)" },
	{ SRV_F_TRAILING_SPACE_REJECTED, "trailing-space-rejected",
	    "refuse any command line that ends in a space with 501" },
	{ SRV_F_CLOSE_ON_SYNTAX_ERROR, "close-on-syntax-error",
	    "close the connection after every 501 reply" },
	{ SRV_F_CASE_SENSITIVE_KEYWORDS, "case-sensitive-keywords",
	    "recognise FROM: and TO: only in upper case" },
	{ SRV_F_OBSOLETE_VERBS_250, "obsolete-verbs-250",
	    "answer TURN, SEND, SOML and SAML with 250" },
	{ SRV_F_NO_ARG_CHECK, "no-arg-check",
	    "ignore arguments to DATA and QUIT instead of answering 501" },
	{ SRV_F_BARE_CR_COMMANDS, "bare-cr-commands",
	    "(lenient) accept a bare CR as a command line terminator" },
	{ SRV_F_TRANSACTION_PERSISTS, "transaction-persists",
	    "keep sender and recipients after a completed message" },
	{ SRV_F_OPEN_RELAY, "open-relay",
	    "accept recipients in any domain (an open relay)" },
	{ SRV_F_RCPT_LIMIT_50, "rcpt-limit-50",
	    "refuse recipients after the 50th with 452 (RFC 5321 requires 100)" },
	{ SRV_F_POSTMASTER_CASE_SENSITIVE, "postmaster-case-sensitive",
	    "recognise <Postmaster> without a domain only as "
	    "\"Postmaster\" or \"postmaster\"" },
	{ SRV_F_POSTMASTER_UNKNOWN, "postmaster-unknown",
	    "refuse postmaster@<local domain> with 550 (no postmaster alias)" },
	{ SRV_F_VRFY_EXPN_FAKE_250, "vrfy-expn-fake-250",
	    "answer VRFY and EXPN with 250 for any name, verified or not" },
	{ SRV_F_ADDRESS_LENGTH_LIMITS, "address-length-limits",
	    "refuse local parts over 32 and domains over 64 octets with 501" },
	{ SRV_F_DOTDOT_ENDS_DATA, "dotdot-ends-data",
	    "take a data line \"..\" as the end of data "
	    "(un-stuffing before the end check)" },
	{ SRV_F_TEXT_LINE_OFF_BY_TWO, "text-line-off-by-two",
	    "refuse text lines of 999 or 1000 octets with their CRLF" },
	{ SRV_F_LONG_TEXT_LINE_CLOSE, "long-text-line-close",
	    "close the connection without a reply on a text line over 1000 octets" },
	{ SRV_F_MESSAGE_LIMIT_32K, "message-limit-32k",
	    "refuse messages over 32 KiB with 552 (RFC 5321 requires 64 KiB)" },
	{ SRV_F_ANY_NEWLINE_DATA, "any-newline-data",
	    "in message data take a bare CR or bare LF like CRLF "
	    "(<CR>.<CR> ends the data)" },
	{ SRV_F_NUL_STRIPPED, "nul-stripped",
	    "drop NUL octets from message data before looking for the end of data" },
	{ SRV_F_EOD_SPLIT_LOST, "eod-split-lost",
	    "miss an end of data <CRLF>.<CRLF> that is split across two reads" },
	{ SRV_F_RESENT_CHECKED, "resent-checked",
	    "refuse a message with Resent-To: but no Resent-From: with 554" },
	{ SRV_F_BARE_CODES, "bare-codes",
	    "answer NOOP and RSET with a bare \"250\" (no text, no space)" },
	{ SRV_F_BARE_NEWLINE_REJECTED, "bare-newline-rejected",
	    "answer a command line holding a bare CR or LF with 550 and close (as "
	    "Postfix's smtpd_forbid_bare_newline = reject does for LF)" },
	/* -- end of core suite faults -- */

	/* -- extension faults -- */
	{ SRV_F_EHLO_EXTENSION_PARAMS, "ehlo-extension-params",
	    "advertise parameters on keywords that take none (\"8BITMIME 8bit\", \"DSN RET\", \"SMTPUTF8 on\")" },
	{ SRV_F_NO_8BITMIME, "no-8bitmime",
	    "do not advertise 8BITMIME (still accept BODY=8BITMIME)" },
	{ SRV_F_SIZE_KEYWORD_UNIT, "size-keyword-unit",
	    "(benign) advertise \"SIZE 10MB\" instead of a number of octets (RFC 1870 3 grammar, no requirement keyword)" },
	{ SRV_F_SIZE_ENDS_DATA, "size-ends-data",
	    "end the message data after the octets declared with SIZE= instead of at <CRLF>.<CRLF>" },
	{ SRV_F_SIZE_MUST_MATCH, "size-must-match",
	    "refuse with 552 a message whose size differs from the SIZE= declared" },
	{ SRV_F_SIZE_LENIENT_PARSE, "size-lenient-parse",
	    "(benign) read SIZE= like atoi() (\"abc\" is 0) and let a second SIZE= override the first (the client's error; the answer is free)" },
	{ SRV_F_PIPELINING_HOLDS_REPLIES, "pipelining-holds-replies",
	    "hold the replies to MAIL, RCPT and RSET until a NOOP, DATA or other group-ending command arrives" },
	{ SRV_F_DATA_END_DROPS_INPUT, "data-end-drops-input",
	    "discard input already received after the end of message data" },
	{ SRV_F_BODY_PARAM_REJECTED, "body-param-rejected",
	    "advertise 8BITMIME but refuse the BODY= parameter with 555" },
	{ SRV_F_BODY_UNCHECKED, "body-unchecked",
	    "(benign) accept any BODY= value and repeated BODY= parameters "
	    "(RFC 6152 obliges no refusal)" },
	{ SRV_F_8BIT_DATA_REJECTED, "8bit-data-rejected",
	    "refuse messages with octets above 127 with 554, even with BODY=8BITMIME" },
	{ SRV_F_UNKNOWN_PARAM_IGNORED, "unknown-param-ignored",
	    "(benign) ignore unknown MAIL and RCPT parameters instead of answering 555 (RFC 5321 4.1.1.11 has no keyword)" },
	{ SRV_F_ENHANCED_CLASS_MISMATCH, "enhanced-class-mismatch",
	    "answer a refused relay with \"550 4.7.1\" (class of the enhanced code differs from the reply's)" },
	{ SRV_F_ENHANCED_FIRST_LINE_ONLY, "enhanced-first-line-only",
	    "put the enhanced status code only on the first line of multi-line replies" },
	{ SRV_F_ENHANCED_EHLO_ONLY, "enhanced-ehlo-only",
	    "send enhanced status codes only to clients that greeted with EHLO" },
	{ SRV_F_ENHANCED_CODE_PADDED, "enhanced-code-padded",
	    "pad enhanced status codes with leading zeros (\"2.1.05\")" },
	{ SRV_F_BDAT_LINE_MODE, "bdat-line-mode",
	    "read a BDAT chunk up to the end of the line it ends in, as if the data were text lines" },
	{ SRV_F_BDAT_AFTER_LAST_OK, "bdat-after-last-ok",
	    "keep the envelope after BDAT LAST so that a further BDAT is accepted" },
	{ SRV_F_BDAT_DATA_MIX_OK, "bdat-data-mix-ok",
	    "accept DATA in a transaction that already used BDAT" },
	{ SRV_F_BDAT_RSET_KEEPS_CHUNKS, "bdat-rset-keeps-chunks",
	    "RSET does not forget that BDAT was used: DATA in the next transaction gets 503" },
	{ SRV_F_BDAT_ERROR_NO_DISCARD, "bdat-error-no-discard",
	    "refuse a BDAT without reading its chunk: the octets are read as commands" },
	{ SRV_F_BDAT_LENIENT_SYNTAX, "bdat-lenient-syntax",
	    "(benign) ignore anything after the BDAT chunk size (\"BDAT 5 FIRST\" is a chunk of 5; Exim)" },
	{ SRV_F_BINARYMIME_DATA_OK, "binarymime-data-ok",
	    "accept DATA after MAIL with BODY=BINARYMIME" },
	{ SRV_F_BDAT_BINARY_REJECTED, "bdat-binary-rejected",
	    "refuse BDAT data with NUL, bare CR or bare LF with 554, even with BODY=BINARYMIME" },
	{ SRV_F_BINARYMIME_WITHOUT_CHUNKING, "binarymime-without-chunking",
	    "(benign) advertise BINARYMIME but not CHUNKING (RFC 3030 3 has no requirement keyword)" },
	{ SRV_F_AUTH_KEYWORD_EMPTY, "auth-keyword-empty",
	    "(benign) advertise the AUTH keyword without any mechanism (RFC 4954 3 has no requirement keyword)" },
	{ SRV_F_AUTH_UNKNOWN_MECH_501, "auth-unknown-mech-501",
	    "(benign) answer AUTH with an unknown mechanism with 501 instead of 504 (no keyword on the 504)" },
	{ SRV_F_AUTH_IN_TRANSACTION_OK, "auth-in-transaction-ok",
	    "allow AUTH inside a mail transaction" },
	{ SRV_F_AUTH_CANCEL_535, "auth-cancel-535",
	    "answer the \"*\" cancel of an AUTH exchange with 535 instead of 501" },
	{ SRV_F_AUTH_BASE64_LENIENT, "auth-base64-lenient",
	    "skip characters outside the base64 alphabet in AUTH responses instead of answering 501" },
	{ SRV_F_AUTH_CHALLENGE_TEXT, "auth-challenge-text",
	    "send 334 challenges with human text (\"334 Username:\", \"334 Go ahead\")" },
	{ SRV_F_AUTH_CRAM_IGNORES_IR, "auth-cram-ignores-ir",
	    "ignore an initial response to AUTH CRAM-MD5 and send the challenge" },
	{ SRV_F_AUTH_LONG_LINE_CLOSE, "auth-long-line-close",
	    "close the connection on an AUTH response line longer than the buffer" },
	{ SRV_F_AUTH_ACCEPT_ANY, "auth-accept-any",
	    "accept any password for a known user" },
	{ SRV_F_AUTH_SUCCESS_250, "auth-success-250",
	    "answer a successful AUTH with 250 instead of 235" },
	{ SRV_F_AUTH_REAUTH_OK, "auth-reauth-ok",
	    "allow a second AUTH after a successful one" },
	{ SRV_F_AUTH_PARAM_REJECTED, "auth-param-rejected",
	    "advertise AUTH but refuse the AUTH= MAIL parameter with 555" },
	{ SRV_F_SMTPUTF8_PARAM_REJECTED, "smtputf8-param-rejected",
	    "advertise SMTPUTF8 but refuse the SMTPUTF8 MAIL parameter with 555" },
	{ SRV_F_SMTPUTF8_VALUE_OK, "smtputf8-value-ok",
	    "accept SMTPUTF8=value on MAIL" },
	{ SRV_F_UTF8_WITHOUT_SMTPUTF8, "utf8-without-smtputf8",
	    "accept UTF-8 addresses in MAIL and RCPT without the SMTPUTF8 parameter" },
	{ SRV_F_DSN_PARAMS_REJECTED, "dsn-params-rejected",
	    "advertise DSN but refuse RET, ENVID, NOTIFY and ORCPT with 555" },
	{ SRV_F_DSN_UNCHECKED, "dsn-unchecked",
	    "accept any value and repeated RET, ENVID, NOTIFY and ORCPT parameters" },
	{ SRV_F_DSN_CASE_SENSITIVE, "dsn-case-sensitive",
	    "accept DSN keywords (NOTIFY values, RET values) only in upper case" },
	{ SRV_F_DSN_SHORT_BUFFERS, "dsn-short-buffers",
	    "refuse ENVID over 38 and ORCPT over 256 characters with 501" },
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
	    "(benign) greet after 500 ms, then behave (a slow server for load tests; RFC 5321 4.5.3.2.1)" },
	/* -- end of hostile faults -- */

	/* -- TLS faults -- */
	{ SRV_F_TLS_INJECTION, "tls-injection",
	    "execute plaintext pipelined after STARTTLS inside TLS (CVE-2011-0411)" },
	{ SRV_F_TLS_KEEPS_STATE, "tls-keeps-state",
	    "keep the pre-TLS HELO/EHLO state and transaction across the handshake" },
	{ SRV_F_TLS_STARTTLS_AGAIN, "tls-starttls-again",
	    "advertise STARTTLS again in the EHLO reply inside TLS" },
	{ SRV_F_TLS_SECOND_STARTTLS, "tls-second-starttls",
	    "(benign) answer STARTTLS inside TLS with 220 (RFC 3207 4.2 binds the client)" },
	{ SRV_F_TLS_PARAMS_OK, "tls-params-ok",
	    "(benign) accept STARTTLS with a parameter (220 instead of 501; no requirement keyword)" },
	{ SRV_F_TLS_UNIMPLEMENTED, "tls-unimplemented",
	    "advertise STARTTLS but answer it with 502" },
	{ SRV_F_TLS_HANDSHAKE_GARBAGE, "tls-handshake-garbage",
	    "answer STARTTLS with 220, then send plaintext garbage and close instead of a handshake" },
	{ SRV_F_TLS_HANDSHAKE_DROP, "tls-handshake-drop",
	    "answer STARTTLS with 220, then close in the middle of the handshake" },
	{ SRV_F_TLS_220_PLAINTEXT, "tls-220-plaintext",
	    "answer STARTTLS with 220 and a plaintext 250 line in the same write, "
	    "then make the handshake" },
	{ SRV_F_TLS_CLOSE_WAIT, "tls-close-wait",
	    "(benign) after its 221 inside TLS, send close_notify and keep the "
	    "connection open until the client closes it (at most 3 s), as Python's "
	    "asyncio does (30 s; RFC 8446 6.1)" },
	{ SRV_F_TLS_REQUIRED_IGNORED, "tls-required-ignored",
	    "accept MAIL in plaintext from the client that must use TLS (" SRV_TLS_REQUIRED_CLIENT ")" },
	{ SRV_F_TLS_REQUIRED_ALL, "tls-required-all",
	    "require TLS from every client: 530 to MAIL, RCPT, DATA ... in plaintext" },
	{ SRV_F_TLS_AUTH_PLAINTEXT, "tls-auth-plaintext",
	    "advertise AUTH in plaintext to the client that must use TLS (" SRV_TLS_REQUIRED_CLIENT ")" },
	/* -- end of TLS faults -- */

	/* -- issue 12 faults -- */
	{ SRV_F_NOOP_RESETS_TRANSACTION, "noop-resets-transaction",
	    "NOOP answers 250 but drops the open transaction (RFC 5321 4.1.1.9)" },
	{ SRV_F_RSET_NEEDS_HELO, "rset-needs-helo",
	    "answer RSET before HELO/EHLO with 503 (RFC 5321 4.1.1.5: MUST 250)" },
	{ SRV_F_VRFY_NO_ARG_250, "vrfy-no-arg-250",
	    "answer VRFY without an argument with 250 (RFC 5321 3.5.3)" },
	{ SRV_F_DATA_EMPTY_ACCEPTED, "data-empty-accepted",
	    "answer DATA with no MAIL or no recipient with 354 and accept the "
	    "empty message with 250 (RFC 5321 4.1.1.4)" },
	{ SRV_F_SECOND_HELO_503, "second-helo-503",
	    "refuse a second EHLO/HELO with 503 (RFC 5321 4.1.4)" },
	{ SRV_F_GREETING_250, "greeting-250",
	    "greet with code 250 instead of 220 (RFC 5321 4.3.1)" },
	{ SRV_F_GREETING_EXTRA_REPLY, "greeting-extra-reply",
	    "send a second 220 reply right after the greeting" },
	{ SRV_F_DATA_ANSWERS_COMMANDS, "data-answers-commands",
	    "answer message lines that read QUIT, RSET or NOOP with 250 "
	    "before the end of data" },
	{ SRV_F_EHLO_LITERAL_503, "ehlo-literal-503",
	    "refuse EHLO/HELO with an address literal with 503" },
	{ SRV_F_MAIL_PATH_500, "mail-path-500",
	    "answer a MAIL path without brackets or with a space after the "
	    "colon with 500 (command not recognized)" },
	{ SRV_F_REFUSED_MAIL_OPENS, "refused-mail-opens-transaction",
	    "refuse MAIL with an unknown parameter (555) but open the "
	    "transaction anyway (the next MAIL gets 503)" },
	{ SRV_F_AUTH_DROPS_PIPELINE, "auth-drops-pipeline",
	    "discard the commands pipelined behind AUTH with an initial response" },
	{ SRV_F_UTF8_LOCAL_REFUSED, "utf8-local-refused",
	    "refuse a UTF-8 local part in RCPT with 553 even after SMTPUTF8" },
	{ SRV_F_HELO_NO_MAIL, "helo-no-mail",
	    "refuse MAIL with 503 in a session opened with HELO (not EHLO)" },
	{ SRV_F_NULL_SENDER_RCPT_503, "null-sender-rcpt-503",
	    "accept MAIL FROM:<> but answer the following RCPT with 503" },
	{ SRV_F_AUTH_UNKNOWN_MECH_334, "auth-unknown-mech-334",
	    "answer AUTH with an unknown mechanism with a 334 challenge" },
	{ SRV_F_BDAT_NO_SIZE_250, "bdat-no-size-250",
	    "answer BDAT without a chunk size with 250" },
	{ SRV_F_BARE_LF_LOSES_STATE, "bare-lf-loses-state",
	    "after a command line with a bare CR or LF, answer every command "
	    "but QUIT with 503" },
	{ SRV_F_CHUNKING_DATA_502, "chunking-data-502",
	    "answer DATA with 502 in EHLO sessions: BDAT only (RFC 5321 4.5.1)" },
	{ SRV_F_PIPELINING_HOLDS_RSET, "pipelining-holds-rset",
	    "hold the reply to RSET until the next command (RFC 2920 3.2)" },
	{ SRV_F_TLS_REQUIRED_RCPT, "tls-required-rcpt",
	    "advertise STARTTLS and answer RCPT in plaintext with 530 (a "
	    "public MX must not require TLS, RFC 3207 4)" },
	{ SRV_F_FLOOD_421_TALKS_ON, "flood-421-talks-on",
	    "after 10 error replies send 421, then answer the command anyway "
	    "and keep the session open (RFC 5321 3.8: the close must follow)" },
	{ SRV_F_MESSAGE_LIMIT_CLOSE, "message-limit-close",
	    "after 5 messages in a session, close at the next MAIL without a "
	    "reply or 421 (RFC 5321 4.1.1.10)" },
	{ SRV_F_AUTH_538_ADVERTISED, "auth-538-advertised",
	    "advertise AUTH in plaintext but answer AUTH before STARTTLS with 538 "
	    "(RFC 4954 6: SHOULD NOT advertise what needs encryption)" },
	{ SRV_F_AUTH_REQUIRED_554, "auth-required-554",
	    "answer MAIL before AUTH from the client it requires AUTH from ("
	    SRV_SUBMISSION_CLIENT ") with 554 5.7.1 instead of 530 (RFC 4954 6)" },
	/* -- end of issue 12 faults -- */

	/* -- delivery faults -- */
	{ SRV_F_DOTS_KEPT, "dots-kept",
	    "deliver DATA lines with their stuffing dot still in front (RFC "
	    "5321 4.5.2: the first dot of a line is removed)" },
	{ SRV_F_EIGHT_BIT_STRIPPED, "eight-bit-stripped",
	    "clear the high bit of every octet delivered (RFC 6152 3: 8-bit "
	    "data must be delivered as received)" },
	{ SRV_F_NO_RECEIVED, "no-received",
	    "deliver without a Received: trace line (RFC 5321 4.4: one MUST be "
	    "added)" },
	{ SRV_F_NO_RETURN_PATH, "no-return-path",
	    "deliver finally without a Return-Path: line (RFC 5321 4.4: the "
	    "final delivery inserts one)" },
	{ SRV_F_LOCAL_PART_FOLDED, "local-part-folded",
	    "deliver to the recipients' local-parts lower-cased (RFC 5321 2.4: "
	    "local-parts are case-sensitive)" },
	{ SRV_F_CONTROLS_STRIPPED, "controls-stripped",
	    "drop control characters other than CR, LF and HT from what is "
	    "delivered (RFC 5321 4.5.2: content passes unaltered)" },
	{ SRV_F_EXTRA_BLANK_LINE, "extra-blank-line",
	    "append a CRLF to the delivered content (RFC 5321 4.1.1.4: the "
	    "CRLF before the final dot ends the last line)" },
	{ SRV_F_ABORTED_DELIVERED, "aborted-delivered",
	    "deliver what was received of a message whose connection dropped "
	    "in the middle of its data (RFC 5321 4.1.1.10: no 250, no "
	    "delivery)" },
	{ SRV_F_COMPLETED_LOST, "completed-lost",
	    "hand accepted messages over only at QUIT: a connection dropped "
	    "without QUIT loses them (RFC 5321 4.1.1.10: 250 means the "
	    "server is responsible)" },
	/* -- end of delivery faults -- */
	{ SRV_F_DEEP_CRASH, "deep-crash",
	    "(deep) crash on RSET after a successful AUTH and an accepted BDAT "
	    "chunk in the same session: abort() under `serve`, a close "
	    "without reply in the builtin target (as a crashed worker's)" },
	{ SRV_F_DEEP_HANG, "deep-hang",
	    "(deep) after a message with two or more recipients was accepted "
	    "in the session, never answer VRFY (a stuck worker)" },

	/* -- benign modes -- */
	{ SRV_M_BARE_NEWLINE_DATA, "bare-newline-data",
	    "(benign) keep bare CR and bare LF in DATA as message data, 250 at "
	    "the real <CRLF>.<CRLF> (RFC 5321 2.3.8, 4.1.1.4)" },
	{ SRV_M_HELP_UNKNOWN, "help-unknown",
	    "(benign) answer HELP with 500 (not in the minimum set, RFC 5321 "
	    "4.2.4, 4.5.1)" },
	{ SRV_M_ERROR_LIMIT_421, "error-limit-421",
	    "(benign) after 3 error replies answer the next command with 421 "
	    "and close (RFC 5321 3.8, 7.8)" },
	{ SRV_M_ERROR_LIMIT_CLOSE, "error-limit-close",
	    "(benign) close without 421 right after the 3rd 5yz reply (RFC "
	    "5321 7.8, Exim's limits)" },
	{ SRV_M_LONG_LINES, "long-lines",
	    "(benign) accept command lines far over 512 octets (up to 1 MiB; "
	    "what passes 16 KiB is ignored) and AUTH responses of any length "
	    "(one over 12 KiB fails with 535: no credential is that long)" },
	{ SRV_M_MAIL_RESTARTS, "nested-mail-restarts",
	    "(benign) a second MAIL inside a transaction restarts it with the "
	    "new sender (250)" },
	{ SRV_M_MAIL_BEFORE_HELO_OK, "mail-before-helo-ok",
	    "(benign) accept MAIL before HELO/EHLO (EHLO then resets it, RFC "
	    "5321 4.1.4)" },
	{ SRV_M_ACCEPT_ALL_RCPT, "accept-all-recipients",
	    "(benign) a sink: accept every recipient, relaying included (RFC "
	    "5321 3.6.2; the server states no rejected_recipient)" },
	{ SRV_M_AUTH_REQUIRED, "auth-required",
	    "(benign) refuse MAIL with 530 before a successful AUTH (a "
	    "submission server, RFC 4954 6)" },
	{ SRV_M_EHLO_LITERAL_REFUSED, "ehlo-literal-refused",
	    "(benign) refuse EHLO/HELO with an address literal with 550 "
	    "(RFC 5321 4.1.4)" },
	{ SRV_M_RCPT_LIMIT_100, "rcpt-limit-100",
	    "(benign) answer recipients past the 100th with 452 (RFC 5321 "
	    "4.5.3.1.8, 4.5.3.1.10)" },
	{ SRV_M_RELAY_554, "relay-554",
	    "(benign) refuse relaying with 554 instead of 550 (Postfix; RFC "
	    "5321 3.6.2 prefers 550)" },
	{ SRV_M_LENIENT_PATHS, "lenient-paths",
	    "(benign) accept MAIL FROM:addr and RCPT TO:addr without angle "
	    "brackets (the client's error; the answer is free)" },
	{ SRV_M_UNKNOWN_502, "unknown-502",
	    "(benign) answer unknown verbs (a control octet in the first word "
	    "too) with 502 (empty lines still 500) "
	    "and TURN, SEND, SOML, SAML, ETRN, ATRN with 500 (RFC 5321 4.2.4 "
	    "prefers 500/502)" },
	{ SRV_M_SECOND_HELO_REFUSED, "second-helo-refused",
	    "(benign) refuse a second EHLO/HELO with 550, keeping the state "
	    "(RFC 5321 4.1.4)" },
	{ SRV_M_STRICT_SENDER_PATHS, "strict-sender-paths",
	    "(benign) refuse senders with an address literal, a source route "
	    "or a quoted local part with 553 (sender policy, RFC 5321 4.1.4)" },
	{ SRV_M_SYNTAX_500, "syntax-500",
	    "(benign) answer HELO/EHLO, VRFY and EXPN without argument and "
	    "malformed RCPT and BDAT arguments with 500 instead of 501 (RFC "
	    "5321 4.2.2, 4.3.2; where a MUST names 501 it stays)" },
	{ SRV_M_DATA_354_NO_RCPT, "data-354-no-rcpt",
	    "(benign) no PIPELINING; DATA without a valid recipient gets 354 "
	    "and the data 554, BDAT 554 after its octets (RFC 5321 3.3: 503 or "
	    "554 at DATA is a MAY)" },
	{ SRV_M_SOURCE_ROUTES_REFUSED, "source-routes-refused",
	    "(benign) refuse MAIL and RCPT paths with a source route with 550 "
	    "(RFC 5321 3.6.1: servers MAY decline to accept source routes)" },
	{ SRV_M_RCPT_FAILURE_DEFERS, "rcpt-failure-defers",
	    "(benign) after a refused recipient, defer the transaction's "
	    "further recipients with 450 (a dictionary-attack defence; RFC "
	    "5321 4.3.2, 7.9)" },
	{ SRV_M_AUTH_TEMP_FAILURE, "auth-temp-failure",
	    "(benign) the credential store is unreachable: every AUTH exchange "
	    "that reaches the credentials ends with 454 4.7.0 (RFC 4954 6; "
	    "Postfix without its SASL back-end)" },
	{ SRV_M_HEADERS_REQUIRED, "headers-required",
	    "(benign) a content filter: a message without the Date: or the "
	    "From: header field (RFC 5322 3.6 requires both) gets 554 at the "
	    "end of the data (RFC 5321 4.3.2)" },
	{ SRV_M_SIZE_UNLIMITED, "size-unlimited",
	    "(benign) advertise SIZE without a limit (RFC 1870 3: no fixed "
	    "maximum), take messages of any size and any run of digits in "
	    "SIZE= (over 20 is the client's error)" },
	{ SRV_M_NO_SERVICE_554, "no-service-554",
	    "(benign) greet every connection after the first with 554 (no SMTP "
	    "service here, RFC 5321 3.1), then answer QUIT with 221 and any "
	    "other command with 503" },
	{ SRV_M_MAX_SESSIONS, "max-sessions",
	    "(benign) refuse a connection while 4 sessions are open with 421 "
	    "(too many sessions) and close (RFC 5321 3.8; Postfix's "
	    "smtpd_client_connection_count_limit)" },
	/* -- end of benign modes -- */
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
srv_fault_benign(size_t i)
{
	return i < srv_fault_count() &&
	    strncmp(faults[i].desc, SRV_BENIGN_MARK, strlen(SRV_BENIGN_MARK)) == 0;
}

int
srv_fault_lenient(size_t i)
{
	return i < srv_fault_count() &&
	    strncmp(faults[i].desc, SRV_LENIENT_MARK, strlen(SRV_LENIENT_MARK)) == 0;
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

int
srv_faults_parse(struct srv_faults *set, const char *list, char *errbuf,
    size_t errlen)
{
	const char *p = list ? list : "", *e;

	while (*p) {
		size_t n;
		int id;

		e = strchr(p, ',');
		n = e ? (size_t)(e - p) : strlen(p);
		/* Surrounding blanks and empty items are tolerated. */
		while (n > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n > 0) {
			if ((id = srv_fault_lookup(p, n)) == -1) {
				snprintf(errbuf, errlen, "unknown fault "
				    "\"%.*s\"", (int)n, p);
				return -1;
			}
			set->on[id] = 1;
		}
		if (!e)
			break;
		p = e + 1;
	}
	return 0;
}

const char *
srv_policy_var(const char *list, const char *name)
{
	struct srv_faults set;
	char err[128];

	memset(&set, 0, sizeof(set));
	if (srv_faults_parse(&set, list, err, sizeof(err)) != 0)
		return NULL;
	if (strcmp(name, "rejected_recipient") == 0)
		/* open-relay is the fault: the server states a refusal it
		 * does not keep; the sink states none. */
		return srv_faults_has(&set, SRV_M_ACCEPT_ALL_RCPT) ? NULL :
		    SRV_REJECTED_RECIPIENT;
	int submission = srv_faults_has(&set, SRV_M_AUTH_REQUIRED);
	if (strcmp(name, "role_mx") == 0)
		/* a sink, or a submission server (AUTH before MAIL), is no MX */
		return srv_faults_has(&set, SRV_M_ACCEPT_ALL_RCPT) || submission ? NULL : "yes";
	if (strcmp(name, "auth_required") == 0 || strcmp(name, "role_submission") == 0)
		return submission ? "yes" : NULL;
	return NULL;
}
