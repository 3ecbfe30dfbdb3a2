"""Facts as a JSON-ready dict: the machine-readable twin of a briefing."""

from __future__ import annotations

from typing import Any

from reportgen.models import MEASURES, RANKED, Comparison, Facts, FlowMovers, Rank, Record, ReporterFacts


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _comparison(c: Comparison | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {
        "period": c.period.key,
        **c.figures.as_dict(),
        "change": c.change,
        "change_pct": {m: _pct(c.change_pct[m]) for m in MEASURES},
        "balance_trend": c.balance_trend,
    }


def _record(r: Record) -> dict[str, Any]:
    return {"extreme": r.extreme, "is_record": r.is_record, "since": r.since.key if r.since else None,
            "history_start": r.history_start.key, "compared": r.compared}


def _rank(r: Rank) -> dict[str, Any]:
    def neighbour(n):
        return {"partner": n.code, "name": n.name, "value": n.value} if n else None

    return {"rank": r.rank, "of": r.of, "value": r.value, "previous_rank": r.previous_rank,
            "ahead": neighbour(r.ahead), "behind": neighbour(r.behind),
            "base": r.base.key if r.base else None, "base_rank": r.base_rank, "move": r.move,
            "last_held": r.last_held.key if r.last_held else None, "leaders": [n.code for n in r.leaders],
            "overtook": [n.code for n in r.overtook], "overtaken_by": [n.code for n in r.overtaken_by]}


def _flow_movers(m: FlowMovers | None) -> dict[str, Any] | None:
    if m is None:
        return None

    def mover(x):
        return {"code": x.code, "name": x.name, "value": x.value, "previous": x.previous, "change": x.change,
                "contribution_pp": _pct(x.contribution_pp), "share_pct": _pct(x.share),
                "growth_5y_pct": _pct(x.growth_5y), "notable": x.notable}

    return {"total": m.total, "previous_total": m.previous_total, "change_pct": _pct(m.change_pct),
            "rising": [mover(x) for x in m.rising], "falling": [mover(x) for x in m.falling],
            "five_years_back": m.five_years_back.key if m.five_years_back else None}


def facts_to_dict(f: Facts) -> dict[str, Any]:
    """The facts as plain JSON types; money in whole dollars, percentages unrounded to 4 places."""
    year_ago = f.year_ago
    out: dict[str, Any] = {
        "reporter": f.reporter,
        "partner": f.partner.code,
        "partner_name": f.partner.short_name,
        "period": f.period.key,
        "period_kind": f.period.kind,
        **f.figures.as_dict(),
        "change_pct": {m: _pct(year_ago.change_pct[m]) if year_ago else None for m in MEASURES},
        "record": f.record,
        "ranks": {m: f.ranks[m].rank if m in f.ranks else None for m in RANKED},
        "previous_ranks": {m: f.ranks[m].previous_rank if m in f.ranks else None for m in RANKED},
        "share_pct": {m: _pct(v) for m, v in f.share.items()},
        "year_ago": _comparison(year_ago),
        "month_ago": _comparison(f.month_ago),
        "records": {m: _record(r) for m, r in f.records.items()},
        "rank_detail": {m: _rank(r) for m, r in f.ranks.items()},
        "history_start": f.history_start.key,
        "release_date": f.provenance.published[:10],
        "latest_month": f.latest_month,
        "source": f.provenance.source,
        "vintage": f.provenance.vintage,
        "provenance": {
            "origin": f.provenance.origin,
            "published": f.provenance.published,
            "sha256": f.provenance.sha256,
            "collected_at": f.provenance.collected_at,
            "basis": f.provenance.basis,
        },
    }
    if f.first_reported is not None:
        first = f.first_reported
        out["first_reported"] = {"vintage": first.vintage, "published": first.published, **first.figures.as_dict(),
                                 "revised": list(first.revised)}
    if f.peer is not None:
        out["peer"] = {"partner": f.peer.code, "name": f.peer.name, "rank": f.peer.rank, **f.peer.figures.as_dict()}
    if f.preference is not None:
        out["preference"] = {"program": f.preference.program, "imports_for_consumption": f.preference.imports,
                             "share_of_general_imports_pct": _pct(f.preference.share)}
    if f.movers is not None:
        out["movers"] = {"level": f.movers.level, "source": f.movers.source, "vintage": f.movers.vintage,
                         "exports": _flow_movers(f.movers.exports), "imports": _flow_movers(f.movers.imports)}
    if f.news is not None:
        out["news"] = [{"title": n.title, "link": n.link, "source": n.source, "published": n.published,
                        "dated": n.dated, "matched": list(n.matched)} for n in f.news.items]
        out["news_days"] = {"first": f.news.first_day, "last": f.news.last_day}
        out["news_feeds_read"] = f.news.feeds_read
    if f.ytd is not None:
        out["ytd"] = facts_to_dict(f.ytd)
    return out


def reporter_facts_to_dict(r: ReporterFacts) -> dict[str, Any]:
    """A briefing's facts from another reporter's side: the partner's facts, plus the reporter's largest surplus
    and deficit partners, growth over the decade, products and the partner's mirror figures."""
    def neighbour(n):
        return {"partner": n.code, "name": n.name, "balance": n.value} if n else None

    def line(x):
        return {"name": x.name, "codes": list(x.codes), "value": x.value, "share_pct": _pct(x.share),
                "base_value": x.base_value, "growth_pct": _pct(x.growth_pct), "base_below": x.base_below}

    out = facts_to_dict(r.facts)
    out.update({
        "reporter_name": r.reporter.short_name,
        "largest_surplus": neighbour(r.surplus),
        "largest_deficit": neighbour(r.deficit),
        "growth": _comparison(r.growth),
        "products": [{"flow": m.flow, "level": m.level, "total": m.total, "base": m.base.key if m.base else None,
                      "lines": [line(x) for x in m.lines]} for m in r.products],
    })
    if r.mirror is not None:
        m = r.mirror
        out["mirror"] = {"flow": m.flow, "reported": m.reported, "mirrored": m.mirrored, "gap": m.gap,
                         "gap_pct": _pct(m.gap_pct), "source": m.source, "vintage": m.provenance.vintage,
                         "published": m.provenance.published}
    return out
