#!/bin/sh
# Run a command on a machine with no network but loopback: a new network namespace in
# which only `lo` exists (needs root, unshare and ip). JupyterLab, its kernels and Chromium
# then cannot reach the internet at all, whatever they try; the test itself also aborts
# and reports every browser request that leaves loopback.
# Where a namespace cannot be made (not root, in some containers), the command runs as is.
if unshare --net true 2>/dev/null && command -v ip >/dev/null 2>&1; then
    echo "offline.sh: running in a network namespace with loopback only (no internet)"
    exec unshare --net sh -c 'ip link set lo up && exec "$@"' sh "$@"
fi
echo "offline.sh: cannot make a network namespace (needs root, unshare and ip); running" \
    "with the network. The browser still blocks every request outside loopback." >&2
exec "$@"
