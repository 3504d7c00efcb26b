#!/bin/bash
# stop-rgw.sh DIR : kill the daemons started by start-rgw.sh DIR and remove DIR
set -u
DIR=${1:?usage: stop-rgw.sh DIR}
[ -d "$DIR" ] || exit 0
PIDS=""
for f in rgw osd mon; do
  [ -f "$DIR/$f.pid" ] && PIDS="$PIDS $(cat "$DIR/$f.pid")"
done
# throwaway cluster: nothing to flush, so SIGKILL straight away (SIGTERM takes ~5 s)
for p in $PIDS; do kill -KILL "$p" 2>/dev/null; done
for i in $(seq 1 50); do
  alive=""
  for p in $PIDS; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
  [ -z "$alive" ] && break
  sleep 0.1
done
for p in $alive; do kill -KILL "$p" 2>/dev/null; done
rm -rf "$DIR"
