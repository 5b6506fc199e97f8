#!/usr/bin/env bash
# Persistence side by side: Gannet (sync: os), Mosquitto (persistence true) and HiveMQ CE (file persistence, its
# default), each with its own defaults for when it writes. For each broker:
#   1. QoS 1 pairs and fan-in with persistent subscribers (gannet-bench --session-expiry), as fast as it goes;
#   2. what survives a kill -9: an offline persistent session (mosquitto_sub -c) gets 1,000 QoS 1 messages
#      (mosquitto_pub, each acknowledged), the broker is killed with SIGKILL and started again on its data, and the
#      session is asked for what it kept.
#
#   benchmarks/persistence-peers.sh [--warmup 20] [--duration 10] [--inflight 200] [--brokers gannet,mosquitto,hivemq]
#
# Needs mosquitto and mosquitto-clients (installed from the system packages when missing and run as root) and builds
# the HiveMQ CE runner in benchmarks/peers/hivemq. Broker on core 0, generator on core 1.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=bench-lib.sh
. "$here/bench-lib.sh"
warmup=20
duration=10
inflight=200
port=24883
brokers="gannet,mosquitto,hivemq"
while [ $# -gt 0 ]; do
  case "$1" in
    --warmup) warmup="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --inflight) inflight="$2"; shift 2 ;;
    --brokers) brokers="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "persistence-peers.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if ! command -v mosquitto_sub >/dev/null || { ! command -v mosquitto >/dev/null && [ ! -x /usr/sbin/mosquitto ]; }; then
  [ "$(id -u)" -eq 0 ] || { echo "persistence-peers.sh: install mosquitto and mosquitto-clients" >&2; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mosquitto mosquitto-clients >/dev/null
fi
mosquitto_bin=$(command -v mosquitto || echo /usr/sbin/mosquitto)
mvn -B -q -f "$here/peers/hivemq/pom.xml" package

work="$root/benchmarks/target/persistence-peers"
rm -rf "$work" && mkdir -p "$work"
home=$(unpack_gannet "$root" "$work")
bench="$home/bin/gannet-bench"
pin_cores

broker_pid=""
start() { # broker port
  local name=$1 p=$2 dir="$work/$1"
  mkdir -p "$dir"
  case "$name" in
    gannet)
      write_gannet_config "$dir/gannet.yaml" "$p" "$dir/plugins" $'enabled: true\nsync: os'
      GANNET_HEAP=1g $broker_cpu "$home/bin/gannet" --config "$dir/gannet.yaml" >> "$dir/broker.log" 2>&1 & ;;
    mosquitto)
      mkdir -p "$dir/db"
      printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location %s/db/\nmax_queued_messages 0\nmax_queued_bytes 0\nlog_dest stderr\nlog_type error\n' \
        "$p" "$dir" > "$dir/mosquitto.conf"
      $broker_cpu "$mosquitto_bin" -c "$dir/mosquitto.conf" >> "$dir/broker.log" 2>&1 & ;;
    hivemq)
      $broker_cpu java -Xms1g -Xmx1g -Dio.netty.leakDetection.level=disabled \
        -cp "$here/peers/hivemq/target/classes:$here/peers/hivemq/target/lib/*" \
        io.gannet.benchmarks.peers.HiveMqPeer "$p" "$dir/hivemq" file >> "$dir/broker.log" 2>&1 & ;;
  esac
  broker_pid=$!
  wait_for_port "$p" "$broker_pid"
}
stop() {
  kill -TERM "$broker_pid" 2>/dev/null || true
  wait "$broker_pid" 2>/dev/null || true
}
trap 'kill -KILL $broker_pid 2>/dev/null || true' EXIT

echo "| broker | pairs QoS 1 msg/s (µs) | fanin QoS 1 msg/s (µs) | kept after kill -9, of 1,000 acknowledged |"
echo "|---|---|---|---|"
for name in ${brokers//,/ }; do
  port=$((port + 1))
  rm -rf "${work:?}/$name"
  start "$name" "$port"
  cells=""
  for c in "pairs 10" "fanin 100"; do
    set -- $c
    log="$work/$name-$1.log"
    $gen_cpu "$bench" --port "$port" --scenario "$1" -n "$2" --qos 1 --payload 16 --session-expiry 3600 \
      --inflight "$inflight" --warmup "$warmup" --duration "$duration" --broker-pid "$broker_pid" > "$log" 2>&1 || true
    r=$(sed -n 's/^  received .*(\([0-9,]*\) msg\/s).*/\1/p' "$log")
    u=$(sed -n 's/^  broker .* \([0-9.]*\) µs per delivered message.*/\1/p' "$log")
    cells="$cells ${r:-?} (${u:-?} µs) |"
  done
  # Survival: an offline persistent session, 1,000 acknowledged QoS 1 messages, SIGKILL, start again.
  mosquitto_sub -h 127.0.0.1 -p "$port" -i keep-device -c -q 1 -t 'kill/#' -W 2 > /dev/null 2>&1 || true
  seq 1 1000 | mosquitto_pub -h 127.0.0.1 -p "$port" -i keep-pub -q 1 -t kill/x -l
  kill -KILL "$broker_pid"; wait "$broker_pid" 2>/dev/null || true
  start "$name" "$port"
  kept=$(timeout 30 mosquitto_sub -h 127.0.0.1 -p "$port" -i keep-device -c -q 1 -t 'kill/#' -W 5 2>/dev/null | wc -l || true)
  stop
  echo "| $name |$cells $kept |"
done
