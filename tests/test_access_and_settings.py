import re
import subprocess
import sys
from pathlib import Path

import pytest

from hub.domain.actors import Role
from hub.domain.errors import DomainError
from hub.security import access
from hub.security.ratelimit import RateLimiter
from hub.settings import NAMES, SettingsError, from_env

ROOT = Path(__file__).resolve().parents[1]
SECRET = "0123456789abcdef-secret"


def test_role_link_round_trip_and_event_binding():
    token = access.sign(SECRET, "ev", Role.COORDINATOR, "nancy", 2_000)
    assert access.verify(SECRET, token, "ev", 1_000) == access.Grant(Role.COORDINATOR, "nancy")
    with pytest.raises(DomainError, match="another event") as err:
        access.verify(SECRET, token, "other", 1_000)
    assert err.value.code == "auth.invalid"


@pytest.mark.parametrize("mutate", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature changed
    lambda t: "e30" + t[3:],                             # payload changed
    lambda t: t.split(".")[0],                           # no signature
    lambda t: "not a token",
])
def test_tampered_links_are_invalid(mutate):
    token = access.sign(SECRET, "ev", Role.MODERATOR, None, 2_000)
    with pytest.raises(DomainError) as err:
        access.verify(SECRET, mutate(token), "ev", 1_000)
    assert err.value.code == "auth.invalid"


def test_expired_and_rotated_links():
    token = access.sign(SECRET, "ev", Role.SCREEN, "metz", 2_000)
    with pytest.raises(DomainError) as err:
        access.verify(SECRET, token, "ev", 2_001)
    assert err.value.code == "auth.expired"
    with pytest.raises(DomainError) as err:
        access.verify("a-completely-new-secret", token, "ev", 1_000)
    assert err.value.code == "auth.invalid"


def test_join_codes_are_short_readable_and_per_site():
    a, b = access.join_code(SECRET, "ev", "nancy"), access.join_code(SECRET, "ev", "reims")
    assert a != b and re.fullmatch(r"[A-HJ-NP-Z2-9]{6}", a)
    access.check_join_code(SECRET, "ev", "nancy", a.lower())  # case does not matter
    with pytest.raises(DomainError):
        access.check_join_code(SECRET, "ev", "nancy", b)


def test_sign_refuses_inconsistent_claims():
    with pytest.raises(ValueError):
        access.sign(SECRET, "ev", Role.VIEWER, None, 1)
    with pytest.raises(ValueError):
        access.sign(SECRET, "ev", Role.COORDINATOR, None, 1)


def test_token_bucket_allows_burst_then_refills():
    limiter = RateLimiter(3, 60.0)
    assert [limiter.allow("p", 0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.allow("p", 0.0)
    assert wait == pytest.approx(20.0)
    assert limiter.allow("p", 20.0) == 0.0
    assert limiter.allow("other", 0.0) == 0.0


def test_every_setting_is_in_hub_env_example():
    example = (ROOT / "config" / "hub.env.example").read_text()
    documented = set(re.findall(r"^HUB_([A-Z0-9_]+)=", example, re.M))
    assert documented == {n.upper() for n in NAMES}


def test_settings_from_env_and_errors():
    s = from_env({"HUB_PORT": "9001", "HUB_LOG_URL": "redis://x:1/0", "HUB_SLOW_CLIENT_GRACE_S": "2.5"})
    assert (s.port, s.log_url, s.slow_client_grace_s) == (9001, "redis://x:1/0", 2.5)
    with pytest.raises(SettingsError):
        from_env({"HUB_PORT": "eighty"})
    with pytest.raises(SettingsError):
        from_env({"HUB_SECRET": "short"})


def test_cli_links_prints_every_role(tmp_path):
    env = {"HUB_SECRET": SECRET, "HUB_DATA_DIR": str(tmp_path), "HUB_PUBLIC_URL": "https://hub.example.org",
           "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-m", "hub.cli", "links", "esenesr-20ans-2017"], env=env, cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    code = access.join_code(SECRET, "esenesr-20ans-2017", "poitiers")
    assert "https://hub.example.org/e/esenesr-20ans-2017\n" in out
    assert f"/join/poitiers?code={code}" in out
    for path in ("/site/poitiers#token=", "/screen/poitiers#token=", "/moderate#token=", "/caption#token="):
        assert path in out
    token = out.split("/moderate#token=")[1].split()[0]
    assert access.verify(SECRET, token, "esenesr-20ans-2017", 0).role is Role.MODERATOR
    captioner = out.split("/caption#token=")[1].split()[0]
    assert access.verify(SECRET, captioner, "esenesr-20ans-2017", 0).role is Role.CAPTIONER


def test_cli_check_config_and_unknown_event(tmp_path):
    env = {"HUB_SECRET": SECRET, "HUB_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    ok = subprocess.run([sys.executable, "-m", "hub.cli", "check-config"], env=env, cwd=ROOT, capture_output=True,
                        text=True)
    assert ok.returncode == 0 and "grand-est-2020: 7 sites" in ok.stdout
    bad = subprocess.run([sys.executable, "-m", "hub.cli", "links", "nope"], env=env, cwd=ROOT,
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "no event 'nope'" in bad.stderr
    # speech recognition without a model: refused at start, saying why (never a silent worker)
    asr = subprocess.run([sys.executable, "-m", "hub.cli", "asr", "grand-est-2020"], env=env, cwd=ROOT,
                         capture_output=True, text=True)
    assert asr.returncode == 2 and "HUB_ASR_MODEL is not set" in asr.stderr


def test_hub_env_file_is_read_and_the_environment_wins(tmp_path):
    env_file = tmp_path / "hub.env"
    env_file.write_text("# a comment\n\nHUB_PORT=9100\nexport HUB_PUBLIC_URL='https://hub.example.org'\n"
                        "HUB_LOG_URL=redis://file:1/0\n")
    s = from_env({"HUB_LOG_URL": "redis://env:1/0"}, env_file=env_file)
    assert (s.port, s.public_url, s.log_url) == (9100, "https://hub.example.org", "redis://env:1/0")
    assert from_env({}, env_file=tmp_path / "missing.env").port == 8000
    env_file.write_text("HUB_PROT=1\n")
    with pytest.raises(SettingsError, match="unknown setting HUB_PROT"):
        from_env({}, env_file=env_file)
    env_file.write_text("just words\n")
    with pytest.raises(SettingsError, match="hub.env:1"):
        from_env({}, env_file=env_file)


def test_cli_reads_hub_env_where_it_is_started(tmp_path):
    (tmp_path / "hub.env").write_text(f"HUB_SECRET={SECRET}\nHUB_PUBLIC_URL=https://from-the-file.example.org\n"
                                      f"HUB_DATA_DIR={tmp_path / 'data'}\n")
    out = subprocess.run([sys.executable, "-m", "hub.cli", "links", "grand-est-2020"], cwd=tmp_path,
                         env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, check=True).stdout
    assert "https://from-the-file.example.org/e/grand-est-2020" in out


def test_every_setting_is_read_from_its_own_hub_name_with_its_own_type():
    """Each field of Settings is one HUB_* variable, read as its default's type."""
    from dataclasses import fields

    from hub.settings import Settings
    for f in fields(Settings):
        if f.name in ("secret", "node_id"):
            continue
        default = getattr(Settings(), f.name)
        read = from_env({f"HUB_{f.name.upper()}": str(default)}) if str(default) else None
        if read is not None:
            assert getattr(read, f.name) == default and type(getattr(read, f.name)) is type(default), f.name
