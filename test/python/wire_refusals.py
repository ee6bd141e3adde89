"""POSTs a large body N times with httpx and prints the statuses it saw (JSON), or the error names.

Used by test/integration/bridge-wire-limits.test.ts: a refusal the bridge sends while the client is
still uploading must reach httpx as the status, not as a broken pipe or a reset.
Usage: wire_refusals.py URL COUNT BODY_FILE HEADERS_JSON
"""

import json
import sys

import httpx


def main() -> None:
    url, count, headers = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[4])
    with open(sys.argv[3], "rb") as file:
        body = file.read()
    seen = []
    with httpx.Client(timeout=30) as client:
        for _ in range(count):
            try:
                seen.append(client.post(url, content=body, headers=headers).status_code)
            except httpx.HTTPError as err:
                seen.append(type(err).__name__)
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
