#!/usr/bin/env bash
# MQTT to Kafka through the bridge (plugins/kafka), in each acknowledge mode, with 16-byte and 1 KiB payloads, next
# to Kafka's own producer benchmark (kafka-producer-perf-test, the same record sizes, acks=all) against the same
# Kafka in the same run. Prints a Markdown table and keeps every run's output in benchmarks/target/kafka-bridge/.
#
#   benchmarks/kafka-bridge.sh                          warm-up 45 s, 10 s measured per case (about 8 minutes)
#   benchmarks/kafka-bridge.sh --warmup 60 --duration 20
#   benchmarks/kafka-bridge.sh --publishers 100 --inflight 200
#   benchmarks/kafka-bridge.sh --with-subscriber       an MQTT subscriber on the wildcard too (gannet-bench fan-in)
#   benchmarks/kafka-bridge.sh --offer 90              at-once and after-buffer publish at 90 % of Kafka's own rate
#   benchmarks/kafka-bridge.sh --rate 50000            at-once and after-buffer publish at this rate (msg/s) instead
#   benchmarks/kafka-bridge.sh --sizes 16 --modes after-buffer     one case only (sizes: 16 and 1024; modes:
#                                                      at-once, after-buffer, after-kafka)
#   benchmarks/kafka-bridge.sh --java-opts "-agentpath:..."       JVM options for the broker (a profiler)
#   benchmarks/kafka-bridge.sh --bridge-props "batch.size=16384"   Kafka client properties for the bridge's cluster
#                                                      (plugins.kafka.clusters.local.properties)
#   benchmarks/kafka-bridge.sh --perf-props "batch.size=131072"    extra producer properties for
#                                                      kafka-producer-perf-test (after acks=all)
#
# Each run's line on stderr ends with the machine's steal over it (CPU time the hypervisor gave to other guests, see
# bench-lib.sh): a run with steal is slower for reasons of the host.
#
# Kafka is a single KRaft node started here from Maven Central jars (benchmarks/peers/kafka/pom.xml), with topics of
# 3 partitions. The MQTT load is gannet-bench's "publish" scenario: QoS 1 publishers on distinct topics (one Kafka
# key each) and no MQTT subscriber, so that the broker's work is the bridge's, as Kafka's own benchmark measures
# only its producer; --with-subscriber adds one on the wildcard, and the broker delivers every message once more.
# Records/s and latency are measured on the Kafka side (BridgeProbe): the records Kafka delivers in the measured
# window, and the time from the broker receiving the message to a Kafka consumer reading its record. In at-once and
# after-buffer modes the publishers do not wait for Kafka, so they are run at a fixed rate, --offer per cent of
# what kafka-producer-perf-test reached with that record size (90 by default, the goal of at-once): the bridge keeps
# up when Kafka's intake matches it and the latency stays low; where it does not, a backlog builds up in the buffer
# and the latency is its age. after-kafka publishers are paced by their acknowledgements, as fast as they go. Nothing is pinned: Kafka, Gannet, the generators and the probe share the machine's
# cores, as Kafka's own benchmark shares them with Kafka. The warm-up is long because the broker JIT-compiles the
# Kafka client and the bridge as well as itself, on cores it shares with Kafka: after 10 s the compiler still took
# a third of a core.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=bench-lib.sh
. "$here/bench-lib.sh"
warmup=45
duration=10
publishers=100
inflight=200
port=24883
scenario=publish
offer=90
sizes=(16 1024)
modes=(at-once after-buffer after-kafka)
java_opts=""
fixed_rate=0
bridge_props=()
perf_props=()
while [ $# -gt 0 ]; do
  case "$1" in
    --warmup) warmup="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --publishers) publishers="$2"; shift 2 ;;
    --inflight) inflight="$2"; shift 2 ;;
    --with-subscriber) scenario=fanin; shift ;;
    --offer) offer="$2"; shift 2 ;;
    --sizes) read -r -a sizes <<< "$2"; shift 2 ;;
    --modes) read -r -a modes <<< "$2"; shift 2 ;;
    --java-opts) java_opts="$2"; shift 2 ;;
    --rate) fixed_rate="$2"; shift 2 ;;
    --bridge-props) read -r -a bridge_props <<< "$2"; shift 2 ;;
    --perf-props) read -r -a perf_props <<< "$2"; shift 2 ;;
    -h|--help) sed -n '2,35p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "kafka-bridge.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

work="$root/benchmarks/target/kafka-bridge"
rm -rf "$work" && mkdir -p "$work/plugins"
home=$(unpack_gannet "$root" "$work")
cp -r "$home/plugins/kafka" "$work/plugins/kafka" # the bridge alone: no authentication plugin in the way
bench="$home/bin/gannet-bench"
mvn -B -q -f "$here/peers/kafka/pom.xml" dependency:build-classpath -Dmdep.outputFile="$work/kafka.classpath" >&2
kafka_cp=$(cat "$work/kafka.classpath")
quiet="-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"
probe_cp="$kafka_cp:$home/lib/bench/*"

# ---- Kafka ---------------------------------------------------------------------------------------------------
kport=29092
cport=29093
kdir="$work/kafka"
mkdir -p "$kdir"
cat > "$kdir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$kport,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$kport
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$kdir/data
num.partitions=3
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
java $quiet -cp "$kafka_cp" kafka.tools.StorageTool format -t "$(java $quiet -cp "$kafka_cp" kafka.tools.StorageTool random-uuid)" \
  -c "$kdir/server.properties" > "$kdir/format.log" 2>&1
java $quiet -Xms1g -Xmx1g -cp "$kafka_cp" kafka.Kafka "$kdir/server.properties" > "$kdir/kafka.log" 2>&1 &
kafka_pid=$!
trap 'kill $kafka_pid 2>/dev/null || true; kill $gannet_pid 2>/dev/null || true' EXIT
gannet_pid=""
wait_for_port "$kport" "$kafka_pid"
topics() {
  java $quiet -cp "$kafka_cp" org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$kport" "$@" \
    > /dev/null 2>&1
}

# ---- Kafka's own producer ------------------------------------------------------------------------------------
declare -A rate p50 p99 mqtt offered
for size in "${sizes[@]}"; do
  topics --create --topic "perf-$size" --partitions 3 --replication-factor 1
  records=$(( size == 16 ? 3000000 : 1000000 ))
  read -r t0 s0 <<< "$(cpu_counters)"
  java $quiet -cp "$kafka_cp" org.apache.kafka.tools.ProducerPerformance --topic "perf-$size" --num-records "$records" \
    --record-size "$size" --throughput -1 --producer-props "bootstrap.servers=127.0.0.1:$kport" acks=all \
    ${perf_props[@]+"${perf_props[@]}"} > "$work/perf-$size.log" 2>&1
  line=$(grep "records sent" "$work/perf-$size.log" | tail -1)
  rate[kafka,$size]=$(echo "$line" | sed -n 's/.* \([0-9.]*\) records\/sec.*/\1/p' | cut -d. -f1)
  p50[kafka,$size]=$(echo "$line" | sed -n 's/.* \([0-9]*\) ms 50th.*/\1/p')
  p99[kafka,$size]=$(echo "$line" | sed -n 's/.* \([0-9]*\) ms 99th.*/\1/p')
  echo "kafka-producer-perf-test $size B: ${rate[kafka,$size]} records/s, p50 ${p50[kafka,$size]} ms, p99 ${p99[kafka,$size]} ms; steal $(steal_since "$t0" "$s0") %" >&2
done

# ---- the bridge ----------------------------------------------------------------------------------------------
for size in "${sizes[@]}"; do
  for mode in "${modes[@]}"; do
    port=$((port + 1))
    topic="bridge-$mode-$size"
    topics --create --topic "$topic" --partitions 3 --replication-factor 1
    rm -rf "$work/kafka-buffer"
    write_gannet_config "$work/gannet.yaml" "$port" "$work/plugins"
    cat >> "$work/gannet.yaml" <<EOF
  kafka:
    clusters:
      local:
        bootstrap-servers: 127.0.0.1:$kport
$(if [ ${#bridge_props[@]} -gt 0 ]; then
    echo "        properties:"
    for kv in "${bridge_props[@]}"; do echo "          ${kv%%=*}: \"${kv#*=}\""; done
  fi)
    to-kafka:
      - name: bench
        mqtt-topics: ["gannet-bench/#"]
        kafka-topic: $topic
        acknowledge: $mode
    buffer:
      directory: $work/kafka-buffer
EOF
    GANNET_HEAP=1g JAVA_OPTS="$java_opts" "$home/bin/gannet" --config "$work/gannet.yaml" > "$work/broker-$mode-$size.log" 2>&1 &
    gannet_pid=$!
    wait_for_port "$port" "$gannet_pid"
    java $quiet -Dlogback.configurationFile="$home/conf/logback.xml" -cp "$probe_cp" io.gannet.benchmarks.kafka.BridgeProbe "127.0.0.1:$kport" "$topic" "$warmup" "$duration" \
      > "$work/probe-$mode-$size.log" 2>&1 &
    probe_pid=$!
    rate_arg=0 # as fast as acknowledgements allow
    if [ "$mode" != after-kafka ]; then
      rate_arg=$(( fixed_rate > 0 ? fixed_rate : ${rate[kafka,$size]:-0} * offer / 100 ))
    fi
    offered[$mode,$size]=$rate_arg
    read -r t0 s0 <<< "$(cpu_counters)"
    "$bench" --port "$port" --rate "$rate_arg" --scenario "$scenario" -n "$publishers" --qos 1 --payload "$size" --inflight "$inflight" \
      --warmup "$warmup" --duration "$duration" --broker-pid "$gannet_pid" > "$work/bench-$mode-$size.log" 2>&1 \
      || echo "   (gannet-bench exit $?: see $work/bench-$mode-$size.log)" >&2
    wait "$probe_pid" || true
    mqtt[$mode,$size]=$(sed -n 's/^  sent .*(\([0-9,]*\) msg\/s).*/\1/p' "$work/bench-$mode-$size.log" | tr -d ,)
    line=$(grep "^records" "$work/probe-$mode-$size.log" || true)
    rate[$mode,$size]=$(echo "$line" | sed -n 's/.*: \([0-9]*\) records\/s.*/\1/p')
    p50[$mode,$size]=$(echo "$line" | sed -n 's/.*p50 \([0-9]*\) p99.*/\1/p')
    p99[$mode,$size]=$(echo "$line" | sed -n 's/.*p99 \([0-9]*\) max.*/\1/p')
    cpu=$(sed -n 's/^  broker .* \([0-9.]*\) µs per published message.*/\1/p' "$work/bench-$mode-$size.log")
    echo "bridge $mode $size B: ${rate[$mode,$size]:-?} records/s, p50 ${p50[$mode,$size]:-?} ms, p99 ${p99[$mode,$size]:-?} ms; MQTT ${mqtt[$mode,$size]:-?} msg/s acknowledged; broker ${cpu:-?} µs per message; steal $(steal_since "$t0" "$s0") %" >&2
    kill -TERM "$gannet_pid"; wait "$gannet_pid" || true
    gannet_pid=""
  done
done

echo
echo "MQTT to Kafka, records/s into Kafka (share of kafka-producer-perf-test), latency p50 / p99 ms, and the MQTT"
echo "messages/s acknowledged to the $publishers QoS 1 publishers ($inflight in flight each; gannet-bench scenario"
echo "$scenario); at-once and after-buffer publish at $offer % of kafka-producer-perf-test's rate (\"offered\")"
echo
echo "| payload | kafka-producer-perf-test |$(printf ' %s |' "${modes[@]}")"
echo "|---|---|$(printf -- '---|%.0s' "${modes[@]}")"
for size in "${sizes[@]}"; do
  row="| $size B | $(printf "%'d" "${rate[kafka,$size]:-0}"), ${p50[kafka,$size]:-?} / ${p99[kafka,$size]:-?} ms |"
  for mode in "${modes[@]}"; do
    r=${rate[$mode,$size]:-0}; base=${rate[kafka,$size]:-0}
    share=$(awk -v r="$r" -v b="$base" 'BEGIN { if (b > 0) printf "%d %%", 100 * r / b; else print "-" }')
    given=""
    if [ "${offered[$mode,$size]:-0}" -gt 0 ]; then
      given=" of $(printf "%'d" "${offered[$mode,$size]}") offered"
    fi
    row="$row $(printf "%'d" "$r") ($share), ${p50[$mode,$size]:-?} / ${p99[$mode,$size]:-?} ms; MQTT $(printf "%'d" "${mqtt[$mode,$size]:-0}")$given |"
  done
  echo "$row"
done
