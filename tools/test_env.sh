#!/usr/bin/env bash
# What `make test` needs besides Python packages: Chromium and a CJK font for the browser tests, and the
# PostgreSQL (127.0.0.1:5432, database `test`) and Redis (127.0.0.1:6379) the live tests talk to.
# Starts what is installed but down, installs what is missing when it can (root with apt-get), and otherwise
# says in one line what to run. Never fails the build by itself: the tests then fail and name what is missing.
set -u

if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "wenquanyi\|noto.*cjk"; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test env: installing chromium and fonts-wqy-zenhei (apt-get)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null
  else
    echo "test env: the browser tests need Chromium and a CJK font: sudo apt-get install chromium fonts-wqy-zenhei" >&2
  fi
fi

if command -v pg_ctlcluster >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "test env: no PostgreSQL at 127.0.0.1:5432 (trust auth, database test): the live tests will fail" >&2
fi

if command -v redis-server >/dev/null 2>&1 && ! (redis-cli -h 127.0.0.1 ping 2>/dev/null | grep -q PONG); then
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
fi
if ! (redis-cli -h 127.0.0.1 ping 2>/dev/null | grep -q PONG); then
  echo "test env: no Redis at 127.0.0.1:6379: the live tests will fail" >&2
fi
exit 0
