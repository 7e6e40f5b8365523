#!/usr/bin/env bash
# The project's test command (README): unit + integration tests, then TiTiler conformance against a live server.
# Needs python3 with numpy + pillow (installed here if missing) and ../shared/conformance beside the repo.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -c "import numpy, PIL" 2>/dev/null || python3 -m pip install -q numpy pillow
python3 -c "import moto" 2>/dev/null || python3 -m pip install -q "moto[server]" boto3

cargo test --locked --all-targets
