/*
 * builtin.c - the reference server as a target (builtin.h).
 */
#include "builtin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle_srv.h"
#include "server.h"
#include "util.h"

struct bi_server {
	struct srv *srv;
};

struct bi_server *
bi_start(struct loop *loop, const struct tp_target *t, struct tp_target *tcp,
    char *errbuf, size_t errlen)
{
	struct srv *srv = srv_new(loop, t->faults, errbuf, errlen);
	if (!srv)
		return NULL;
	int port = t->tls ? srv_listen_tls(srv, "127.0.0.1", "0", errbuf, errlen) :
	    srv_listen(srv, "127.0.0.1", "0", errbuf, errlen);
	if (port < 0) {
		srv_free(srv);
		return NULL;
	}
	*tcp = (struct tp_target){ .kind = TP_SMTP, .tls = t->tls };
	tcp->url = xstrdup(t->url);
	tcp->host = xstrdup("127.0.0.1");
	tcp->port = xasprintf("%d", port);
	if (tp_resolve(tcp, errbuf, errlen) != 0) {
		tp_free(tcp);
		srv_free(srv);
		return NULL;
	}
	struct bi_server *b = xcalloc(1, sizeof(*b));
	b->srv = srv;
	return b;
}

void
bi_deliver_to(struct bi_server *b, struct orc_store *st)
{
	srv_set_delivery(b->srv, st ? orc_srv_deliver : NULL, st);
}

void
bi_stop(struct bi_server *b)
{
	if (!b)
		return;
	srv_free(b->srv);
	free(b);
}

/* The reference server's account; other targets get credentials only from
 * a profile, and AUTH scenarios that need them are skipped. */
static const struct scn_var builtin_vars[] = {
	{ "auth_user", SRV_AUTH_USER }, { "auth_password", SRV_AUTH_PASSWORD },
	/* the client name it requires TLS from (RFC 3207 4) */
	{ "tls_required_client", SRV_TLS_REQUIRED_CLIENT },
	/* ... and offers AUTH to only inside TLS */
	{ "auth_tls_only_client", SRV_TLS_REQUIRED_CLIENT },
	/* ... and requires AUTH from before MAIL, as a submission server */
	{ "submission_client", SRV_SUBMISSION_CLIENT },
	/* what it delivers, its delivery oracle sees (docs/scenarios.md) */
	{ "oracle_recipient", "user@" SRV_LOCAL_DOMAIN },
	{ "oracle_domain", "relay." SRV_LOCAL_DOMAIN },
};

/* Its policy, which follows its modes (srv_policy_var): in the default
 * mode an MX, which must refuse to relay, and an address outside
 * SRV_LOCAL_DOMAIN it refuses (it takes mail for its domain from anyone,
 * without TLS: a public MX, RFC 3207 4); a sink (accept-all-recipients) states
 * neither; auth-required states auth_required and role_submission
 * (docs/scenarios.md "Variables"). */
static const char *const policy_vars[] = { "role_mx", "rejected_recipient", "auth_required",
	"role_submission" };

size_t
bi_vars(const struct tp_target *t, struct scn_var *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < sizeof(builtin_vars) / sizeof(builtin_vars[0]) && n < max; i++)
		out[n++] = builtin_vars[i];
	for (size_t i = 0; i < sizeof(policy_vars) / sizeof(policy_vars[0]) && n < max; i++) {
		const char *v = srv_policy_var(t->faults ? t->faults : "", policy_vars[i]);
		if (v) /* the caller copies (vars_merge): the casts write nothing */
			out[n++] = (struct scn_var){ (char *)policy_vars[i], (char *)v };
	}
	return n;
}
