#!/usr/bin/env bash
# A three-node Gannet cluster on this machine: pairs (10 publishers, 10 subscribers, 16-byte payloads) as fast as
# they go, with each publisher and its subscriber on the same node, then on different nodes (publishers on n1,
# subscribers on n2), at QoS 0 and QoS 1, in one run. The cross-node rate is given as a share of the same-node rate.
# A single broker without a cluster runs the same cases first, for reference. Prints a Markdown table and keeps
# every run's output in benchmarks/target/cluster/.
#
#   benchmarks/cluster.sh                          warm-up 15 s, 10 s measured per case (about 4 minutes)
#   benchmarks/cluster.sh --warmup 10 --duration 5
#   benchmarks/cluster.sh --repeat 3               every case 3 times, in turn; each cell is the run with the
#                                                  median rate, and all rates are listed
#   benchmarks/cluster.sh --persistent             QoS 1 only, with persistent subscribers (session expiry 3600,
#                                                  1,000 in flight per publisher): the lone broker keeps them in
#                                                  its journal (sync: os), the cluster in its session partitions
#   benchmarks/cluster.sh --tls                    the same with mutual TLS between the nodes (cluster.tls-*,
#                                                  certificates made with openssl in the work directory)
#   benchmarks/cluster.sh --failover 1000          instead: N persistent clients on n3, n3 killed with SIGKILL,
#                                                  and the time until each resumed its session on n1 or n2
#                                                  (--repeat times, a fresh cluster each; nothing pinned).
#                                                  Before the kill, --failover-warmup rounds (2 by default; 0 for
#                                                  JVMs that never took a session over) move every client to n1
#                                                  or n2 and back, so that the takeover's code is compiled
#   benchmarks/cluster.sh --move                   instead: the session partitions moving under the --persistent
#                                                  cross-node load: a fourth node added (bin/gannet cluster
#                                                  add), then a founding node removed (remove n3), each in the
#                                                  middle of a run; the time until every node sees no partition
#                                                  moving, and the run's latency next to one without a move
#                                                  (at --move-rate msg/s, 2,000 by default: a saturated core
#                                                  measures the core; use a --duration that covers the move,
#                                                  such as 30)
#   benchmarks/cluster.sh --conns 15000            instead: N idle connections on each of the three nodes at
#                                                  once (one generator process per node: a process may hold
#                                                  about 20,000 open files here), each node's memory per
#                                                  connection, and meanwhile a QoS 1 message from every node to
#                                                  every other (--hold seconds held, default 150)
#
# Every node runs on core 0 and the generator on core 1 where there are two cores: the nodes share one core, so
# the broker CPU time per message (all nodes added up) is what the cluster costs against one broker.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=bench-lib.sh
. "$here/bench-lib.sh"
warmup=15
duration=10
repeat=1
conns=0
hold=150
base_port=25883
persistent=false
failover=0
failover_warmup=2
tls=false
move=false
move_rate=2000
while [ $# -gt 0 ]; do
  case "$1" in
    --warmup) warmup="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --conns) conns="$2"; shift 2 ;;
    --hold) hold="$2"; shift 2 ;;
    --port-base) base_port="$2"; shift 2 ;;
    --persistent) persistent=true; shift ;;
    --tls) tls=true; shift ;;
    --failover) failover="$2"; shift 2 ;;
    --failover-warmup) failover_warmup="$2"; shift 2 ;;
    --move) move=true; persistent=true; shift ;;
    --move-rate) move_rate="$2"; shift 2 ;;
    -h|--help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "cluster.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

work="$root/benchmarks/target/cluster"
rm -rf "$work" && mkdir -p "$work"
pin_cores
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

# Three homes from the distribution: each node its own data and log directories.
homes=()
nodes="1 2 3"
if [ "$move" = true ]; then nodes="1 2 3 4"; fi
for n in $nodes; do
  mkdir -p "$work/n$n"
  homes+=("$(unpack_gannet "$root" "$work/n$n")")
done
bench="${homes[0]}/bin/gannet-bench"
if [ "$tls" = true ]; then
  # One authority and one certificate for 127.0.0.1, shared by the three nodes (each presents it and trusts the CA).
  mkdir -p "$work/tls"
  (
    cd "$work/tls"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=gannet bench CA" \
      -keyout ca.key -out ca.pem 2> /dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=gannet bench node" \
      -keyout node.key -out node.csr 2> /dev/null
    openssl x509 -req -in node.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -out node.pem \
      -extfile <(printf "subjectAltName=IP:127.0.0.1") 2> /dev/null
  )
fi
mqtt_port() { echo $((base_port + $1)); }
link_port() { echo $((base_port + 10 + $1)); }
raft_port() { echo $((base_port + 20 + $1)); }

start_node() { # start_node N CLUSTER(true|false): prints nothing, appends the pid to pids; node 4 joins later
  local n=$1 enabled=$2 home=${homes[$(($1 - 1))]} conf="$work/n$1/gannet.yaml"
  local journal="enabled: false" # a cluster node keeps its sessions in the partitions
  if [ "$persistent" = true ] && [ "$enabled" = false ]; then
    journal=$'enabled: true\nsync: os'
  fi
  write_gannet_config "$conf" "$(mqtt_port "$n")" "$work/n$n/plugins" "$journal"
  if [ "$move" = true ]; then # partitions/moving, every second
    printf 'sys:\n  interval-seconds: 1\n' >> "$conf"
  fi
  cat >> "$conf" <<EOF
network:
  io-threads: 1
cluster:
  enabled: $enabled
  node-id: n$n
  directory: data/cluster
EOF
  if [ "$tls" = true ] && [ "$enabled" = true ]; then
    printf '  tls-certificate: %s\n  tls-private-key: %s\n  tls-trust: %s\n' \
      "$work/tls/node.pem" "$work/tls/node.key" "$work/tls/ca.pem" >> "$conf"
  fi
  echo "  nodes:" >> "$conf"
  for m in 1 2 3; do
    echo "    - {id: n$m, host: 127.0.0.1, port: $(link_port "$m"), raft-port: $(raft_port "$m")}" >> "$conf"
  done
  if [ "$n" = 4 ]; then
    echo "    - {id: n4, host: 127.0.0.1, port: $(link_port 4), raft-port: $(raft_port 4), joined: true}" >> "$conf"
  fi
  GANNET_HEAP=1g $broker_cpu "$home/bin/gannet" --config "$conf" > "$work/n$n/broker.log" 2>&1 &
  pids+=($!)
  if [ "$n" != 4 ]; then # a joining node opens its listeners once it is added
    wait_for_port "$(mqtt_port "$n")" "$!"
  fi
}

if [ "$failover" -gt 0 ]; then
  # Not pinned: this is a latency, and three nodes on one core, two of them taking a reconnection storm while
  # their Raft groups must hear from each other within the election timeout, measure the core, not the failover.
  broker_cpu=""
  gen_cpu=""
  results=""
  for round in $(seq 1 "$repeat"); do
    for n in 1 2 3; do rm -rf "${homes[$((n - 1))]}/data/cluster"; done
    start_node 1 true; start_node 2 true; start_node 3 true
    sleep 10 # the nodes elect the leaders of their groups and open their links
    log="$work/failover-$round.log"
    $gen_cpu java -Xmx512m -cp "${homes[0]}/lib/*:${homes[0]}/lib/bench/*" io.gannet.benchmarks.load.FailoverProbe \
      "${pids[2]}" "$(mqtt_port 3)" "$(mqtt_port 1),$(mqtt_port 2)" "$failover" "$failover_warmup" > "$log" 2>&1 \
      || echo "   (the probe reported clients not resumed; see $log)" >&2
    cat "$log" >&2
    results="$results- round $round: $(grep '^resumed' "$log"); $(grep '^from the kill' "$log"); $(grep '^connections closed' "$log")"$'\n'
    cleanup; pids=()
  done
  echo
  echo "$failover persistent clients on n3 of three nodes, after $failover_warmup warm-up rounds (each client to n1 or n2"
  echo "and back); n3 killed with SIGKILL; each client reconnects at once to n1"
  echo "or n2 with Clean Start 0 (every 50 ms until its session is back). Time from the kill to the CONNACK that"
  echo "says the session is present:"
  echo
  printf '%s' "$results"
  exit 0
fi

if [ "$conns" -gt 0 ]; then
  start_node 1 true; start_node 2 true; start_node 3 true
  # Each node's baseline RSS is read by its generator before it connects; the nodes' Raft group and links are up
  # by then (the wait below lets them settle first).
  sleep 10
  gens=()
  for n in 1 2 3; do
    $gen_cpu "$bench" --port "$(mqtt_port "$n")" --scenario conns -n "$conns" --connect-rate 2000 \
      --source-addresses 8 --duration "$hold" --broker-pid "${pids[$((n - 1))]}" > "$work/conns-n$n.log" 2>&1 &
    gens+=($!)
  done
  # While they are held: a QoS 1 probe from every node to every other, counted end to end.
  sleep $((hold / 3))
  probes=""
  for from in 1 2 3; do
    for to in 1 2 3; do
      [ "$from" = "$to" ] && continue
      log="$work/probe-n$from-n$to.log"
      $gen_cpu "$bench" --port "$(mqtt_port "$from")" --subscriber-port "$(mqtt_port "$to")" --scenario pairs -n 1 \
        --qos 1 --payload 16 --rate 100 --warmup 2 --duration 3 > "$log" 2>&1 || echo "   (exit $?: see $log)" >&2
      got=$(sed -n 's/^  received *\([0-9,]*\) .* of \([0-9,]*\) expected.*/\1 of \2/p' "$log")
      probes="$probes- n$from to n$to: ${got:-?} (see $log)"$'\n'
    done
  done
  for g in "${gens[@]}"; do wait "$g" || echo "   (a generator reported closed connections; see $work/conns-n*.log)" >&2; done
  echo
  echo "$conns idle connections on each of three nodes at once (all nodes on core 0, generators on core 1):"
  echo
  echo "| node | open after ${hold} s | RSS before → after | bytes per connection | after the first tenth |"
  echo "|---|---|---|---|---|"
  for n in 1 2 3; do
    l="$work/conns-n$n.log"
    open=$(sed -n 's/^\([0-9]*\) of \([0-9]*\) connections still open.*/\1 of \2/p' "$l")
    rss=$(sed -n 's/^broker RSS \([0-9,]*\) KiB -> \([0-9,]*\) KiB: \([0-9]*\) bytes per connection/\1 → \2 KiB|\3/p' "$l")
    marginal=$(sed -n 's/^  after the first .*: \([0-9]*\) bytes per connection/\1/p' "$l")
    echo "| n$n | ${open:-?} | ${rss%|*} | ${rss#*|} | ${marginal:-?} |"
  done
  echo
  echo "QoS 1 messages from each node to a subscriber on each other node, meanwhile (received of expected):"
  echo
  printf '%s' "$probes"
  exit 0
fi

# run LABEL QOS PUB_PORT SUB_PORT PIDS...: one gannet-bench run, recorded in runs[LABEL,QOS]
declare -A runs rate cpu latency
run() {
  local label=$1 qos=$2 pub=$3 sub=$4 log
  shift 4
  log="$work/$label-q$qos-$round.log"
  local durable=() paced=()
  if [ "$move" = true ]; then
    paced=(--rate "$move_rate")
  fi
  if [ "$persistent" = true ]; then
    durable=(--session-expiry 3600 --inflight 1000)
  fi
  $gen_cpu "$bench" --port "$pub" --subscriber-port "$sub" --scenario pairs -n 10 --qos "$qos" --payload 16 \
    ${durable[@]+"${durable[@]}"} ${paced[@]+"${paced[@]}"} --warmup "$warmup" --duration "$duration" --broker-pid "$(IFS=,; echo "$*")" > "$log" 2>&1 \
    || echo "   (exit $?: see $log)" >&2
  local r c
  r=$(sed -n 's/^  received .*(\([0-9,]*\) msg\/s).*/\1/p' "$log" | tr -d ,)
  latency[$label,$qos]=$(sed -n 's/^  latency *p50 \([0-9.]*\) ms *p99 \([0-9.]*\) ms.*/p50 \1 ms, p99 \2 ms/p' "$log")
  c=$(sed -n 's/^  broker .* \([0-9.]*\) µs per delivered message.*/\1/p' "$log")
  runs[$label,$qos]="${runs[$label,$qos]:-}${r:-0} ${c:-?}"$'\n'
  echo "round $round, $label QoS $qos: ${r:-?} msg/s, ${c:-?} µs/msg" >&2
}

if [ "$move" = true ]; then
  # sys_wait TIMEOUT FIGURE VALUE PORTS: how long until FIGURE = VALUE on every node of PORTS (comma-separated)
  sys_wait() {
    java -Xmx128m -cp "${homes[0]}/lib/*:${homes[0]}/lib/bench/*" io.gannet.benchmarks.load.SysWait "$2" "$3" "$1" \
      "$4" > "$work/sys-wait.log" 2>&1 || true
    tail -n 1 "$work/sys-wait.log"
  }
  # during LABEL PORTS PIDS COMMAND...: a cross-node run (n1 to n2) measuring the broker CPU of PIDS
  # (comma-separated), with COMMAND run once its warm-up is over, and then the wait until no partition moves on
  # PORTS
  declare -A moved
  during() {
    local label=$1 ports=$2 measured=$3
    shift 3
    (
      sleep $((warmup + 2))
      started=$(date +%s%N)
      "$@" > "$work/$label-command.log" 2>&1 || echo "   (the command failed: see $work/$label-command.log)" >&2
      cmd_done=$(date +%s%N)
      # $SYS says it every second: a value from before the change must not pass for the end of the move.
      sleep 1.5
      line=$(sys_wait 120 partitions/moving 0 "$ports")
      echo "$(( ($(date +%s%N) - started) / 1000000 )) ms from the command (the command itself $(( (cmd_done - \
        started) / 1000000 )) ms); $line" > "$work/$label-moved"
    ) &
    local mover=$!
    # shellcheck disable=SC2086
    run "$label" 1 "$(mqtt_port 1)" "$(mqtt_port 2)" ${measured//,/ }
    wait "$mover"
    moved[$label]=$(cat "$work/$label-moved")
    echo "$label: ${moved[$label]}" >&2
  }
  round=1
  start_node 1 true; start_node 2 true; start_node 3 true
  # The fourth node starts before any load (the nodes share a core), and waits to be added.
  start_node 4 true
  for _ in $(seq 1 120); do
    grep -q "waits to be added" "$work/n4/broker.log" 2>/dev/null && break
    sleep 1
  done
  sleep 10
  run before 1 "$(mqtt_port 1)" "$(mqtt_port 2)" "${pids[0]}" "${pids[1]}" "${pids[2]}"
  cli="${homes[0]}/bin/gannet"
  during add "$(mqtt_port 1),$(mqtt_port 2),$(mqtt_port 3),$(mqtt_port 4)" "${pids[0]},${pids[1]},${pids[2]},${pids[3]}" \
    "$cli" --config "$work/n1/gannet.yaml" cluster add n4 127.0.0.1 "$(link_port 4)" "$(raft_port 4)"
  # n3 stops during the run: its CPU is left out of the figure
  during remove "$(mqtt_port 1),$(mqtt_port 2),$(mqtt_port 4)" "${pids[0]},${pids[1]},${pids[3]}" \
    "$cli" --config "$work/n1/gannet.yaml" cluster remove n3
  echo
  echo "Session partitions moving under a persistent cross-node load of $move_rate msg/s (10 pairs, QoS 1, 16 B,"
  echo "publishers on n1, subscribers on n2 with session expiry 3600, 1,000 in flight each; all nodes on core 0):"
  echo "delivered msg/s, broker CPU per message and latency of the whole run, and the time from the command to no"
  echo "partition moving on any node"
  echo
  echo "| run | msg/s, µs per message | latency | partitions in place |"
  echo "|---|---|---|---|"
  for label in before add remove; do
    read -r r c <<< "$(printf '%s' "${runs[$label,1]}" | head -n 1)"
    echo "| $label | $(printf "%'d" "${r:-0}"), ${c:-?} µs | ${latency[$label,1]:-?} | ${moved[$label]:--} |"
  done
  exit 0
fi

qos_levels="0 1"
if [ "$persistent" = true ]; then
  qos_levels="1" # QoS 0 messages are not kept for anyone
fi
# An n1 with no cluster first; then the cluster.
for round in $(seq 1 "$repeat"); do
  start_node 1 false
  for qos in $qos_levels; do run single "$qos" "$(mqtt_port 1)" "$(mqtt_port 1)" "${pids[0]}"; done
  cleanup; pids=()
done
rm -rf "${homes[0]}/data/cluster"
start_node 1 true; start_node 2 true; start_node 3 true
# The three nodes have a leader and their links once n1 routes to n2: the first cross-node run's warm-up waits for
# nothing else (a message that finds no route yet is simply not counted as delivered in the warm-up).
for round in $(seq 1 "$repeat"); do
  for qos in $qos_levels; do
    run same-node "$qos" "$(mqtt_port 1)" "$(mqtt_port 1)" "${pids[@]}"
    run cross-node "$qos" "$(mqtt_port 1)" "$(mqtt_port 2)" "${pids[@]}"
  done
done

for key in "${!runs[@]}"; do
  median=$(printf '%s' "${runs[$key]}" | sort -n | awk '{ line[NR] = $0 } END { print line[int((NR + 1) / 2)] }')
  read -r rate[$key] cpu[$key] <<< "$median"
done
echo
echo "pairs (10 pairs, 16 B), as fast as it goes: delivered msg/s, broker CPU µs per message (every node's CPU"
echo "added up); the run with the median rate of $repeat"
if [ "$persistent" = true ]; then
  echo "Persistent subscribers (session expiry 3600), 1,000 in flight per publisher: the lone broker keeps their"
  echo "messages in its journal (sync: os), the cluster in its session partitions (a majority of three)"
fi
echo
echo "| case | one broker, no cluster | cluster, same node | cluster, cross-node (share of same node) |"
echo "|---|---|---|---|"
for qos in $qos_levels; do
  s=${rate[single,$qos]:-0}; same=${rate[same-node,$qos]:-0}; cross=${rate[cross-node,$qos]:-0}
  share=$(awk -v r="$cross" -v b="$same" 'BEGIN { if (b > 0) printf "%d %%", 100 * r / b; else print "-" }')
  echo "| pairs QoS $qos | $(printf "%'d" "$s"), ${cpu[single,$qos]:-?} µs | $(printf "%'d" "$same"), ${cpu[same-node,$qos]:-?} µs | $(printf "%'d" "$cross") ($share), ${cpu[cross-node,$qos]:-?} µs |"
done
if [ "$repeat" -gt 1 ]; then
  echo
  echo "Every run's rate (msg/s):"
  for label in single same-node cross-node; do
    for qos in $qos_levels; do
      echo "- $label QoS $qos: $(printf '%s' "${runs[$label,$qos]}" | awk '{ printf "%s%s", (NR > 1 ? ", " : ""), $1 }')"
    done
  done
fi
