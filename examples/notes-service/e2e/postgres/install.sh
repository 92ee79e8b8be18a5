#!/bin/sh
# Install PostgreSQL $1 (a major version: 15) from Debian in the image build: start nothing,
# leave no cluster and nothing of apt behind. (After staged-release's apt-install.sh.)
set -eu
major=$1
# A minimal base has no policy-rc.d: without one the package's postinst would start a cluster
# inside the build, on the host's network. A base that has its own keeps it.
policy=/usr/sbin/policy-rc.d
if [ ! -e "${policy}" ]; then
    printf '#!/bin/sh\nexit 101\n' > "${policy}"
    chmod 755 "${policy}"
    trap 'rm -f "${policy}"' EXIT
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# postgresql-common first, to tell it not to create the `main` cluster when the server is
# installed: every container initialises its own (entrypoint.sh), so it would be dead weight.
apt-get install -y -qq --no-install-recommends postgresql-common
sed -i 's/^#* *create_main_cluster *=.*/create_main_cluster = false/' \
    /etc/postgresql-common/createcluster.conf
grep -q '^create_main_cluster = false$' /etc/postgresql-common/createcluster.conf
apt-get install -y -qq --no-install-recommends "postgresql-${major}"
# The socket directory (tmpfiles.d makes it at boot, and a container does not boot).
install -d -o postgres -g postgres -m 2775 /var/run/postgresql
apt-get clean
rm -rf /var/lib/apt/lists/*
