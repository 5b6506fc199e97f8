#!/usr/bin/env bash
# Profiles Gannet under a gannet-bench load with async-profiler (tools.profiler:async-profiler from Maven
# Central): starts the broker from the built distribution with the profiler as an agent, runs the load, stops the
# broker, and writes what the profiler saw to benchmarks/target/profile/.
#
#   benchmarks/profile.sh -- --scenario fanout -n 1000 --qos 1 --rate 100
#   benchmarks/profile.sh --event alloc -- --scenario pairs -n 10
#   benchmarks/profile.sh --event lock --format collapsed -- --scenario fanin -n 100
#
# Options: --event cpu|alloc|lock|wall (default cpu; cpu falls back to a timer where perf events are not allowed),
# --format html|collapsed (default html: a flame graph; collapsed: one line per stack, for scripts), --out DIR,
# --opts LIST (more async-profiler agent options, e.g. alloc=16k,total to sample allocations finely and weigh them
# by bytes), --persistence os|interval|every-message (the journal on, with that sync policy; off by default).
# Everything after -- goes to gannet-bench (--port and --broker-pid are set here). The broker runs pinned to core 0
# and the generator to core 1 where there are two cores.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=bench-lib.sh
. "$here/bench-lib.sh"
event=cpu
format=html
out="$root/benchmarks/target/profile"
port=21999
opts=""
persistence="enabled: false"
while [ $# -gt 0 ]; do
  case "$1" in
    --event) event="$2"; shift 2 ;;
    --format) format="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --opts) opts="$2"; shift 2 ;;
    --persistence) persistence=$'enabled: true\nsync: '"$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "profile.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$event" in cpu|alloc|lock|wall) ;; *) echo "profile.sh: --event must be cpu, alloc, lock or wall" >&2; exit 2 ;; esac
case "$format" in html|collapsed) ;; *) echo "profile.sh: --format must be html or collapsed" >&2; exit 2 ;; esac

version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$root/pom.xml" | head -n 1)
tarball="$root/dist/target/gannet-$version.tar.gz"
[ -f "$tarball" ] || (cd "$root" && mvn -B -q -DskipTests install)

work="$root/benchmarks/target/profile-work"
rm -rf "$work" && mkdir -p "$work" "$out"
tar xzf "$tarball" -C "$work"
home="$work/gannet-$version"

ap_version=4.1
ap_jar="$HOME/.m2/repository/tools/profiler/async-profiler/$ap_version/async-profiler-$ap_version.jar"
[ -f "$ap_jar" ] || mvn -B -q dependency:get -Dartifact="tools.profiler:async-profiler:$ap_version"
case "$(uname -m)" in x86_64) arch=linux-x64 ;; aarch64) arch=linux-arm64 ;; *) echo "profile.sh: no profiler for $(uname -m)" >&2; exit 1 ;; esac
(cd "$work" && unzip -q -o "$ap_jar" "$arch/libasyncProfiler.so")
lib="$work/$arch/libasyncProfiler.so"

file="$out/$event.$([ "$format" = html ] && echo html || echo collapsed)"
agent="-agentpath:$lib=start,event=$event,file=$file"
[ "$format" = collapsed ] && agent="$agent,collapsed"
[ -n "$opts" ] && agent="$agent,$opts"

pin_cores
write_gannet_config "$work/gannet.yaml" "$port" "$work/no-plugins" "$persistence"
JAVA_OPTS="$agent" $broker_cpu "$home/bin/gannet" --config "$work/gannet.yaml" > "$out/broker.log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true' EXIT
wait_for_port "$port" "$pid" || { echo "profile.sh: see $out/broker.log" >&2; exit 1; }

$gen_cpu "$home/bin/gannet-bench" --port "$port" --broker-pid "$pid" "$@" | tee "$out/load.log"

kill -TERM "$pid"
for i in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
trap - EXIT
echo "Profile ($event): $file"
