#!/bin/sh
# Install what `make interop` needs, as root, non-interactively.  Tolerant:
# a server whose packages cannot be had is recorded in
# build/interop/status/SERVER ("unavailable: why") and the run goes on.
#
# Debian's MTAs conflict with each other (mail-transport-agent), so only
# Postfix is installed for real (debconf "No configuration", and a
# policy-rc.d so no init script starts it); Exim, OpenSMTPD and Sendmail are
# fetched with `apt-get download` and unpacked with `dpkg -x` into
# build/interop/pkg/NAME, each run later from there with its own
# configuration file.  Their shared libraries are ordinary packages and are
# installed for real.  aiosmtpd and Chromium come from Debian, smtp-server
# and Haraka from npm into build/interop/npm (never globally).
IO_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$IO_ROOT/harness/interop/lib.sh"
set +e

if [ "$(id -u)" != 0 ]; then
	io_log "install.sh needs root (apt-get, users, namespaces); run: sudo sh $0"
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
mkdir -p "$IO/status" "$IO/pkg" "$IO/debs"
rm -f "$IO/status/"*.install
# apt-get download drops privileges to _apt where it can write.
getent passwd _apt >/dev/null && chown _apt "$IO/debs"

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

# Libraries and tools: harmless to install for real.
LIBS="iproute2 util-linux openssl m4 procps libdb5.3 libgnutls-dane0 libgnutls30
libidn12 libidn2-0 libnsl2 libpcre2-8-0 libcrypt1 libevent-2.1-7 libpam0g
libssl3 zlib1g libldap-2.5-0 liblockfile1 libsasl2-2 libwrap0
python3 python3-aiosmtpd chromium swaks"
missing=""
for p in $LIBS; do
	installed "$p" || missing="$missing $p"
done
updated=0
if [ -n "$missing" ]; then
	io_log "installing$missing"
	apt-get update -q >&2 && updated=1
	# One at a time after a failed batch, so one missing package does
	# not cost the others.
	if ! apt-get install -y -q --no-install-recommends $missing >&2; then
		for p in $missing; do
			apt-get install -y -q --no-install-recommends "$p" >&2 ||
			    io_log "could not install $p"
		done
	fi
fi

# Postfix, for real, unless another MTA is installed (installing Postfix
# would remove it: we never do that to a developer's machine).
if ! installed postfix; then
	other=$(dpkg-query -W -f='${Package} ${Status} ${Provides}\n' 2>/dev/null |
	    grep "install ok installed" | grep mail-transport-agent | cut -d' ' -f1 | head -n 1)
	if [ -n "$other" ]; then
		io_install_failed postfix "another MTA ($other) is installed for real; Postfix would replace it"
	else
		[ "$updated" = 1 ] || { apt-get update -q >&2; updated=1; }
		echo "postfix postfix/main_mailer_type select No configuration" |
		    debconf-set-selections
		made_policy=0
		if [ ! -e /usr/sbin/policy-rc.d ]; then
			printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
			chmod 755 /usr/sbin/policy-rc.d
			made_policy=1
		fi
		apt-get install -y -q --no-install-recommends postfix >&2 ||
		    io_install_failed postfix "apt-get install postfix failed"
		[ "$made_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
	fi
fi

# The unpacked MTAs: NAME then its packages.
unpack() {
	name=$1
	shift
	[ -f "$IO/pkg/$name/.ok" ] && return 0
	rm -rf "$IO/pkg/$name"
	mkdir -p "$IO/pkg/$name"
	for p in "$@"; do
		if ! ls "$IO/debs/${p}_"*.deb >/dev/null 2>&1; then
			[ "$updated" = 1 ] || { apt-get update -q >&2; updated=1; }
			(cd "$IO/debs" && apt-get download "$p" >&2) || {
				io_install_failed "$name" "apt-get download $p failed"
				io_install_failed "$name-bs" "apt-get download $p failed"
				return 1
			}
		fi
		dpkg -x "$IO/debs/${p}_"*.deb "$IO/pkg/$name" || {
			io_install_failed "$name" "dpkg -x $p failed"
			io_install_failed "$name-bs" "dpkg -x $p failed"
			return 1
		}
	done
	touch "$IO/pkg/$name/.ok"
}
unpack exim exim4-daemon-light exim4-base
unpack opensmtpd opensmtpd
unpack sendmail sendmail-bin sendmail-base sendmail-cf

# The system users the unpacked daemons drop privileges to (their
# packages' postinst would have made them).
adduser_sys() {
	getent passwd "$1" >/dev/null ||
	    useradd --system --user-group --no-create-home --home-dir /nonexistent \
	    --shell /usr/sbin/nologin "$1" >&2
}
adduser_sys Debian-exim
adduser_sys opensmtpd
adduser_sys opensmtpq
adduser_sys smmta
adduser_sys smmsp

# npm packages into a private folder, versions pinned in package.json.
if command -v npm >/dev/null 2>&1; then
	mkdir -p "$IO/npm"
	cp "$IO_ROOT/harness/interop/package.json" "$IO/npm/package.json"
	if [ ! -f "$IO/npm/.ok" ] || ! cmp -s "$IO/npm/package.json" "$IO/npm/.ok"; then
		if (cd "$IO/npm" && npm install --no-audit --no-fund --omit=dev \
		    --loglevel=error >&2); then
			cp "$IO/npm/package.json" "$IO/npm/.ok"
		else
			io_install_failed smtp-server "npm install failed (see above)"
			io_install_failed haraka "npm install failed (see above)"
		fi
	fi
else
	io_install_failed smtp-server "npm is not installed"
	io_install_failed haraka "npm is not installed"
fi
exit 0
