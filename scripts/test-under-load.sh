#!/usr/bin/env bash
# Runs the test command with the machine's other cores busy, as a CI runner or a shared laptop
# is: starts one CPU hog per core but one (at least one; HOGS=N overrides), runs the tests, then
# ends exactly the hogs it started, by PID, whatever happened.
#
#   scripts/test-under-load.sh                              the whole suite (npm test)
#   scripts/test-under-load.sh test/lab-server/sshd-interop.test.ts   only these paths
#
# Exit status: the tests'. Hogs are bounded in time too (HOG_SECONDS, default 1800).
set -u
cd "$(dirname "$0")/.."
cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
hogs=${HOGS:-$(( cores > 1 ? cores - 1 : 1 ))}
limit=${HOG_SECONDS:-1800}
pids=()
stop_hogs() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  pids=()
}
trap stop_hogs EXIT
trap 'stop_hogs; exit 130' INT TERM
for _ in $(seq 1 "$hogs"); do
  # A busy loop that also ends by itself after $limit seconds.
  node -e "const end = Date.now() + ${limit} * 1000; while (Date.now() < end) {}" &
  pids+=("$!")
done
echo "test-under-load: ${#pids[@]} CPU hog(s) running (pids ${pids[*]}) on ${cores} core(s)" >&2
if [ "$#" -eq 0 ]; then
  npm test
else
  node --experimental-vm-modules --disable-warning=ExperimentalWarning node_modules/jest/bin/jest.js "$@" --maxWorkers=1
fi
status=$?
stop_hogs
exit "$status"
