#!/usr/bin/env bash
# OpenMPI's remote-shell agent for tests/multihost: called as `fake_rsh.sh [OPTIONS] HOST COMMAND...` (as
# `ssh HOST COMMAND` would be), it runs COMMAND (an orted launch line that a remote login shell would
# interpret) on this machine whatever HOST is. With a hostfile of made-up names, mpirun thus starts one
# orted per "host" here, and the ranks talk TCP over loopback as if across nodes.
#
# The host name serves only to give each fake host its own temporary directory, as real hosts have: OpenMPI
# names its session directory after the real host name, so the orteds of two fake hosts would otherwise
# share one and race creating it ("mkdir ... File exists"), and hwloc's shared topology file in it
# (a segfault in hwloc_shmem_topology_write). The directories go under FAKE_RSH_TMPDIR (default: TMPDIR).
while [[ $# -gt 0 && "$1" == -* ]]; do shift; done  # ssh-style options, if mpirun ever passes any
if [[ $# -lt 2 ]]; then
  echo "fake_rsh.sh: usage: fake_rsh.sh [OPTIONS] HOST COMMAND..." >&2
  exit 255
fi
host=$1
shift
host_tmpdir=${FAKE_RSH_TMPDIR:-${TMPDIR:-/tmp}}/fake-host-$host
mkdir -p "$host_tmpdir" || exit 255
export TMPDIR=$host_tmpdir OMPI_MCA_orte_tmpdir_base=$host_tmpdir
exec /bin/sh -c "$*"
