"""PlurAlps Atlas: `gunicorn app:server` serves it; `python app.py` runs the development server.

Debug mode only when asked for: `python app.py --debug` or ATLAS_DEBUG=1.
"""

from __future__ import annotations

import os
import sys

from dashboard import BuildError, create_app

try:
    app = create_app()
except BuildError as exc:
    print(f"PlurAlps Atlas cannot start: {exc}", file=sys.stderr)
    raise SystemExit(3) from None
server = app.server

if __name__ == "__main__":
    debug = "--debug" in sys.argv or os.environ.get("ATLAS_DEBUG") == "1"
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8050")), debug=debug)
