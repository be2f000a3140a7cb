#!/bin/sh
# docker.sh - the container image (Dockerfile), built and run.
#
# The engine: a Docker daemon that answers `docker info`.  When none does
# and we are root, it is made usable: Debian's docker.io is installed if no
# dockerd exists (never over docker-ce or moby packages), and a dockerd is
# started for this test and stopped at its end (by pid).  When no engine
# can be used the test prints one line, "docker: NOT RUN: why", and exits
# 77: that is not a pass (make test-docker fails on it).
#
# The base: debian:12-slim from Docker Hub when it can be pulled, else the
# same made here by harness/container/base-image.sh (debootstrap from
# Debian's archive, docker import).  SMTPH_BASE=IMAGE forces a base.
#
# Checks: the image builds (docker build --network host); its entry point is
# smtp-harness; it is Debian 12 and holds no compiler; `docker run IMAGE run
# --target builtin` runs the whole installed suite (exit 0, every scenario);
# the README's `docker run --network host IMAGE run --target smtp://...`
# against `smtp-harness serve` started here on a loopback port passes (exit
# 0) and against `serve --faults lf-dot-lf` fails (exit 1), with a JUnit
# report written into a mounted folder as the calling user.
# Usage: docker.sh BIN [--tag NAME] (BIN: the checkout's build/smtp-harness,
# for serve; --tag: keep the image under NAME as well).
# Prints "ok ..." lines; exit 1 on a failure, 77 when no engine is usable.
set -eu
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:?usage: docker.sh BIN [--tag NAME]}")
TAG=
[ "${2:-}" = --tag ] && TAG=${3:?--tag NAME}
IMAGE=smtp-harness:test
TMP=$(mktemp -d)
DOCKERD_PID=
SERVER_PID=
cleanup() {
	[ -z "$SERVER_PID" ] || { kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; } || true
	if [ -n "$DOCKERD_PID" ]; then
		kill "$DOCKERD_PID" 2>/dev/null || true
		i=0
		while kill -0 "$DOCKERD_PID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "FAIL docker: $*" >&2; exit 1; }
notrun() { echo "docker: NOT RUN: $*"; exit 77; }

# ---- a usable engine -------------------------------------------------------
engine_ok() { docker info >/dev/null 2>&1; }
if ! engine_ok; then
	why=$(docker info 2>&1 | grep -i -m1 'error\|cannot' || echo "the docker command is missing")
	[ "$(id -u)" = 0 ] || notrun "no Docker daemon answers ($why), and only root may start one"
	if ! command -v dockerd >/dev/null; then
		for p in docker-ce moby-engine podman-docker; do
			! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
				notrun "$p is installed without a dockerd; not installing docker.io over it"
		done
		echo "docker: installing Debian's docker.io" >&2
		{ apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends docker.io; } \
			>"$TMP/apt.log" 2>&1 || notrun "apt-get install docker.io failed: $(tail -n 1 "$TMP/apt.log")"
	fi
	command -v docker >/dev/null || notrun "no docker client after installing docker.io"
	dockerd >"$TMP/dockerd.log" 2>&1 &
	DOCKERD_PID=$!
	i=0
	until engine_ok; do
		kill -0 "$DOCKERD_PID" 2>/dev/null || notrun "dockerd exited: $(tail -n 1 "$TMP/dockerd.log")"
		[ $i -lt 300 ] || notrun "dockerd did not answer within 30 s: $(tail -n 1 "$TMP/dockerd.log")"
		sleep 0.1
		i=$((i + 1))
	done
	echo "ok docker: started dockerd (pid $DOCKERD_PID) for this test: $(docker info -f '{{.ServerVersion}} {{.Driver}}')"
else
	echo "ok docker: engine $(docker info -f '{{.ServerVersion}} {{.Driver}}')"
fi

# ---- the base image ----------------------------------------------------------
BASE=${SMTPH_BASE:-}
if [ -z "$BASE" ]; then
	if docker image inspect debian:12-slim >/dev/null 2>&1 ||
	    timeout 120 docker pull -q debian:12-slim >"$TMP/pull.log" 2>&1; then
		BASE=debian:12-slim
		echo "ok docker: base debian:12-slim (Docker Hub)"
	else
		echo "# docker: debian:12-slim cannot be pulled ($(tail -n 1 "$TMP/pull.log")); making it with debootstrap" >&2
		command -v debootstrap >/dev/null || {
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap \
				>"$TMP/apt.log" 2>&1 || fail "apt-get install debootstrap: $(tail -n 1 "$TMP/apt.log")"
		}
		BASE=smtp-harness/debian:12-slim-local
		sh harness/container/base-image.sh "$BASE" "${BUILD:-build}/container" >&2 || fail "harness/container/base-image.sh"
		echo "ok docker: base $BASE (debootstrap bookworm minbase, docker import)"
	fi
fi

# ---- build -------------------------------------------------------------------
start=$(date +%s)
docker build --network host --build-arg BASE="$BASE" -t "$IMAGE" . >"$TMP/build.log" 2>&1 ||
	{ tail -n 30 "$TMP/build.log" >&2; fail "docker build"; }
# The build stage is left as an untagged image; it is the build's cache, but
# every change of the sources would leave another 500 MB behind.
docker image prune -f --filter "label=org.smtp-harness.stage=build" >/dev/null 2>&1 || true
size=$(docker image inspect -f '{{.Size}}' "$IMAGE")
echo "ok docker: docker build in $(($(date +%s) - start)) s, $((size / 1000000)) MB"

ep=$(docker image inspect -f '{{json .Config.Entrypoint}}' "$IMAGE")
[ "$ep" = '["smtp-harness"]' ] || fail "the entry point is $ep, not [\"smtp-harness\"]"
docker run --rm "$IMAGE" --version >"$TMP/version" 2>&1 || fail "docker run IMAGE --version: $(cat "$TMP/version")"
docker run --rm --entrypoint sh "$IMAGE" -c '
	grep -q "^12\." /etc/debian_version || { echo "not Debian 12: $(cat /etc/debian_version)"; exit 1; }
	for c in cc gcc clang tcc c99 ld as make; do
		command -v $c >/dev/null && { echo "a compiler tool in the image: $(command -v $c)"; exit 1; }
	done
	bad=$(dpkg-query -W -f="\${db:Status-Abbrev} \${Package}\n" | awk "/^ii/ {print \$2}" |
		grep -E "^(gcc(-[0-9]+)?|cpp(-[0-9]+)?|g\+\+.*|clang.*|libc6-dev|binutils.*|make)\$" || true)
	[ -z "$bad" ] || { echo "compiler packages installed: $bad"; exit 1; }
	exit 0' >"$TMP/inside" 2>&1 || fail "$(cat "$TMP/inside")"
echo "ok docker: entry point smtp-harness ($(cat "$TMP/version")), Debian 12, no compiler"

# ---- the suite in the container ------------------------------------------------
want=$(find scenarios -name '*.yaml' | wc -l)
rc=0
docker run --rm "$IMAGE" run --target builtin -j 2 >"$TMP/run.log" 2>&1 || rc=$?
[ $rc -eq 0 ] || { tail -n 20 "$TMP/run.log" >&2; fail "docker run IMAGE run --target builtin exited $rc"; }
ran=$(sed -n 's/^total: *\([0-9]*\) .*/\1/p' "$TMP/run.log")
[ "$ran" = "$want" ] || fail "the container ran ${ran:-no} scenarios, the checkout has $want"
echo "ok docker: docker run $IMAGE run --target builtin: $ran scenarios, exit 0"

# The README's form: a server on the host's loopback, --network host.
serve() {
	"$BIN" serve --listen 127.0.0.1:0 "$@" 2>"$TMP/serve.log" &
	SERVER_PID=$!
	PORT=
	i=0
	while [ -z "$PORT" ] && [ $i -lt 100 ]; do
		PORT=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\).*/\1/p' "$TMP/serve.log")
		[ -n "$PORT" ] || sleep 0.05
		i=$((i + 1))
	done
	[ -n "$PORT" ] || fail "serve did not start: $(cat "$TMP/serve.log")"
}
unserve() { kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=; }
mkdir "$TMP/out"
chmod 777 "$TMP/out"
serve
rc=0
docker run --rm --network host -u "$(id -u):$(id -g)" -v "$TMP/out:/work" "$IMAGE" \
	run --target "smtp://127.0.0.1:$PORT" -j 2 --report junit:report.xml >"$TMP/net.log" 2>&1 || rc=$?
unserve
[ $rc -eq 0 ] || { tail -n 20 "$TMP/net.log" >&2; fail "docker run --network host ... --target smtp://127.0.0.1:$PORT exited $rc"; }
ran=$(sed -n 's/^total: *\([0-9]*\) .*/\1/p' "$TMP/net.log")
[ "$ran" = "$want" ] || fail "the --network host run ran ${ran:-no} scenarios"
[ -s "$TMP/out/report.xml" ] && grep -q '<testsuite name="smtp-harness"' "$TMP/out/report.xml" ||
	fail "no JUnit report in the mounted folder"
[ "$(stat -c %u "$TMP/out/report.xml")" = "$(id -u)" ] || fail "the report is not owned by the calling user"
echo "ok docker: --network host run --target smtp://127.0.0.1:$PORT (serve on the host): $ran scenarios, exit 0, JUnit in the mounted folder"
serve --faults lf-dot-lf
rc=0
docker run --rm --network host "$IMAGE" run /usr/share/smtp-harness/scenarios/rfc5321/data/ \
	--target "smtp://127.0.0.1:$PORT" >"$TMP/fault.log" 2>&1 || rc=$?
unserve
[ $rc -eq 1 ] || { tail -n 20 "$TMP/fault.log" >&2; fail "against serve --faults lf-dot-lf: exit $rc, wanted 1"; }
grep -q 'FAIL  lf-dot-lf-not-end-of-data' "$TMP/fault.log" || fail "the lf-dot-lf fault was not caught"
echo "ok docker: against serve --faults lf-dot-lf: lf-dot-lf-not-end-of-data FAILs, exit 1"

if [ -n "$TAG" ]; then
	docker tag "$IMAGE" "$TAG"
	echo "docker: the image is $TAG (docker run --rm --network host $TAG run --target smtp://HOST:PORT)"
fi
