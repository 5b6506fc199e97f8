#!/usr/bin/env bash
# Side by side: the same scenarios, with the same load generator (gannet-bench), against Gannet, Mosquitto and
# HiveMQ CE, one broker after the other, each with the same settings: a plain listener on 127.0.0.1, anonymous
# clients, no persistence, queues large enough not to drop. Writes a Markdown report and charts to
# benchmarks/results/ (the raw JSON of every run in benchmarks/results/raw/).
#
#   benchmarks/compare.sh                      every broker, every case (about 25 minutes; 40 with --repeat 3)
#   benchmarks/compare.sh --quick              shorter runs, to try the script (about 10 minutes)
#   benchmarks/compare.sh --brokers gannet     only some brokers (comma-separated: gannet,mosquitto,hivemq)
#   benchmarks/compare.sh --out DIR            write somewhere else than benchmarks/results
#   benchmarks/compare.sh --repeat 3           each fixed-rate case 3 times in a row; the report shows the run with
#                                              the median p99 and lists every run's (p99 varies a lot between runs)
#   benchmarks/compare.sh --brokers gannet --rates-from benchmarks/results/raw --out /tmp/after
#                                              Gannet alone at the fixed rates of an earlier run's Mosquitto maxima:
#                                              a before-and-after of a change, comparable with the published report
#
# Cases: pairs (10 pairs), fanin (100 publishers to a wildcard) and fanout (1 publisher to 1,000 subscribers) at
# QoS 0 and 1 with 16-byte payloads, first as fast as each broker goes (closed loop), then at a fixed rate of half
# Mosquitto's maximum in the same case (open loop: CPU per message and latency at equal load); then 15,000 idle
# connections for the broker's memory per connection.
#
# With 2 cores or more, each broker is pinned to core 0 and the generator to core 1 (taskset), so the two do not
# compete. Every step is bounded in time; only 127.0.0.1 is ever targeted.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=bench-lib.sh
. "$here/bench-lib.sh"
out="$here/results"
brokers="mosquitto,hivemq,gannet"
warmup=10
duration=10
conns=15000
repeat=1
base_port=21883
rates_from=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) warmup=4; duration=4; conns=5000; shift ;;
    --brokers) brokers="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --port-base) base_port="$2"; shift 2 ;;
    --rates-from) rates_from=$(cd "$2" && pwd); shift 2 ;;
    -h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "compare.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$repeat" =~ ^[1-9][0-9]?$ ]] || { echo "compare.sh: --repeat takes a number from 1 to 99, not '$repeat'" >&2; exit 2; }
case ",$brokers," in *,mosquitto,*) ;; *)
  [ -n "$rates_from" ] || echo "compare.sh: without mosquitto the fixed-rate cases use 20,000 msg/s (1,000 for fanout)" >&2 ;;
esac

work="$root/benchmarks/target/compare"
raw="$out/raw"
if [ -n "$rates_from" ]; then # kept aside first: it may be the raw folder this run clears
  ls "$rates_from"/mosquitto-*-max.json >/dev/null 2>&1 || { echo "compare.sh: no mosquitto-*-max.json in $rates_from" >&2; exit 2; }
  rates_copy=$(mktemp -d)
  cp "$rates_from"/mosquitto-*-max.json "$rates_copy/"
  rates_from=$rates_copy
fi
rm -rf "$work" "$raw"
mkdir -p "$work" "$raw"

log() { printf '\n== %s\n' "$*"; }

# --- what we run ------------------------------------------------------------------------------------------------
version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$root/pom.xml" | head -n 1)
tarball="$root/dist/target/gannet-$version.tar.gz"
if [ ! -f "$tarball" ] || [ ! -f "$root/benchmarks/target/benchmarks.jar" ]; then
  log "building Gannet (tests skipped)"
  (cd "$root" && mvn -B -q -DskipTests install)
fi
tar xzf "$tarball" -C "$work"
gannet_home="$work/gannet-$version"
bench="$gannet_home/bin/gannet-bench"
# Mosquitto gets Gannet's default in-flight window towards subscribers, read from the shipped config so that the two
# stay equal; HiveMQ CE follows the client's Receive Maximum (the generator sends none: 65,535).
inflight_window=$(sed -n 's/^  inflight-window: \([0-9]*\)$/\1/p' "$gannet_home/conf/gannet.yaml")
[ -n "$inflight_window" ] || { echo "compare.sh: no mqtt.inflight-window in $gannet_home/conf/gannet.yaml" >&2; exit 1; }

if [[ ",$brokers," == *,mosquitto,* ]] && ! command -v mosquitto >/dev/null && [ ! -x /usr/sbin/mosquitto ]; then
  log "installing mosquitto from the system packages"
  if [ "$(id -u)" -ne 0 ]; then
    echo "compare.sh: mosquitto is missing; install it (apt-get install mosquitto) or leave it out with --brokers" >&2
    exit 1
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mosquitto >/dev/null
fi
mosquitto_bin=$(command -v mosquitto || echo /usr/sbin/mosquitto)

if [[ ",$brokers," == *,hivemq,* ]]; then
  log "building the HiveMQ CE peer (benchmarks/peers/hivemq)"
  mvn -B -q -f "$here/peers/hivemq/pom.xml" package
fi

pin_cores

# --- the machine, for the report ----------------------------------------------------------------------------------
{
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
  echo "cores=$(nproc)"
  echo "memory=$(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
  echo "os=$(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
  echo "jdk=$(java -version 2>&1 | head -n 1)"
  echo "pinning=${broker_cpu:+broker on core 0, generator on core 1 (taskset)}"
  # "-dirty" when the code measured differs from the commit (documentation and earlier results do not count)
  rev=$(git -C "$root" rev-parse --short=7 HEAD 2>/dev/null || echo unknown)
  [ -n "$(git -C "$root" status --porcelain -- . ':(exclude)benchmarks/results' ':(exclude)*.md' 2>/dev/null)" ] \
    && rev="$rev-dirty"
  echo "gannet=$version (git $rev)"
  [[ ",$brokers," == *,mosquitto,* ]] && echo "mosquitto=$("$mosquitto_bin" -h 2>/dev/null | sed -n 's/^mosquitto version //p')"
  [[ ",$brokers," == *,hivemq,* ]] && echo "hivemq=$(sed -n 's:.*<hivemq.version>\(.*\)</hivemq.version>.*:\1:p' "$here/peers/hivemq/pom.xml") (community edition, embedded)"
  echo "warmup=$warmup"
  echo "duration=$duration"
  echo "repeat=$repeat"
} > "$raw/environment.properties"

# --- starting and stopping one broker -----------------------------------------------------------------------------
broker_pid=""

start_broker() {
  local name=$1 port=$2 dir="$work/$1"
  mkdir -p "$dir"
  case "$name" in
    gannet)
      write_gannet_config "$dir/gannet.yaml" "$port" "$dir/plugins"
      GANNET_HEAP=1g $broker_cpu "$gannet_home/bin/gannet" --config "$dir/gannet.yaml" > "$dir/broker.log" 2>&1 &
      ;;
    mosquitto)
      cat > "$dir/mosquitto.conf" <<EOF
listener $port 127.0.0.1
allow_anonymous true
persistence false
max_queued_messages 0
max_queued_bytes 0
max_inflight_messages $inflight_window
log_dest stderr
log_type error
EOF
      $broker_cpu "$mosquitto_bin" -c "$dir/mosquitto.conf" > "$dir/broker.log" 2>&1 &
      ;;
    hivemq)
      # Netty's leak detector off, as Gannet's bin/gannet has it: the two JVM brokers differ in their code only.
      $broker_cpu java -Xms1g -Xmx1g -Dio.netty.leakDetection.level=disabled -cp "$here/peers/hivemq/target/classes:$here/peers/hivemq/target/lib/*" \
        io.gannet.benchmarks.peers.HiveMqPeer "$port" "$dir/hivemq" > "$dir/broker.log" 2>&1 &
      ;;
  esac
  broker_pid=$!
  wait_for_port "$port" "$broker_pid"
}

stop_broker() {
  [ -n "$broker_pid" ] || return 0
  kill -TERM "$broker_pid" 2>/dev/null || true
  local i
  for i in $(seq 1 60); do # at most 30 s, then kill
    kill -0 "$broker_pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -KILL "$broker_pid" 2>/dev/null || true
  wait "$broker_pid" 2>/dev/null || true
  broker_pid=""
}
trap stop_broker EXIT

# --- the cases -------------------------------------------------------------------------------------------------------
cases=("pairs 10" "fanin 100" "fanout 1000")

# The fixed rate of a case: half of Mosquitto's maximum in the same case, from this run or from --rates-from.
fixed_rate() {
  local scenario=$1 qos=$2 file="$raw/mosquitto-$1-q$2-max.json" sent
  [ -f "$file" ] || [ -z "$rates_from" ] || file="$rates_from/mosquitto-$1-q$2-max.json"
  if [ -f "$file" ]; then
    sent=$(sed -n 's/.*"sentPerSecond":\([0-9.]*\).*/\1/p' "$file")
    awk -v s="$sent" 'BEGIN { r = int(s / 2); print (r < 1 ? 1 : r) }'
  elif [ "$scenario" = fanout ]; then
    echo 1000
  else
    echo 20000
  fi
}

run_case() { # broker port scenario clients qos mode [repeat number, from 2]
  local name=$1 port=$2 scenario=$3 clients=$4 qos=$5 mode=$6 rate=0
  [ "$mode" = fixed ] && rate=$(fixed_rate "$scenario" "$qos")
  local id="$name-$scenario-q$qos-$mode${7:+-$7}"
  echo "-- $id${rate:+ (rate $rate msg/s)}"
  # A failed case (a broker that closed connections, say) is reported, and the comparison goes on.
  $gen_cpu "$bench" --port "$port" --scenario "$scenario" -n "$clients" --qos "$qos" --payload 16 --rate "$rate" \
    --warmup "$warmup" --duration "$duration" --broker-pid "$broker_pid" --label "$name" \
    --json "$raw/$id.json" > "$raw/$id.log" 2>&1 || echo "   (exit $?: see $raw/$id.log)"
  tail -n 7 "$raw/$id.log" | sed 's/^/   /'
}

port=$base_port
for name in ${brokers//,/ }; do
  case "$name" in gannet|mosquitto|hivemq) ;; *) echo "compare.sh: unknown broker '$name'" >&2; exit 2 ;; esac
  log "$name: starting, then warming up (unmeasured: JIT compilation for the JVMs)"
  port=$((port + 1))
  start_broker "$name" "$port"
  # Every case once, as fast as it goes: each code path the measured runs take is compiled before they start.
  for c in "${cases[@]}"; do
    set -- $c
    for qos in 0 1; do
      $gen_cpu "$bench" --port "$port" --scenario "$1" -n "$2" --qos "$qos" --warmup 0 --duration "$warmup" \
        > "$raw/$name-warmup-$1-q$qos.log" 2>&1 || echo "   (warm-up exit $?: see $raw/$name-warmup-$1-q$qos.log)"
    done
  done
  for mode in max fixed; do
    for c in "${cases[@]}"; do
      set -- $c
      for qos in 0 1; do
        log "$name: $1, QoS $qos, $mode"
        run_case "$name" "$port" "$1" "$2" "$qos" "$mode"
        if [ "$mode" = fixed ]; then
          for k in $(seq 2 "$repeat"); do
            run_case "$name" "$port" "$1" "$2" "$qos" "$mode" "$k"
          done
        fi
      done
    done
  done
  stop_broker
  # Memory on a fresh broker: its growth per connection includes the heap it touches for the first time.
  log "$name: $conns idle connections"
  port=$((port + 1))
  start_broker "$name" "$port"
  $gen_cpu "$bench" --port "$port" --scenario conns -n "$conns" --connect-rate 2000 --source-addresses 8 \
    --duration "$duration" --broker-pid "$broker_pid" --label "$name" --json "$raw/$name-conns.json" \
    > "$raw/$name-conns.log" 2>&1 || echo "   (exit $?: see $raw/$name-conns.log)"
  tail -n 2 "$raw/$name-conns.log" | sed 's/^/   /'
  stop_broker
  rm -rf "$work/$name/hivemq" # HiveMQ's data files grow large
done

log "report"
java -cp "$root/benchmarks/target/benchmarks.jar" io.gannet.benchmarks.compare.CompareReport "$raw" "$out"
echo "Written: $out/README.md and its charts"
