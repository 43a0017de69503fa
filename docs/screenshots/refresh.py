"""Copy the screenshots the browser tests took (test-artifacts/screenshots) into
docs/screenshots, downsized to 1280 px wide and reduced to 256 colours so the repository
stays light: `make docs-screenshots` after `make test`. The README links to them."""
from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"
HERE = Path(__file__).resolve().parent

# name in docs/screenshots -> what a test saved
PICKS = {
    "screen-join": "screen-join-1920x1080-fr.png",
    "screen-question": "screen-question-1920x1080-fr.png",
    "screen-poll": "screen-poll-1920x1080-fr.png",
    "screen-poll-sites": "screen-poll-sites-1920x1080-en.png",
    "screen-proposals": "screen-proposals-1920x1080-fr.png",
    "screen-wall": "screen-wall-1920x1080-fr.png",
    "screen-program": "screen-program-1920x1080-fr.png",
    "screen-program-loading": "screen-program-loading-fr.png",
    "screen-sites": "screen-sites-en.png",
    "screen-pause": "screen-pause-1920x1080-fr.png",
    "screen-captions": "screen-captions-1280x720-fr.png",
    "viewer-desktop": "page-viewer-1920x1080-fr.png",
    "viewer-phone": "page-viewer-390x844-fr.png",
    "viewer-phone-questions": "phone-questions-fr.png",
    "viewer-phone-poll": "phone-poll-en.png",
    "regie": "page-moderate-1920x1080-fr.png",
    "regie-1280": "page-moderate-1280x720-en.png",
    "site": "page-site-1920x1080-fr.png",
    "site-camera-on-air": "site-camera-on-air-fr.png",
    "door-phone": "morning-door-phone.png",
    "caption": "page-caption-1920x1080-fr.png",
    "report": "page-report-1920x1080-fr.png",
    "replay": "page-replay-1920x1080-en.png",
    "failure-expired-phone": "failure-auth.expired-390-fr.png",
    "failure-unknown-event": "failure-event.unknown-1366-en.png",
}


def main() -> int:
    missing = [shot for shot in PICKS.values() if not (SHOTS / shot).exists()]
    if missing:
        print("run `make test` first; missing:", ", ".join(missing), file=sys.stderr)
        return 1
    for name, shot in PICKS.items():
        image = Image.open(SHOTS / shot).convert("RGB")
        if image.width > 1280:
            image = image.resize((1280, round(image.height * 1280 / image.width)), Image.LANCZOS)
        if image.height > 2400:  # a whole phone page: its first screens
            image = image.crop((0, 0, image.width, 2400))
        image.quantize(256).save(HERE / f"{name}.png", optimize=True)
    print(f"{len(PICKS)} screenshots in {HERE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
