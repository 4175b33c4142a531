# The Node every script runs on (sourced by lib.sh, which sets LOCAL, log and die first).
# The project runs on Node 24 LTS (package.json "engines"). When the machine's node is older, a
# pinned Node is installed from the npm registry (package node-linux-<arch>: the official build,
# the binary alone) into .local/node/<version>, and its bin goes first on PATH: node, and npm and
# npx (whose `#!/usr/bin/env node` finds it there), and all they start run on it.
NODE_MIN_MAJOR=24
NODE_PINNED=24.22.3

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
  local dir="$LOCAL/node/$NODE_PINNED"
  # A machine with Node 24 or newer keeps its own; so does a script started by another script.
  if [ "$(node_major)" -ge "$NODE_MIN_MAJOR" ]; then return 0; fi
  [ -x "$dir/bin/node" ] || install_node "$dir"
  export PATH="$dir/bin:$PATH"
}

install_node() {
  local dir="$1" arch tmp started
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64) arch=arm64 ;;
    *) die "Node $NODE_MIN_MAJOR or newer is needed; the npm registry has no Node package for $(uname -m)" ;;
  esac
  command -v npm >/dev/null || die "Node $NODE_MIN_MAJOR or newer is needed, and there is no npm to install it with"
  log "installing Node $NODE_PINNED (npm package node-linux-$arch, a 50 MB download) into .local/node (the machine's is $(node --version 2>/dev/null || echo missing))"
  started=$(date +%s)
  mkdir -p "$LOCAL/node"
  tmp="$(mktemp -d "$LOCAL/node/.install.XXXXXX")"
  # npm pack checks the tarball against the registry's integrity hash.
  if ! (cd "$tmp" && npm pack --silent --loglevel=error "node-linux-$arch@$NODE_PINNED" >/dev/null && tar -xzf node-linux-*.tgz); then
    rm -rf "$tmp"; die "could not download Node $NODE_PINNED from the npm registry"
  fi
  "$tmp/package/bin/node" --version >/dev/null || { rm -rf "$tmp"; die "the downloaded Node $NODE_PINNED does not run here"; }
  # One rename: a script starting meanwhile sees no Node or a whole one (if another install
  # won the race, its copy stays).
  mv -T "$tmp/package" "$dir" 2>/dev/null || true
  rm -rf "$tmp"
  # Versions pinned before (processes still running on one keep it until they exit).
  find "$LOCAL/node" -mindepth 1 -maxdepth 1 ! -name "$NODE_PINNED" ! -name current ! -name '.install.*' -exec rm -rf {} +
  # A fixed path to put on PATH by hand: export PATH="$PWD/.local/node/current/bin:$PATH"
  ln -sfn "$NODE_PINNED" "$LOCAL/node/current"
  log "Node $("$dir/bin/node" --version) installed in $(($(date +%s) - started))s"
}

ensure_node
