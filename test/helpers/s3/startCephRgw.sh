#!/bin/bash
# start-rgw.sh DIR PORT
# Throwaway single-node Ceph (1 mon, 1 memstore OSD, no mgr) + radosgw (beast)
# listening on ${RGW_BIND:-127.0.0.1}:PORT. Everything lives under DIR.
# Env: RGW_BIND (default 127.0.0.1; use 0.0.0.0 for all addresses)
#      MON_PORT (default: a free port picked at start)
#      MEMSTORE_BYTES (default 4 GiB; memstore keeps all object data in RAM)
#      ACCESS_KEY / SECRET_KEY (default stemline-test / stemline-test-secret)
set -euo pipefail

DIR=${1:?usage: start-rgw.sh DIR PORT}
PORT=${2:?usage: start-rgw.sh DIR PORT}
RGW_BIND=${RGW_BIND:-127.0.0.1}
ACCESS_KEY=${ACCESS_KEY:-stemline-test}
SECRET_KEY=${SECRET_KEY:-stemline-test-secret}
MEMSTORE_BYTES=${MEMSTORE_BYTES:-4294967296}
T0=$(date +%s.%N)

if [ -e "$DIR" ] && [ -n "$(ls -A "$DIR" 2>/dev/null)" ]; then
  echo "start-rgw: $DIR exists and is not empty" >&2; exit 1
fi
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
mkdir -p "$DIR"/{mon,osd,rgw,run,log,crash}

# on any failure: kill what was started, keep DIR (logs in DIR/log) for debugging
STARTED_OK=0
cleanup_on_fail() {
  [ "$STARTED_OK" = 1 ] && return
  for f in rgw osd mon; do [ -f "$DIR/$f.pid" ] && kill -KILL "$(cat "$DIR/$f.pid")" 2>/dev/null; done
  echo "start-rgw: FAILED, logs in $DIR/log (remove with stop-rgw.sh $DIR)" >&2
}
trap cleanup_on_fail EXIT

# refuse to start if PORT is taken (otherwise the readiness probe could hit
# another gateway while ours dies with "failed to bind address")
if ! python3 -c 'import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((sys.argv[1], int(sys.argv[2])))' "$RGW_BIND" "$PORT" 2>/dev/null; then
  echo "start-rgw: port $RGW_BIND:$PORT is already in use" >&2; exit 1
fi
if [ -z "${MON_PORT:-}" ]; then
  MON_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
fi
FSID=$(python3 -c 'import uuid; print(uuid.uuid4())')
CONF="$DIR/ceph.conf"

cat > "$CONF" <<EOF
[global]
fsid = $FSID
mon_host = [v2:127.0.0.1:$MON_PORT]
public_addr = 127.0.0.1
ms_bind_msgr1 = false
ms_bind_ipv6 = false
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
# radosgw hard-codes ms_mon_client_mode=secure as its default; with auth none
# that fails (send_auth_request ... returned -13), so allow crc
ms_mon_client_mode = crc secure
keyring = $DIR/keyring
run_dir = $DIR/run
crash_dir = $DIR/crash
admin_socket = $DIR/run/\$cluster-\$name.asok
log_file = $DIR/log/\$name.log
log_to_stderr = false
err_to_stderr = true
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 0
mon_allow_pool_size_one = true
mon_allow_pool_delete = true
mon_max_pg_per_osd = 1000
mon_warn_on_pool_no_redundancy = false
mon_data_avail_warn = 2
mon_data_avail_crit = 1

[mon]
mon_data = $DIR/mon
mon_initial_members = a

[osd]
osd_data = $DIR/osd
osd_objectstore = memstore
memstore_device_bytes = $MEMSTORE_BYTES
osd_max_object_name_len = 460
osd_max_object_namespace_len = 64

[client]
rgw_data = $DIR/rgw
rgw_frontends = beast endpoint=$RGW_BIND:$PORT
rgw_dns_name = localhost
rgw_enable_usage_log = false
EOF

C="-c $CONF"
ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool "$DIR/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
monmaptool --create --fsid "$FSID" --addv a "[v2:127.0.0.1:$MON_PORT]" "$DIR/monmap" >/dev/null
ceph-mon $C --mkfs -i a --monmap "$DIR/monmap" --keyring "$DIR/keyring" >"$DIR/log/mon-mkfs.out" 2>&1

nohup ceph-mon $C -f -i a >"$DIR/log/mon.out" 2>&1 </dev/null &
echo $! > "$DIR/mon.pid"

# wait for the monitor
for i in $(seq 1 100); do
  ceph $C --connect-timeout 2 mon stat >/dev/null 2>&1 && break
  [ "$i" = 100 ] && { echo "start-rgw: monitor did not come up" >&2; exit 1; }
  sleep 0.2
done

OSD_UUID=$(python3 -c 'import uuid; print(uuid.uuid4())')
OSD_ID=$(ceph $C osd new "$OSD_UUID")
ceph-osd $C -i "$OSD_ID" --mkfs --osd-uuid "$OSD_UUID" >"$DIR/log/osd-mkfs.out" 2>&1
nohup ceph-osd $C -f -i "$OSD_ID" >"$DIR/log/osd.out" 2>&1 </dev/null &
echo $! > "$DIR/osd.pid"

for i in $(seq 1 150); do
  ceph $C osd dump 2>/dev/null | grep -q "^osd.$OSD_ID up" && break
  [ "$i" = 150 ] && { echo "start-rgw: OSD did not come up" >&2; exit 1; }
  sleep 0.2
done

# S3 user (radosgw-admin also creates the default realm/zone and its pools)
radosgw-admin $C user create --uid=stemline-test --display-name="stemline test" \
  --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >"$DIR/log/user-create.out" 2>&1

nohup radosgw $C -f -n client.rgw >"$DIR/log/rgw.out" 2>&1 </dev/null &
echo $! > "$DIR/rgw.pid"

# wait for a signed S3 request (ListBuckets) to succeed; radosgw rejects curl's
# sigv4 unless x-amz-content-sha256 is sent (sha256 of the empty body)
HOSTADDR=$RGW_BIND; [ "$HOSTADDR" = 0.0.0.0 ] && HOSTADDR=127.0.0.1
for i in $(seq 1 300); do
  if curl -fsS -o /dev/null --max-time 2 --aws-sigv4 "aws:amz:us-east-1:s3" \
       --user "$ACCESS_KEY:$SECRET_KEY" \
       -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
       "http://$HOSTADDR:$PORT/" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$(cat "$DIR/rgw.pid")" 2>/dev/null; then
    echo "start-rgw: radosgw died, see $DIR/log/" >&2; tail -20 "$DIR/log/rgw.out" >&2; exit 1
  fi
  [ "$i" = 300 ] && { echo "start-rgw: radosgw not answering" >&2; exit 1; }
  sleep 0.2
done
T1=$(date +%s.%N)
STARTED_OK=1

echo "mon_pid=$(cat "$DIR/mon.pid") osd_pid=$(cat "$DIR/osd.pid") rgw_pid=$(cat "$DIR/rgw.pid")"
echo "endpoint=http://$HOSTADDR:$PORT mon_port=$MON_PORT conf=$CONF"
printf 'ready_after_s=%.1f\n' "$(echo "$T1 - $T0" | bc 2>/dev/null || python3 -c "print($T1-$T0)")"
