#!/usr/bin/env bash
# A Redis Cluster on loopback for the cluster-mode tests and for trying the stack in cluster mode:
#   scripts/redis-cluster.sh start [masters] [replicas-per-master]   (default 3 masters, 0 replicas)
#   scripts/redis-cluster.sh stop
#   scripts/redis-cluster.sh url        (redis://127.0.0.1:<first master's port>)
# Ports from REDIS_CLUSTER_PORT (default 7101) upwards; data, logs and pid files under REDIS_CLUSTER_DIR (default
# /tmp/flashsale-redis-cluster). No persistence. `stop` stops only the servers this script started, by their pids.
# Then: REDIS_URL=$(scripts/redis-cluster.sh url) REDIS_CLUSTER_MODE=true ./flashsale test ... (the runner detects a
# cluster by itself: REDIS_URL=$(scripts/redis-cluster.sh url) ./flashsale).
set -euo pipefail

dir="${REDIS_CLUSTER_DIR:-/tmp/flashsale-redis-cluster}"
base="${REDIS_CLUSTER_PORT:-7101}"

die() { printf 'redis-cluster: %s\n' "$*" >&2; exit 1; }

stop() {
  local pidfile pid
  for pidfile in "$dir"/*/redis.pid; do
    [[ -f "$pidfile" ]] || continue
    pid="$(cat "$pidfile")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$pidfile"
  done
  rm -rf "$dir"
}

synced() {  # every replica's link to its master is up (a replica that never synced cannot be promoted)
  local i port
  for ((i = 0; i < $1; i++)); do
    port=$((base + i))
    if redis-cli -p "$port" info replication | grep -q '^role:slave' \
      && ! redis-cli -p "$port" info replication | grep -q 'master_link_status:up'; then
      return 1
    fi
  done
}

start() {
  local masters="${1:-3}" replicas="${2:-0}" total port i nodes=()
  command -v redis-server >/dev/null || die "redis-server is not installed"
  command -v redis-cli >/dev/null || die "redis-cli is not installed"
  ((masters >= 3)) || die "a Redis Cluster needs at least 3 masters, got $masters"
  [[ -e "$dir" ]] && die "$dir exists: a cluster is running (scripts/redis-cluster.sh stop first)"
  total=$((masters * (1 + replicas)))
  ((base + total - 1 + 10000 <= 65535)) || die "REDIS_CLUSTER_PORT $base is too high: a node's bus port is 10000 above it"
  for ((i = 0; i < total; i++)); do
    port=$((base + i))
    for p in "$port" $((port + 10000)); do  # the node's port and its cluster bus port
      if timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$p" 2>/dev/null; then
        die "port $p is taken (set REDIS_CLUSTER_PORT)"
      fi
    done
  done
  for ((i = 0; i < total; i++)); do
    port=$((base + i))
    mkdir -p "$dir/$port"
    redis-server --port "$port" --bind 127.0.0.1 --cluster-enabled yes --cluster-node-timeout 2000 \
      --repl-diskless-sync-delay 0 \
      --cluster-config-file "$dir/$port/nodes.conf" --dir "$dir/$port" --save "" --appendonly no \
      --daemonize yes --pidfile "$dir/$port/redis.pid" --logfile "$dir/$port/redis.log"
    nodes+=("127.0.0.1:$port")
  done
  for ((i = 0; i < total; i++)); do
    port=$((base + i))
    for _ in $(seq 1 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  done
  redis-cli --cluster create "${nodes[@]}" --cluster-replicas "$replicas" --cluster-yes >"$dir/create.log" 2>&1 \
    || { cat "$dir/create.log" >&2; tail -n 3 "$dir"/*/redis.log >&2; stop; die "cluster creation failed"; }
  for _ in $(seq 1 100); do
    if redis-cli -p "$base" cluster info | grep -q 'cluster_state:ok' && synced "$total"; then
      printf 'redis-cluster: %d masters, %d replicas each, on 127.0.0.1:%d-%d\n' "$masters" "$replicas" "$base" $((base + total - 1))
      return 0
    fi
    sleep 0.1
  done
  stop
  die "the cluster did not reach cluster_state:ok"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  url) echo "redis://127.0.0.1:$base" ;;
  *) die "usage: $0 start [masters] [replicas-per-master] | stop | url" ;;
esac
