/* rules.c - the session rules of rules.h, quoted from RFC 5321. */
#include "rules.h"

#include <string.h>

static const struct rules_rule session_rules[] = {
	{ "RF-01", "RFC 5321 4.2", "Every command MUST generate exactly one reply." },
	/* Not checked by the engine on every scenario (the data scenarios
	 * name it): `smtp-harness fuzz` charges a reply to smuggled data
	 * with a bare CR or LF in it here (fz_oracle.c). */
	{ "DT-02", "RFC 5321 4.1.1.4", "In particular, the sequence \"<LF>.<LF>\" (bare line feeds, "
	    "without carriage returns) MUST NOT be treated as equivalent to <CRLF>.<CRLF> as the end "
	    "of mail data indication." },
	{ "RF-03", "RFC 5321 4.2.1",
	    "In a multiline reply, the reply code on each of the lines MUST be the same." },
	{ "RF-05", "RFC 5321 4.5.3.1", "Objects larger than these sizes SHOULD be avoided when possible." },
	{ "RF-06", "RFC 5321 2.3.8", "Conforming implementations MUST NOT recognize or generate any "
	    "other character or character sequence as a line terminator." },
	{ "TM-01", "RFC 5321 4.1.1.10", "This command specifies that the receiver MUST send a "
	    "\"221 OK\" reply, and then close the transmission channel." },
	{ "TM-03", "RFC 5321 4.1.1.10", "The receiver MUST NOT intentionally close the transmission "
	    "channel until it receives and replies to a QUIT command (even if there was an error)." },
	{ "TX-10", "RFC 5321 4.3.1", "A receiver MAY substitute text in the replies, but the meanings "
	    "and actions implied by the code numbers and by the specific command reply sequence MUST "
	    "be preserved." },
};

int
rules_about_close(const char *id)
{
	static const char *const ids[] = { "TM-01", "TM-03", "TX-09" };
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (strcmp(ids[i], id) == 0)
			return 1;
	return 0;
}

const struct rules_rule *
rules_session(const char *id)
{
	for (size_t i = 0; i < sizeof(session_rules) / sizeof(session_rules[0]); i++)
		if (strcmp(session_rules[i].id, id) == 0)
			return &session_rules[i];
	return NULL;
}
