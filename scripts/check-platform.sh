#!/usr/bin/env sh
# Stop early, with the reason, on a platform the lock files do not fit.
# requirements/rasa.lock pins tensorflow==2.12.0 and tensorflow-text==2.12.0, whose
# wheels exist for Linux x86_64; Rasa 3.6 itself needs other packages elsewhere
# (tensorflow-macos on Apple Silicon, tensorflow-cpu-aws on Linux aarch64, no
# tensorflow-text on either). Only Linux x86_64 is installed and tested.
# SETUP_ANY_PLATFORM=1 skips this check (at your own risk).
set -u
os=$(uname -s)
machine=$(uname -m)
case "$os/$machine" in
    Linux/x86_64|Linux/amd64) exit 0 ;;
esac
if [ "${SETUP_ANY_PLATFORM:-0}" = "1" ]; then
    echo "warning: $os $machine is not supported; continuing because SETUP_ANY_PLATFORM=1" >&2
    exit 0
fi
cat >&2 <<MSG
error: this set-up supports Linux on x86_64 only, and this machine is $os $machine.
  The lock files (requirements/*.lock) pin tensorflow 2.12.0 and tensorflow-text 2.12.0
  for Linux x86_64; Rasa 3.6 needs other TensorFlow packages on $os $machine.
  Run the assistant in a Linux x86_64 machine or container (e.g. Docker with
  --platform linux/amd64), or set SETUP_ANY_PLATFORM=1 to try anyway.
MSG
exit 1
