"""The one interface a speech recogniser offers the caption worker, and the engine
shipped with it (sherpa-onnx, streaming, fully offline; the model is configuration:
HUB_ASR_MODEL, a folder with encoder/decoder/joiner .onnx files and tokens.txt).

An engine takes mono 16-bit PCM at its `sample_rate` and returns the utterances it
has finished (an utterance ends at a pause, as captions are read line by line)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol


class AsrEngine(Protocol):
    sample_rate: int

    def accept(self, pcm: bytes) -> list[str]:
        """Feed audio; the utterances finished by it (often none)."""
        ...

    def flush(self) -> list[str]:
        """The end of the audio: whatever is still pending."""
        ...


class AsrUnavailable(RuntimeError):
    """No engine can run here (library or model missing): said plainly, never guessed."""


def _one(folder: Path, pattern: str) -> str:
    found = sorted(folder.glob(pattern))
    if not found:
        raise AsrUnavailable(f"{folder}: no {pattern} (a sherpa-onnx streaming transducer model folder)")
    # int8 quantised files run faster on CPUs; take them when the folder has both
    quantised = [p for p in found if ".int8." in p.name]
    return str((quantised or found)[0])


class SherpaOnnxEngine:
    """A streaming transducer (e.g. a zipformer for French) through sherpa-onnx."""

    sample_rate = 16_000

    def __init__(self, model: Path, *, threads: int = 2) -> None:
        try:
            import sherpa_onnx  # type: ignore[import-not-found]
        except ImportError:
            raise AsrUnavailable("sherpa-onnx is not installed: pip install 'multiplex[asr]'") from None
        if not model.is_dir():
            raise AsrUnavailable(f"HUB_ASR_MODEL={model}: not a folder")
        self._recognizer: Any = sherpa_onnx.OnlineRecognizer.from_transducer(
            tokens=str(model / "tokens.txt"), encoder=_one(model, "encoder*.onnx"),
            decoder=_one(model, "decoder*.onnx"), joiner=_one(model, "joiner*.onnx"), num_threads=threads,
            sample_rate=self.sample_rate, feature_dim=80,
            enable_endpoint_detection=True, rule1_min_trailing_silence=2.0, rule2_min_trailing_silence=0.8,
            rule3_min_utterance_length=12)
        self._stream: Any = self._recognizer.create_stream()

    def accept(self, pcm: bytes) -> list[str]:
        import numpy as np  # sherpa-onnx's own dependency
        samples = np.frombuffer(pcm, dtype=np.int16).astype(np.float32) / 32768
        self._stream.accept_waveform(self.sample_rate, samples)
        while self._recognizer.is_ready(self._stream):
            self._recognizer.decode_stream(self._stream)
        if not self._recognizer.is_endpoint(self._stream):
            return []
        text = str(self._recognizer.get_result(self._stream)).strip()
        self._recognizer.reset(self._stream)
        return [text] if text else []

    def flush(self) -> list[str]:
        text = str(self._recognizer.get_result(self._stream)).strip()
        self._recognizer.reset(self._stream)
        return [text] if text else []


def open_engine(model: str) -> AsrEngine:
    if not model:
        raise AsrUnavailable("HUB_ASR_MODEL is not set: no speech recognition (the human captioner still works)")
    return SherpaOnnxEngine(Path(model))
