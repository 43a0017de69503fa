"""Speech recognition for captions: the worker listens to the program like a viewer
(WHEP, sound only), feeds an engine, and writes what it recognises as caption lines
(source "asr") that every client gets. The pipeline runs here with a stand-in engine
that "recognises" the sound's loudness; the real engine (sherpa-onnx) needs a model
file, which no test can download: its test runs only where one is given."""
from __future__ import annotations

import array
import asyncio
import os

import httpx
import pytest

from hub.asr.engine import AsrUnavailable, open_engine
from hub.asr.worker import CaptionWorker
from hub.domain.actors import Role

from .hubserver import EVENT, SECRET, HubServer
from .media.peers import RED, publish_over_whip
from .support import until


class LoudnessEngine:
    """Says "son entendu" for each second of sound, "silence" for each second of silence."""

    sample_rate = 16_000

    def __init__(self) -> None:
        self.samples = 0
        self.loud = 0

    def accept(self, pcm: bytes) -> list[str]:
        values = array.array("h", pcm)
        self.samples += len(values)
        self.loud += sum(1 for v in values if abs(v) > 1000)
        if self.samples < self.sample_rate:
            return []
        said = "son entendu" if self.loud > self.samples // 4 else "silence"
        self.samples = self.loud = 0
        return [said]

    def flush(self) -> list[str]:
        return []


async def test_the_worker_turns_the_programs_sound_into_caption_lines(tmp_path):
    hub = HubServer(tmp_path / "data")
    await hub.start()
    worker_task = None
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{hub.settings.port}", timeout=20) as http, \
                hub.moderator() as mod, hub.viewer() as viewer:
            pc = await publish_over_whip(http, hub.token(Role.COORDINATOR, "nancy"), EVENT, "nancy", RED, 440)
            await mod.command({"type": "stage.on_air", "site": "nancy"})
            worker = CaptionWorker(f"http://127.0.0.1:{hub.settings.port}", EVENT, SECRET, LoudnessEngine())
            worker_task = asyncio.create_task(worker.run())
            await until(lambda: any(line["source"] == "asr" and line["text"] == "son entendu"
                                    for line in (viewer.state or {}).get("captions", [])),
                        timeout=20, what="a recognised line at the viewer")
            assert worker.heard > 0
            await pc.close()
    finally:
        if worker_task is not None:
            worker_task.cancel()
            await asyncio.gather(worker_task, return_exceptions=True)
        await hub.stop()


def test_without_a_model_the_engine_says_why():
    with pytest.raises(AsrUnavailable, match="HUB_ASR_MODEL is not set"):
        open_engine("")
    with pytest.raises(AsrUnavailable):
        open_engine("/nonexistent/model")


MODEL = os.environ.get("HUB_ASR_TEST_MODEL", "")
SPEECH = os.environ.get("HUB_ASR_TEST_WAV", "")


@pytest.mark.skipif(not (MODEL and SPEECH), reason="no speech-recognition model here: set HUB_ASR_TEST_MODEL to a "
                    "sherpa-onnx streaming transducer folder and HUB_ASR_TEST_WAV to a 16 kHz mono WAV of speech "
                    "(tests cannot download models)")
def test_the_real_engine_recognises_speech():
    import wave
    engine = open_engine(MODEL)
    with wave.open(SPEECH) as wav:
        assert wav.getframerate() == 16_000 and wav.getnchannels() == 1
        pcm = wav.readframes(wav.getnframes())
    said = engine.accept(pcm) + engine.accept(bytes(16_000 * 2 * 3)) + engine.flush()  # then 3 s of silence
    assert any(text.strip() for text in said), said
