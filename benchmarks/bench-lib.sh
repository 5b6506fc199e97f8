# Shell functions shared by the benchmark scripts (sourced, not run).

# Sets broker_cpu and gen_cpu to taskset prefixes that pin the broker to core 0 and the generator to core 1, where
# there are two cores or more; to nothing elsewhere.
pin_cores() {
  broker_cpu=""
  gen_cpu=""
  if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
    broker_cpu="taskset -c 0"
    gen_cpu="taskset -c 1"
  fi
}

# Writes Gannet's benchmark configuration to FILE: one plain listener on 127.0.0.1:PORT, queues that do not drop,
# plugins from PLUGIN_DIR (an empty folder: anonymous, no authorization).
# The persistence section's keys (one per line) are the fourth argument; by default persistence is off, as the
# peers run without it.
write_gannet_config() {
  local file=$1 port=$2 plugins=$3 persistence=${4:-"enabled: false"}
  mkdir -p "$plugins"
  cat > "$file" <<EOF
listeners:
  - name: mqtt
    bind: 127.0.0.1
    port: $port
    protocol: mqtt
sessions:
  max-queued-messages: 1000000
  max-queued-bytes: 1073741824
persistence:
  ${persistence//$'\n'/$'\n'  }
plugins:
  directory: $plugins
EOF
}

# Waits (at most 120 s) until something listens on 127.0.0.1:PORT; fails early if process PID exits first.
wait_for_port() {
  local port=$1 pid=$2 i
  for i in $(seq 1 240); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "the broker exited before it listened on $port" >&2
      return 1
    fi
    sleep 0.5
  done
  echo "nothing listens on $port after 120 s" >&2
  return 1
}

# Unpacks the built distribution (built first when missing) from ROOT into DIR and prints the Gannet home it made.
unpack_gannet() {
  local root=$1 dir=$2 version tarball
  version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$root/pom.xml" | head -n 1)
  tarball="$root/dist/target/gannet-$version.tar.gz"
  [ -f "$tarball" ] || (cd "$root" && mvn -B -q -DskipTests install) >&2
  tar xzf "$tarball" -C "$dir"
  echo "$dir/gannet-$version"
}

# The machine's CPU time counters, "total steal" in jiffies (/proc/stat), for steal_since.
cpu_counters() {
  awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t, $9; exit }' /proc/stat
}

# The share of the machine's CPU time, in per cent, that the hypervisor gave to other guests since cpu_counters
# printed "$1 $2". On a shared VM it comes and goes (0 in one run, 30 % minutes later), and a run with steal is slower
# for reasons that are not the broker's: the scripts print it next to each run.
steal_since() {
  cpu_counters | awk -v t0="$1" -v s0="$2" '{ d = $1 - t0; printf "%d", (d > 0 ? 100 * ($2 - s0) / d : 0) }'
}
