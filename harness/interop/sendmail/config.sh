# config.sh - build Sendmail's sendmail.cf for the daemon (sendmail/) and
# for sendmail -bs (sendmail-bs/) with m4 from the unpacked sendmail-cf:
# sourced with RUN, PORT and PKG (build/interop/pkg/sendmail) set.
# Every path is private (queue, pid, status, help file, service switch);
# interop.test is the only domain; accepted mail is delivered at once
# (background mode) to a mailer that writes it to /dev/null (local names
# too), but sink.test's (any local part): relayed, plain SMTP, to the
# harness's delivery oracle on 127.0.0.1:2526 (--oracle sink:127.0.0.1:2526;
# the oracle mailer, a static route to [127.0.0.1], no MX lookup; a failed
# attempt stays in the private queue: no queue runs);
# Local_check_rcpt refuses every other domain, also in -bs mode, where
# Sendmail would otherwise treat the local caller as trusted to relay.
sendmail_config() {
	# What could not be delivered stays in this private queue (no queue
	# runs); each start empties it.
	rm -rf "$RUN/mqueue" "$RUN/mqueue-client"
	mkdir -p "$RUN/mqueue" "$RUN/mqueue-client"
	chmod 700 "$RUN/mqueue"
	chmod 770 "$RUN/mqueue-client"
	chown smmsp:smmsp "$RUN/mqueue-client"
	: > "$RUN/sendmail.st"
	# Sendmail will not use a key that others can read: a private copy.
	mkdir -p "$RUN/tls"
	cp "$IO/tls/cert.pem" "$RUN/tls/cert.pem"
	cp "$IO/tls/key.pem" "$RUN/tls/key.pem"
	chmod 700 "$RUN/tls"
	chmod 600 "$RUN/tls/key.pem"
	# Host names from /etc/hosts only (the namespace's own): no DNS.
	printf 'hosts files\naliases files\n' > "$RUN/service.switch"
	printf 'interop.test\n%s\n' "$IO_HOST" > "$RUN/local-host-names"
	# The discarding mailer: reads the message, keeps nothing.  (A mailer
	# whose A= has no \$u speaks SMTP on its pipe: dd alone would leave
	# Sendmail waiting for a greeting.)
	printf '#!/bin/sh\ncat >/dev/null\n' > "$RUN/discard"
	chmod 755 "$RUN/discard"
	CFDIR=$PKG/usr/share/sendmail/cf
	cat > "$RUN/sendmail.mc" <<MC
divert(-1)
divert(0)dnl
include(\`$CFDIR/m4/cf.m4')dnl
OSTYPE(\`linux')dnl
define(\`confDOMAIN_NAME', \`$IO_HOST')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
define(\`QUEUE_DIR', \`$RUN/mqueue')dnl
define(\`MSP_QUEUE_DIR', \`$RUN/mqueue-client')dnl
define(\`confPID_FILE', \`$RUN/sendmail.pid')dnl
define(\`STATUS_FILE', \`$RUN/sendmail.st')dnl
define(\`HELP_FILE', \`$PKG/etc/mail/helpfile')dnl
define(\`confSERVICE_SWITCH_FILE', \`$RUN/service.switch')dnl
define(\`confCW_FILE', \`$RUN/local-host-names')dnl
define(\`ALIAS_FILE', \`$RUN/aliases')dnl
define(\`confHOST_STATUS_DIRECTORY', \`')dnl
define(\`confDEF_USER_ID', \`smmta:smmta')dnl
define(\`confTO_IDENT', \`0s')dnl
dnl Background delivery: each accepted message is delivered at once, by a
dnl child process (sink.test's to the oracle, the rest to /dev/null).
define(\`confDELIVERY_MODE', \`background')dnl
dnl Local names (Postmaster, root) are delivered to /dev/null too: nothing
dnl is written outside build/ (procmail is not even installed).
define(\`LOCAL_MAILER_PATH', \`$RUN/discard')dnl
define(\`LOCAL_MAILER_ARGS', \`discard \$u')dnl
dnl The machine is small and shared: no refusal or delay by load average.
define(\`confREFUSE_LA', \`1000')dnl
define(\`confQUEUE_LA', \`1000')dnl
define(\`confDELAY_LA', \`0')dnl
define(\`confMIN_FREE_BLOCKS', \`0')dnl
dnl TrustStickyBit, MapInUnsafeDirPath: a checkout under /tmp (world-
dnl writable, sticky) must not make Sendmail refuse to build or read the
dnl aliases database (no Postmaster alias, and unknown names then look
dnl deliverable to VRFY/EXPN).
define(\`confDONT_BLAME_SENDMAIL', \`GroupWritableDirPathSafe,TrustStickyBit,MapInUnsafeDirPath')dnl
define(\`confSERVER_CERT', \`$RUN/tls/cert.pem')dnl
define(\`confSERVER_KEY', \`$RUN/tls/key.pem')dnl
define(\`confCACERT', \`$RUN/tls/cert.pem')dnl
define(\`confCACERT_PATH', \`$RUN/tls')dnl
FEATURE(\`accept_unresolvable_domains')dnl
FEATURE(\`nocanonify')dnl
FEATURE(\`no_default_msa')dnl
dnl sink.test (any local part) may be relayed, and only to the oracle.
RELAY_DOMAIN(\`sink.test')dnl
DAEMON_OPTIONS(\`Family=inet, Name=MTA, Port=$PORT, Addr=127.0.0.1')dnl
MAILER(\`local')dnl
MAILER(\`smtp')dnl
MAILER_DEFINITIONS
Mdevnull, P=$RUN/discard, F=lsDFMq, S=EnvFromL, R=EnvToL, T=DNS/RFC822/X-Unix, A=discard \$u
Moracle, P=[IPC], F=mDFMuXak, S=EnvFromSMTP/HdrFromSMTP, R=EnvToSMTP, E=\\r\\n, L=990, T=DNS/RFC822/SMTP, A=TCP \$h 2526
LOCAL_RULE_0
R\$* < @ interop.test . > \$*	\$#devnull \$: devnull
R\$* < @ interop.test > \$*	\$#devnull \$: devnull
R\$* < @ sink.test . > \$*	\$#oracle \$@ [127.0.0.1] \$: \$1 < @ sink.test . > \$2
R\$* < @ sink.test > \$*	\$#oracle \$@ [127.0.0.1] \$: \$1 < @ sink.test > \$2
LOCAL_RULESETS
SLocal_check_rcpt
R\$*	\$: \$>Parse0 \$>3 \$1
R\$* < @ interop.test . > \$*	\$@ OK
R\$* < @ interop.test > \$*	\$@ OK
R\$* < @ sink.test . > \$*	\$@ OK
R\$* < @ sink.test > \$*	\$@ OK
R\$* < @ \$=w . > \$*	\$@ OK
R\$* < @ \$=w > \$*	\$@ OK
R\$* < @ \$+ > \$*	\$#error \$@ 5.7.1 \$: "550 Relaying denied"
MC
	m4 "$RUN/sendmail.mc" > "$RUN/sendmail.cf"
	# The aliases every MTA has (RFC 5321 4.5.1: Postmaster), built with
	# the package's own newaliases (-bi).
	printf 'postmaster: root\nMAILER-DAEMON: postmaster\n' > "$RUN/aliases"
	"$PKG/usr/libexec/sendmail/sendmail" -C "$RUN/sendmail.cf" -bi >/dev/null 2>&1 || true
}
