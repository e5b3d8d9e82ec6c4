#!/usr/bin/env bash
# Installs, idempotently, what kitsune's tests need: Debian packages for the
# real components and the npm HiveServer2 client. Quick when already there.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v thrift >/dev/null || need+=(thrift-compiler)
command -v node >/dev/null || need+=(nodejs npm)
[ -f /usr/share/java/zookeeper.jar ] || need+=(zookeeper)
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql)
[ -x /usr/sbin/slapd ] || need+=(slapd ldap-utils)
[ -x /usr/sbin/krb5kdc ] || need+=(krb5-kdc krb5-admin-server)
command -v kinit >/dev/null || need+=(krb5-user)
[ -f /usr/include/gssapi/gssapi.h ] || need+=(libkrb5-dev)
command -v chromium >/dev/null || need+=(chromium fonts-dejavu-core)
command -v etcd >/dev/null || need+=(etcd-server)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-test-deps: need root to install: ${need[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# npm hive-driver and @databricks/sql, pinned by test/node/package-lock.json.
if [ ! -d test/node/node_modules/hive-driver ] || [ ! -d test/node/node_modules/@databricks/sql ]; then
  # npm ci refuses this lock file: @databricks/sql 2.1.0 names an optional
  # platform package that the registry does not serve (win32-x64); npm
  # install with the same lock installs the pinned versions and keeps it.
  (cd test/node && npm install --no-audit --no-fund --no-save --loglevel=error)
fi
