#!/usr/bin/env bash
# OpenMPI's remote-shell agent for tests/multihost: called as `fake_rsh.sh [OPTIONS] HOST COMMAND...` (as
# `ssh HOST COMMAND` would be), it ignores HOST and runs COMMAND (an orted launch line that a remote login
# shell would interpret) on this machine. With a hostfile of made-up names, mpirun thus starts one orted
# per "host" here, and the ranks talk TCP over loopback as if across nodes.
while [[ $# -gt 0 && "$1" == -* ]]; do shift; done  # ssh-style options, if mpirun ever passes any
if [[ $# -lt 2 ]]; then
  echo "fake_rsh.sh: usage: fake_rsh.sh [OPTIONS] HOST COMMAND..." >&2
  exit 255
fi
shift  # the host name
exec /bin/sh -c "$*"
