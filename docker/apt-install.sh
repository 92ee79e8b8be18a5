#!/bin/sh
# Install Debian packages in an image build, leaving nothing of apt behind.
set -eu
# A minimal base has no policy-rc.d: without one a package's postinst starts its service (nginx
# on port 80, a PostgreSQL cluster) inside the build, on the host's network. A base that has
# its own keeps it.
policy=/usr/sbin/policy-rc.d
if [ ! -e "${policy}" ]; then
    printf '#!/bin/sh\nexit 101\n' > "${policy}"
    chmod 755 "${policy}"
    trap 'rm -f "${policy}"' EXIT
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "$@"
apt-get clean
rm -rf /var/lib/apt/lists/*
