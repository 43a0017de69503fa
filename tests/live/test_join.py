"""Joining, without a server: hello -> actor -> audience -> welcome."""
import pytest

from hub.domain.actors import Actor, Role
from hub.domain.errors import DomainError
from hub.live import join
from hub.live.protocol import Hello, JoinSite
from hub.security import access

from ..domain.helpers import make_config

SECRET = "join-test-secret-0123456789"
CONFIG = make_config()


def hello(**kw) -> Hello:
    return Hello(pid="pid-12345678", **kw)


def test_plain_hello_is_a_remote_viewer_seeing_public():
    actor = join.authenticate(CONFIG, SECRET, hello(), 0)
    assert (actor.role, actor.origin, join.audience_of(actor)) == (Role.VIEWER, "remote", "public")


def test_site_code_makes_an_on_site_participant():
    code = access.join_code(SECRET, CONFIG.id, "reims")
    actor = join.authenticate(CONFIG, SECRET, hello(join=JoinSite(site="reims", code=code)), 0)
    assert (actor.role, actor.origin, join.audience_of(actor)) == (Role.PARTICIPANT, "reims", "track:reims")
    with pytest.raises(DomainError) as err:
        join.authenticate(CONFIG, SECRET, hello(join=JoinSite(site="paris", code=code)), 0)
    assert err.value.code == "site.not_found"


def test_coordinator_link_gives_the_site_audience_and_join_code():
    token = access.sign(SECRET, CONFIG.id, Role.COORDINATOR, "nancy", 100)
    actor = join.authenticate(CONFIG, SECRET, hello(token=token), 50)
    assert join.audience_of(actor) == "site:nancy"
    body = join.welcome(CONFIG, SECRET, actor, "node-1")
    assert body.join_code == access.join_code(SECRET, CONFIG.id, "nancy") and body.origin == "nancy"


def test_moderator_sees_everything_and_a_screen_sees_its_sites_track():
    mod = join.authenticate(CONFIG, SECRET, hello(token=access.sign(SECRET, CONFIG.id, Role.MODERATOR, None, 9)), 0)
    screen = join.authenticate(CONFIG, SECRET, hello(token=access.sign(SECRET, CONFIG.id, Role.SCREEN, "metz", 9)), 0)
    assert join.audience_of(mod) == "mod" and join.audience_of(screen) == "track:metz"
    assert join.welcome(CONFIG, SECRET, mod, "n").join_code is None


def test_presence_counts_people_not_screens_or_the_control_room():
    assert [join.counts_in_presence(Actor(role=r, pid="p", site="metz")) for r in Role] == \
        [r in (Role.VIEWER, Role.PARTICIPANT, Role.COORDINATOR) for r in Role]


def test_other_protocol_version_is_refused():
    with pytest.raises(DomainError) as err:
        join.authenticate(CONFIG, SECRET, hello(proto=2), 0)
    assert err.value.code == "hello.version"


def test_a_remote_viewer_follows_a_sites_track_or_the_program():
    viewer = join.authenticate(CONFIG, SECRET, hello(follow="reims"), 0)
    assert join.audience_of(viewer, "reims") == "track:reims" and join.audience_of(viewer) == "public"
    with pytest.raises(DomainError) as refused:
        join.authenticate(CONFIG, SECRET, hello(follow="atlantis"), 0)
    assert refused.value.code == "site.not_found"


def test_a_category_must_be_one_of_the_events():
    assert join.authenticate(CONFIG, SECRET, hello(category="enseignant"), 0).category == "enseignant"
    with pytest.raises(DomainError) as refused:
        join.authenticate(CONFIG, SECRET, hello(category="astronaute"), 0)
    assert refused.value.code == "category.unknown"
