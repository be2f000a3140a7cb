#!/bin/sh
# Install the Debian 12 packages smtp-harness needs, when they are missing.
# As root: apt-get, non-interactive.  As anyone else: print the exact
# command and fail, so nothing half-works.
set -eu
# clang + libclang-rt-14-dev: make fuzz (libFuzzer, ASan, UBSan); afl++:
# make fuzz-afl and make test-afl-mutator; zip, unzip: the ClusterFuzzLite
# seed corpora (make fuzz-cflite);
# time, libxml2-utils, valgrind: the end-to-end checks (memory, JUnit, memcheck);
# mandoc: make test lints the man pages (mandoc -Tlint); dpkg-dev,
# debhelper, fakeroot, lintian: make deb and tests/deb.sh (the Debian
# package, built and lintian-checked); python3-yaml: tests/ci-templates.sh
# (the CI templates of docs/ci/ are parsed as YAML; git: it clones a
# snapshot of the tree as the templates clone smtp-harness).
PKGS="make gcc clang libclang-rt-14-dev libyaml-dev libssl-dev libcunit1-dev pkg-config python3 procps time libxml2-utils valgrind afl++ zip unzip mandoc dpkg-dev debhelper fakeroot lintian python3-yaml git"
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
	echo "smtp-harness: missing Debian packages:$missing" >&2
	echo "run as root: apt-get update && DEBIAN_FRONTEND=noninteractive $cmd" >&2
	exit 1
fi
echo "smtp-harness: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2 || true
apt-get install -y -q --no-install-recommends $missing >&2
