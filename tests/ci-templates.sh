#!/bin/sh
# ci-templates.sh - the CI templates of docs/ci/ (GitHub Actions, GitLab
# CI): valid YAML of the right shape, and their commands run here against
# the reference server with tests/ci/'s profile and baseline, exit codes
# checked (0 on the known deviations only, 1 on a new one).  The work is in
# tests/ci_templates.py (its docstring says how each service is imitated);
# it needs python3-yaml, git and the build tools (harness/install-deps.sh).
set -eu
cd "$(dirname "$0")/.."
exec /usr/bin/python3 tests/ci_templates.py "$@"
