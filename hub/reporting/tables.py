"""The report's figures as named tables: the same rows for the page, CSV and XLSX."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

REMOTE_LABEL = {"fr": "À distance", "en": "Remote"}


@dataclass(frozen=True)
class Table:
    name: str              # file-safe: the CSV's name, the sheet's name
    title: str
    headers: list[str]
    rows: list[list[Any]]


def local_time(figures: dict[str, Any], at: int | None) -> str:
    if at is None:
        return ""
    zone = ZoneInfo(figures["event"]["timezone"])
    return dt.datetime.fromtimestamp(at / 1000, zone).strftime("%Y-%m-%d %H:%M")


def _site(figures: dict[str, Any], origin: str) -> str:
    return figures["event"]["sites"].get(origin) or REMOTE_LABEL["fr"]


def tables(f: dict[str, Any]) -> list[Table]:
    att, peak = f["attendance"], f["peak"]
    origins = list(att["by_site"])
    site_names = [_site(f, o) for o in origins]
    out = [
        Table("chiffres_cles", "Chiffres clés", ["indicateur", "valeur"], [
            ["Personnes dans les salles", f["people"]["in_rooms"]],
            ["Enregistrées à l'entrée", f["people"]["checked_in"]],
            ["Présents sur les sites", att["present_on_sites"]],
            ["Participants à distance", att["remote"]],
            ["Pic de connexions simultanées", peak["total"]],
            ["Heure du pic", local_time(f, peak["at"])],
            ["Spectateurs de la vidéo (distincts)", f["stream"]["watchers"]],
            ["Pic de spectateurs simultanés", f["stream"]["peak"]],
            ["Questions posées", f["questions"]["asked"]],
            ["Questions répondues", f["questions"]["answered"]],
            ["Votes aux sondages", sum(p["ballots"] for p in f["polls"])],
            ["Propositions publiées", len(f["proposals"])],
            ["Soutiens aux propositions", sum(p["votes"] for p in f["proposals"])],
            ["Live-tweets", f["live_posts"]],
            ["Réactions", f["reactions"]["total"]],
            ["Messages avec le mot-dièse sur les réseaux", f["social"]["total"]],
        ]),
        Table("reseaux_par_heure", "Messages avec le mot-dièse sur les réseaux, par heure",
              ["réseau", "heure", "messages"],
              [[network, local_time(f, int(hour)), n] for network, by in f["social"]["by_network"].items()
               for hour, n in by["per_hour"].items()]),
        Table("video_par_mode", "Spectateurs de la vidéo par mode de réception",
              ["mode", "spectateurs (distincts)"],
              [[_way(w), n] for w, n in f["stream"].get("by_way", {}).items()]),
        Table("presence_par_site", "Présence par site",
              ["site", "présents (distincts)", "pic simultané", "heure du pic"],
              [[_site(f, o), att["by_site"][o], peak["by_site"].get(o, 0),
                local_time(f, peak["by_site_at"].get(o))] for o in origins]),
        Table("personnes_par_site", "Personnes dans les salles, appareils et vidéo, par site",
              ["site", "dans la salle", "enregistrées", "attendues", "sans inscription", "comptage max",
               "dernier comptage", "appareils connectés", "pic d'appareils"],
              [[_site(f, o), r["in_room"], r["checked_in"], r["expected"], r["walk_ins"],
                r["headcount_peak"] if r["headcount_peak"] is not None else "",
                r["headcount_last"] if r["headcount_last"] is not None else "", r["devices"], r["devices_peak"]]
               for o, r in f["people"]["by_site"].items()]),
        Table("personnes_par_seance", "Personnes par séance", ["séance", "site", "comptage max", "enregistrées",
                                                                "pic d'appareils", "pic de spectateurs vidéo"],
              [[r["title"], _site(f, r["site"]), r["headcount_peak"] if r["headcount_peak"] is not None else "",
                r["checked_in"], sum(r["devices_peak"].values()), r["stream_peak"]]
               for r in f["people"]["by_session"]]),
        Table("categories", "Participants par catégorie", ["catégorie", "participants"],
              [[k, v] for k, v in att["by_category"].items()]),
        Table("questions_par_site", "Questions par site", ["site", "posées", "répondues"],
              [[_site(f, o), f["questions"]["asked_by_site"][o], f["questions"]["answered_by_site"][o]]
               for o in origins]),
        # shows of hands counted in the rooms: columns of their own after the ballots, never added into them
        Table("sondages", "Votes par sondage et par site",
              ["sondage", "question", "votes", *site_names, "mains levées", "votes et mains levées",
               *(f"{n} (mains levées)" for n in site_names)],
              [[p["id"], p["question"], p["ballots"], *(p["ballots_by_site"][o] for o in origins), p["hands"],
                p["answers"], *(p["hands_by_site"][o] for o in origins)]
               for p in f["polls"]]),
        Table("propositions", "Propositions et soutiens", ["proposition", "thème", "site", "soutiens", *site_names],
              [[p["title"], p["theme"] or "", _site(f, p["origin"]), p["votes"],
                *(p["votes_by_site"][o] for o in origins)] for p in f["proposals"]]),
        Table("reactions", "Réactions par type et par site", ["réaction", "total", *site_names],
              [[emoji, f["reactions"]["by_kind"][emoji], *(by[o] for o in origins)]
               for emoji, by in f["reactions"]["by_kind_and_site"].items()]),
    ]
    series = f["timeline"]["series"]
    out.append(Table("activite_par_heure", "Activité par heure", ["heure", *series],
                     [[local_time(f, hour), *(series[m][i] for m in series)]
                      for i, hour in enumerate(f["timeline"]["hours"])]))
    return out


def _way(way: str) -> str:
    """"webrtc", "hls:720p", "hls:audio", in the report's words."""
    if way == "webrtc":
        return "Direct (WebRTC)"
    rendition = way.removeprefix("hls:")
    return "Diffusion, son seul" if rendition == "audio" else f"Diffusion {rendition}"
