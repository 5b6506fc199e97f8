#!/usr/bin/env bash
# Gannet with persistent subscribers, with persistence off and with each sync policy, side by side in one run: QoS 1
# pairs (10 publishers, 10 persistent subscribers) and fan-in (100 publishers, 1 persistent subscriber) with 16-byte
# payloads, as fast as they go. The subscribers connect with a Session Expiry Interval (gannet-bench
# --session-expiry), so that every message is journaled: queued, sent, acknowledged. Prints a Markdown table and
# keeps every run's output in benchmarks/target/persistence/.
#
#   benchmarks/persistence.sh                       warm-up 20 s, 10 s measured per case (about 6 minutes)
#   benchmarks/persistence.sh --warmup 10 --duration 5
#   benchmarks/persistence.sh --inflight 200      QoS 1 messages each publisher keeps unacknowledged (default 20);
#                                                 the fsync policies hold acknowledgements, so they are bound by it
#   benchmarks/persistence.sh --inflight-pairs 1000   the same for the pairs case alone (default: --inflight): 10
#                                                 publishers must keep a sync interval's worth of messages in flight
#   benchmarks/persistence.sh --repeat 3          every mode 3 times, in turn (off, os, ..., off, os, ...); each
#                                                 cell is then the run with the median rate, and all rates are listed,
#                                                 with each run's share of the 'off' run of its round and the median
#   benchmarks/persistence.sh --modes "off os"    only these modes ('off' first: the shares are taken of it)
#   benchmarks/persistence.sh --rate 300000       every case at this fixed rate (all publishers together) instead of
#                                                 as fast as it goes: compare the broker's CPU µs per message then,
#                                                 which moves much less from run to run than a maximum rate
#
# Each mode gets a fresh broker and an empty journal. The broker runs on core 0 and the generator on core 1 where
# there are two cores; the journal's writer thread shares core 0 with the broker's event loops.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=bench-lib.sh
. "$here/bench-lib.sh"
warmup=20
duration=10
port=23883
inflight=20
inflight_pairs=""
repeat=1
modes=(off os interval every-message)
rate=0
while [ $# -gt 0 ]; do
  case "$1" in
    --warmup) warmup="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --inflight) inflight="$2"; shift 2 ;;
    --inflight-pairs) inflight_pairs="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --modes) read -r -a modes <<< "$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "persistence.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

work="$root/benchmarks/target/persistence"
rm -rf "$work" && mkdir -p "$work"
home=$(unpack_gannet "$root" "$work")
bench="$home/bin/gannet-bench"
pin_cores

if [ "${modes[0]}" != off ]; then
  echo "persistence.sh: --modes must start with 'off', the mode the others are compared with" >&2; exit 2
fi
inflight_pairs=${inflight_pairs:-$inflight}
cases=("pairs 10 $inflight_pairs" "fanin 100 $inflight")
declare -A rates cpu p99 runs
for round in $(seq 1 "$repeat"); do
for mode in "${modes[@]}"; do
  port=$((port + 1))
  rm -rf "$home/data/persistence"
  if [ "$mode" = off ]; then
    write_gannet_config "$work/gannet.yaml" "$port" "$work/plugins" "enabled: false"
  else
    write_gannet_config "$work/gannet.yaml" "$port" "$work/plugins" $'enabled: true\nsync: '"$mode"
  fi
  GANNET_HEAP=1g $broker_cpu "$home/bin/gannet" --config "$work/gannet.yaml" > "$work/broker-$mode-$round.log" 2>&1 &
  pid=$!
  wait_for_port "$port" "$pid"
  for c in "${cases[@]}"; do
    set -- $c
    log="$work/$mode-$1-$round.log"
    read -r t0 s0 <<< "$(cpu_counters)"
    $gen_cpu "$bench" --port "$port" --scenario "$1" -n "$2" --qos 1 --payload 16 --session-expiry 3600 \
      --inflight "$3" --rate "$rate" --warmup "$warmup" --duration "$duration" --broker-pid "$pid" > "$log" 2>&1 || echo "   (exit $?: see $log)"
    r=$(sed -n 's/^  received .*(\([0-9,]*\) msg\/s).*/\1/p' "$log" | tr -d ,)
    c=$(sed -n 's/^  broker .* \([0-9.]*\) µs per delivered message.*/\1/p' "$log")
    l=$(sed -n 's/^  latency .*p99 \([0-9.]*\) ms .*p99.9.*/\1/p' "$log")
    st=$(steal_since "$t0" "$s0")
    runs[$mode,$1]="${runs[$mode,$1]:-}${r:-0} ${c:-?} ${l:-?} $st"$'\n'
    echo "round $round, $mode $1: ${r:-?} msg/s, ${c:-?} µs/msg, p99 ${l:-?} ms, steal $st %" >&2
  done
  kill -TERM "$pid"; wait "$pid" || true
done
done
# Each cell: the run with the median rate.
for key in "${!runs[@]}"; do
  median=$(printf '%s' "${runs[$key]}" | sort -n | awk '{ line[NR] = $0 } END { print line[int((NR + 1) / 2)] }')
  read -r rates[$key] cpu[$key] p99[$key] _ <<< "$median"
done

echo
pace="as fast as it goes"
[ "$rate" = 0 ] || pace="offered $rate msg/s"
echo "QoS 1, persistent subscribers, $inflight_pairs (pairs) and $inflight (fan-in) in flight per publisher, $pace: delivered msg/s (share of"
echo "'off'), broker CPU µs per message, p99 ms; the run with the median rate of $repeat"
echo
echo "| case |$(printf ' %s |' "${modes[@]}")"
echo "|---|$(printf -- '---|%.0s' "${modes[@]}")"
for c in "${cases[@]}"; do
  set -- $c
  row="| $1 QoS 1 |"
  for mode in "${modes[@]}"; do
    r=${rates[$mode,$1]:-0}; base=${rates[off,$1]:-0}
    share=$(awk -v r="$r" -v b="$base" 'BEGIN { if (b > 0) printf "%d %%", 100 * r / b; else print "-" }')
    cell=$(printf "%'d" "$r" 2>/dev/null || echo "$r")
    row="$row $cell ($share), ${cpu[$mode,$1]:-?} µs, ${p99[$mode,$1]:-?} ms |"
  done
  echo "$row"
done
if [ "$repeat" -gt 1 ]; then
  # The machine's speed drifts between runs (the 'off' rate alone moved by half on a shared machine), so the share
  # that says most is each run's against the 'off' run of its own round, which ran minutes before it.
  echo
  echo "Share of 'off' within each round, in round order, and its median:"
  echo
  echo "| case |$(printf ' %s |' "${modes[@]:1}")"
  echo "|---|$(printf -- '---|%.0s' "${modes[@]:1}")"
  for c in "${cases[@]}"; do
    set -- $c
    row="| $1 QoS 1 |"
    for mode in "${modes[@]:1}"; do
      shares=$(paste <(printf '%s' "${runs[off,$1]}" | awk '{ print $1 }') \
                     <(printf '%s' "${runs[$mode,$1]}" | awk '{ print $1 }') |
        awk '{ if ($1 > 0) printf "%d\n", 100 * $2 / $1; else print 0 }')
      median=$(printf '%s\n' "$shares" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
      row="$row **$median %** ($(printf '%s' "$shares" | paste -sd, | sed 's/,/, /g') %) |"
    done
    echo "$row"
  done
  echo
  echo "Every run's rate (msg/s), in the order they ran, with the CPU time the hypervisor took from the machine"
  echo "meanwhile (steal, see bench-lib.sh) where there was any:"
  for c in "${cases[@]}"; do
    set -- $c
    for mode in "${modes[@]}"; do
      echo "- $1, $mode: $(printf '%s' "${runs[$mode,$1]}" |
        awk '{ printf "%s%s%s", (NR > 1 ? ", " : ""), $1, ($4 > 0 ? " (steal " $4 " %)" : "") }')"
    done
  done
fi
