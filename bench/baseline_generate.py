#!/usr/bin/env python3
"""The Python baseline of `hermes generate --json` for the bench: the same xAI-shaped POST, the download of the
image URL it answers with, the file written to disk and one JSON line printed. Only the standard library and
`requests` (what this machine has installed; PyPI is not reachable here, so no other package is used).

usage: baseline_generate.py <api base, e.g. http://127.0.0.1:5000/fast/v1> <output folder>
Exit code 0 when the image was saved, 1 otherwise (a failed download counts as a failure in the bench)."""

import json
import os
import sys
import uuid

import requests


def main() -> int:
    api_base, folder = sys.argv[1], sys.argv[2]
    key = os.environ.get("XAI_API_KEY", "bench")
    with requests.Session() as session:
        answer = session.post(
            api_base + "/images/generations",
            headers={"Authorization": "Bearer " + key},
            json={"model": "grok-imagine-image", "prompt": "bench", "n": 1},
            timeout=60,
        )
        answer.raise_for_status()
        url = answer.json()["data"][0]["url"]
        image = session.get(url, timeout=60)
        image.raise_for_status()
        body = image.content
        # The same check Hermes makes before keeping bytes: an image's magic number.
        if not body.startswith(b"\x89PNG\r\n\x1a\n"):
            print(json.dumps({"success": False, "error": "not an image"}))
            return 1
        path = os.path.join(folder, uuid.uuid4().hex + ".png")
        with open(path, "wb") as out:
            out.write(body)
    print(json.dumps({"success": True, "image": path, "bytes": len(body)}))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (requests.RequestException, KeyError, ValueError) as error:
        print(json.dumps({"success": False, "error": str(error)}))
        sys.exit(1)
