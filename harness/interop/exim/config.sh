# config.sh - write Exim's configuration for the daemon (exim/) and for
# exim -bs (exim-bs/): sourced with RUN (its state folder), PORT and EXIM
# (the unpacked binary) set.  interop.test is the only domain; everything
# else is refused at RCPT; accepted mail goes to a :blackhole: redirect,
# but sink.test's (any local part): relayed at once, plain SMTP, to the
# harness's delivery oracle on 127.0.0.1:2526 (--oracle sink:127.0.0.1:2526;
# a manualroute, no MX lookup, no TLS; a failed host is tried again for a
# new message after 5 s; there are no queue runs).
# AUTH PLAIN and LOGIN accept one account, harness / harness-secret (the
# profiles' auth_user and auth_password), and are advertised without TLS.
exim_config() {
	mkdir -p "$RUN/spool" "$RUN/log"
	chown -R Debian-exim:Debian-exim "$RUN/spool" "$RUN/log"
	cat > "$RUN/exim.conf" <<CF
exim_path = $EXIM
primary_hostname = $IO_HOST
qualify_domain = interop.test
domainlist local_domains = interop.test
domainlist relay_to_domains = sink.test
hostlist relay_from_hosts =
daemon_smtp_ports = $PORT
local_interfaces = 127.0.0.1
exim_user = Debian-exim
exim_group = Debian-exim
never_users = root
spool_directory = $RUN/spool
log_file_path = $RUN/log/%slog
pid_file_path = $RUN/exim.pid
host_lookup =
rfc1413_hosts =
keep_environment =
tls_advertise_hosts = *
auth_advertise_hosts = *
tls_certificate = $IO/tls/cert.pem
tls_privatekey = $IO/tls/key.pem
acl_smtp_rcpt = acl_check_rcpt
# Every accepted message is delivered at once, however many a connection
# carries (the default queues those past the tenth).
smtp_accept_queue_per_connection = 0

begin acl
acl_check_rcpt:
  accept domains = +local_domains
  accept domains = +relay_to_domains
  deny message = relaying to <\$local_part@\$domain> denied

begin routers
oracle_sink:
  driver = manualroute
  domains = +relay_to_domains
  route_list = * 127.0.0.1
  self = send
  transport = oracle_smtp
discard_local:
  driver = redirect
  domains = +local_domains
  data = :blackhole:

begin transports
oracle_smtp:
  driver = smtp
  port = 2526
  allow_localhost
  hosts_avoid_tls = *

begin retry
sink.test  *  F,10m,5s
*  *  F,1h,15m

begin authenticators
plain:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_condition = \${if and {{eq{\$auth2}{harness}}{eq{\$auth3}{harness-secret}}}}
  server_set_id = \$auth2
login:
  driver = plaintext
  public_name = LOGIN
  server_prompts = Username:: : Password::
  server_condition = \${if and {{eq{\$auth1}{harness}}{eq{\$auth2}{harness-secret}}}}
  server_set_id = \$auth1
CF
}
