"""Open proposals under themes, pre-moderated by the filer's site (remote: the control
room), upvoted across sites, broken down by site and by self-declared category."""
from hub.domain import commands as c
from hub.domain import views
from hub.domain.actors import Actor, Role
from hub.domain.commands import PollKind

from .helpers import MOD, REMOTE_VIEWER, World, coordinator, make_config, participant

THEMES = [{"id": "acces", "title": "Garantir un égal accès au numérique"},
          {"id": "gouvernance", "title": "Nouvelles formes de gouvernance"}]


def world() -> World:
    return World(make_config(themes=THEMES))


def teacher(site: str, n: int = 1) -> Actor:
    return Actor(role=Role.PARTICIPANT, pid=f"{site}-t{n}", site=site, category="enseignant")


def parent_remote(n: int = 1) -> Actor:
    return Actor(role=Role.VIEWER, pid=f"parent-{n}", category="parent")


def test_anyone_files_a_proposal_under_a_theme_and_it_waits_for_moderation():
    w = world()
    filed = w.ok(teacher("reims"), c.SubmitProposal(theme="acces", title="Un ordinateur par élève en REP",
                                                    body="Prêt à l'année"))
    assert filed["state"] == "pending"
    pid = filed["post"]
    assert views.render(w.state, w.config, ("post", pid), "public") is None
    mine = views.mine(w.state, "reims-t1")["proposals"]
    assert mine == [{"id": pid, "title": "Un ordinateur par élève en REP", "theme": "acces", "state": "pending"}]
    seen_by_reims = views.render(w.state, w.config, ("post", pid), "site:reims")
    assert seen_by_reims["theme"] == "acces" and seen_by_reims["open"] and seen_by_reims["category"] == "enseignant"
    assert "reims-t1" not in str(seen_by_reims), "the filer's participant id is never shown"
    assert w.refused(teacher("reims"), c.SubmitProposal(theme="nope", title="x")) == "proposal.theme"
    assert w.refused(teacher("reims"), c.SubmitProposal(theme="acces", title="  ")) == "proposal.title.empty"


def test_the_filers_site_moderates_it_and_the_control_room_moderates_remote_ones():
    w = world()
    from_reims = w.ok(teacher("reims"), c.SubmitProposal(theme="acces", title="A"))["post"]
    remote = w.ok(parent_remote(), c.SubmitProposal(theme="gouvernance", title="B"))["post"]
    assert w.refused(coordinator("nancy"), c.ApproveContribution(post=from_reims)) == "auth.other_site"
    assert w.refused(coordinator("reims"), c.ApproveContribution(post=remote)) == "auth.other_site"
    assert w.refused(participant("reims"), c.ApproveContribution(post=from_reims)) == "auth.forbidden"
    w.ok(coordinator("reims"), c.ApproveContribution(post=from_reims))
    w.ok(MOD, c.RejectContribution(post=remote))
    assert views.render(w.state, w.config, ("post", from_reims), "public")["state"] == "published"
    assert views.render(w.state, w.config, ("post", remote), "public") is None
    # a site's own contribution stays the control room's to validate
    own = w.ok(coordinator("reims"), c.Contribute(kind=c.ContributionKind.PROPOSAL, title="Des tiers-lieux",
                                                  body="Ouverts le soir"))["post"]
    assert w.refused(coordinator("reims"), c.ApproveContribution(post=own)) == "auth.forbidden"


def test_upvotes_break_down_by_site_and_by_category():
    w = world()
    pid = w.ok(teacher("reims"), c.SubmitProposal(theme="acces", title="A"))["post"]
    w.ok(coordinator("reims"), c.ApproveContribution(post=pid))
    for voter in (teacher("nancy", 1), teacher("nancy", 2), participant("reims"), parent_remote()):
        w.ok(voter, c.UpvoteProposal(post=pid))
    w.ok(teacher("nancy", 2), c.WithdrawProposalUpvote(post=pid))
    shown = views.render(w.state, w.config, ("post", pid), "public")
    assert shown["votes"] == 3
    assert shown["votes_by_site"] == {"nancy": 1, "reims": 1, "remote": 1}
    assert shown["votes_by_category"] == {"enseignant": 1, "non_renseigne": 1, "parent": 1}


def test_ballots_break_down_by_category_too():
    w = world()
    poll = w.ok(MOD, c.CreatePoll(question="?", kind=PollKind.SINGLE, options=["a", "b"]))["poll"]
    w.ok(MOD, c.OpenPoll(poll=poll))
    w.ok(teacher("nancy"), c.Vote(poll=poll, choices=[0]))
    w.ok(parent_remote(), c.Vote(poll=poll, choices=[1]))
    w.ok(participant("reims"), c.Vote(poll=poll, choices=[1]))
    tally = views.render(w.state, w.config, ("tally", poll), "mod")
    assert tally["ballots_by_category"] == {"enseignant": 1, "non_renseigne": 1, "parent": 1}
    assert tally["counts_by_category"] == {"enseignant": [1, 0], "non_renseigne": [0, 1], "parent": [0, 1]}


def test_events_declare_unique_themes():
    import pytest

    from hub.domain.event import ConfigError
    with pytest.raises(ConfigError):
        make_config(themes=[{"id": "a", "title": "A"}, {"id": "a", "title": "B"}])
    assert REMOTE_VIEWER.category is None and REMOTE_VIEWER.category_key == "non_renseigne"


def test_a_sites_own_proposal_may_name_a_theme_which_must_exist_and_only_a_proposal_has_one():
    w = world()
    own = w.ok(coordinator("reims"), c.Contribute(kind=c.ContributionKind.PROPOSAL, title="Des tiers-lieux",
                                                  body="Ouverts le soir", theme="acces"))["post"]
    w.ok(MOD, c.ApproveContribution(post=own))
    assert views.render(w.state, w.config, ("post", own), "public")["theme"] == "acces"
    before = len(w.state.feed.posts)
    assert w.refused(coordinator("reims"), c.Contribute(kind=c.ContributionKind.PROPOSAL, title="X", body="Y",
                                                        theme="nowhere")) == "proposal.theme"
    assert w.refused(coordinator("reims"), c.Contribute(kind=c.ContributionKind.QUOTE, body="« Oser »",
                                                        theme="acces")) == "contribution.theme"
    assert len(w.state.feed.posts) == before
