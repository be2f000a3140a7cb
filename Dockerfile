# smtp-harness in a container: Debian 12 slim, the tool as `make install
# PREFIX=/usr` lays it out (binary, suite, catalogue, man pages), no
# compiler.  The entry point is smtp-harness:
#
#   docker build -t smtp-harness .
#   docker run --rm --network host smtp-harness run --target smtp://127.0.0.1:25
#
# BASE is the Debian 12 slim image; where Docker Hub cannot be reached,
# harness/container/base-image.sh makes one from debootstrap and names it
# (docker build --build-arg BASE=...).  tests/docker.sh builds and runs it.
ARG BASE=debian:12-slim

FROM ${BASE} AS build
# tests/docker.sh removes this stage's image after the build.
LABEL org.smtp-harness.stage=build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      gcc libc6-dev make libyaml-dev libssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# DEPS=: the packages above, not harness/install-deps.sh (which adds the
# test and fuzz tools).
RUN make -j"$(nproc)" DEPS= PREFIX=/usr DESTDIR=/out install

FROM ${BASE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libyaml-0-2 libssl3 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --user-group --home-dir /work --no-create-home smtp-harness \
 && install -d -o smtp-harness -g smtp-harness /work
COPY --from=build /out/ /
# /work has no scenarios/, so `run` with no PATH reads the installed suite
# (/usr/share/smtp-harness); mount a folder there for profiles, baselines
# and reports (-v "$PWD:/work", with -u "$(id -u)" to own what it writes).
WORKDIR /work
USER smtp-harness
ENTRYPOINT ["smtp-harness"]
CMD ["--help"]
