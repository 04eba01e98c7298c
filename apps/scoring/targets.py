"""Targets (DESIGN §4): a level per dimension that a team should reach by a date.

An organization sets a default per dimension of a bank (executives, admins and owners); a
team's lead (or an admin or owner) may set the team's own, not below the default unless the
organization allows it (an admin's setting). Targets are keyed by the bank's slug and the
dimension's key, so that they survive a new bank version; their level is a level of the bank's
latest published version, and so is the threshold they are measured against: the level band's
lower bound as a percentage of the maximum (the bands the charts draw, `selectors.chart_bands`).

One rule, one place (STYLE 14): `team_targets` / `target_for` say which target applies to a
team, and `target_gap` whether a score meets it and by how many percentage points it falls
short. The round result, the team history (table and chart), the API, the CSV and the
dashboard all ask these two.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from apps.core import audit
from apps.core.dates import DAY
from apps.organizations.access import OrgAccess, TeamAction
from apps.organizations.models import Organization, Role, Team
from apps.scoring.bands import bank_scale
from apps.scoring.calculations import percent
from apps.scoring.id_lists import among
from apps.scoring.models import Target, TargetPolicy, TeamScore
from apps.scoring.selectors import ScoreRow
from apps.surveys.models import BankStatus, QuestionBank

TEAM = "team"
ORGANIZATION = "organization"


class TargetRefused(ValidationError):
    """A target that may not be set: its message says why, for the page and the API alike."""


@dataclass(frozen=True)
class TargetLevel:
    number: int
    name: str
    min_score: Decimal  # the band's lower bound, on the bank's scale
    scale: Decimal

    @property
    def threshold(self) -> Decimal:
        """The lower bound as a whole percentage of the maximum, as the charts draw it."""
        return percent(self.min_score, self.scale)


@dataclass(frozen=True)
class TargetBank:
    """A bank's latest published version, which names target levels and dimensions."""

    slug: str
    title: str
    version: int
    dimensions: tuple[tuple[str, str], ...]  # (key, name), in the bank's order
    levels: tuple[TargetLevel, ...]

    def level(self, number: int) -> TargetLevel | None:
        return next((level for level in self.levels if level.number == number), None)

    def dimension_name(self, key: str) -> str | None:
        return dict(self.dimensions).get(key)


@dataclass(frozen=True)
class EffectiveTarget:
    """The target that applies to a team for one dimension: its own, else the default."""

    bank_slug: str
    dimension_key: str
    level: int
    level_name: str
    min_score: Decimal
    scale: Decimal
    due: dt.date
    source: str  # TEAM or ORGANIZATION

    @property
    def threshold(self) -> Decimal:
        return percent(self.min_score, self.scale)

    @property
    def due_text(self) -> str:
        return date_format(self.due, DAY)

    @property
    def source_text(self) -> str:
        return "team's own target" if self.source == TEAM else "organization default"


@dataclass(frozen=True)
class TargetGap:
    """How a score stands against its target: met, or short by `gap` percentage points."""

    target: EffectiveTarget
    met: bool
    gap: Decimal  # percentage points below the target's threshold; 0 when met

    @property
    def due(self) -> dt.date:
        return self.target.due

    @property
    def overdue(self) -> bool:
        """Not met and past its date (today in the current time zone: the organization's on
        its pages)."""
        return not self.met and self.target.due < timezone.localdate()

    @property
    def text(self) -> str:
        """ "met", "gap 12 pp", or, short by less than the rounding shows, "gap under 1 pp"."""
        if self.met:
            return "met"
        return f"gap {self.gap} pp" if self.gap > 0 else "gap under 1 pp"


def target_gap(score_row, target: EffectiveTarget | None) -> TargetGap | None:
    """Whether `score_row` (a `selectors.ScoreRow`) meets `target`, and the gap in percentage
    points of the maximum: the target level's lower bound as a percentage less the row's
    percentage, both rounded once as every surface shows them. Met exactly as a level is
    reached (the mean's fraction at or above the bound's fraction, unrounded). None without a
    target or a score."""
    if target is None or score_row is None or not score_row.max_points:
        return None
    met = score_row.mean * target.scale >= target.min_score * score_row.max_points
    gap = Decimal(0) if met else max(target.threshold - score_row.percent, Decimal(0))
    return TargetGap(target=target, met=met, gap=gap)


# --- Reads


def target_banks(slugs=None) -> list[TargetBank]:
    """The latest published version of each bank (or of `slugs`), by title: what target levels
    and dimensions are read from. A slug with no published version has none."""
    banks = QuestionBank.objects.filter(status=BankStatus.PUBLISHED).prefetch_related(
        "levels", "dimensions"
    )
    if slugs is not None:
        banks = banks.filter(slug__in=list(slugs))
    latest: dict[str, QuestionBank] = {}
    for bank in banks.order_by("slug", "-version"):
        latest.setdefault(bank.slug, bank)
    out = []
    for bank in sorted(latest.values(), key=lambda b: (b.title, b.slug)):
        scale = bank_scale(bank)
        out.append(
            TargetBank(
                slug=bank.slug,
                title=bank.title,
                version=bank.version,
                dimensions=tuple(
                    (d.key, d.name) for d in sorted(bank.dimensions.all(), key=lambda d: d.order)
                ),
                levels=tuple(
                    TargetLevel(lv.number, lv.name, lv.min_score, scale)
                    for lv in sorted(bank.levels.all(), key=lambda lv: lv.number)
                ),
            )
        )
    return out


def teams_may_go_below(organization: Organization) -> bool:
    return TargetPolicy.objects.filter(organization=organization, teams_may_go_below=True).exists()


def _effective(
    defaults: dict, own: dict, by_slug: dict[str, TargetBank], below_allowed
) -> dict[tuple[str, str], EffectiveTarget]:
    """The rule of `team_targets` for one team, from its rows: `defaults` and `own` by (bank
    slug, dimension key); `below_allowed()` says whether a team's own target may stay below the
    default (asked only when one is)."""
    out = {}
    for key in defaults.keys() | own.keys():
        chosen, source = own.get(key), TEAM
        default = defaults.get(key)
        below = chosen is not None and default is not None and chosen.level < default.level
        if below and not below_allowed():
            chosen = None
        if chosen is None:
            chosen, source = default, ORGANIZATION
        bank = by_slug.get(key[0])
        level = bank.level(chosen.level) if bank else None
        if level is None:
            continue
        out[key] = EffectiveTarget(
            bank_slug=key[0],
            dimension_key=key[1],
            level=level.number,
            level_name=level.name,
            min_score=level.min_score,
            scale=level.scale,
            due=chosen.due,
            source=source,
        )
    return out


def _asked_once(question):
    """`question()`, asked at most once and only when needed."""
    answer = []

    def ask():
        if not answer:
            answer.append(question())
        return answer[0]

    return ask


def team_targets(
    team: Team, bank_slugs, *, banks: list[TargetBank] | None = None
) -> dict[tuple[str, str], EffectiveTarget]:
    """The targets that apply to `team` for the banks `bank_slugs`, by (bank slug, dimension
    key): the team's own target, else the organization's default. A team's own target below
    the default gives way to the default unless the organization allows it (it may have been set
    before the default was raised). A target whose level the latest published version no
    longer has applies no more."""
    slugs = sorted(set(bank_slugs))
    rows = list(
        Target.objects.filter(organization_id=team.organization_id, bank_slug__in=slugs).filter(
            Q(team=team) | Q(team__isnull=True)
        )
    )
    if not rows:
        return {}
    return _effective(
        {(r.bank_slug, r.dimension_key): r for r in rows if r.team_id is None},
        {(r.bank_slug, r.dimension_key): r for r in rows if r.team_id is not None},
        {b.slug: b for b in (banks if banks is not None else target_banks(slugs))},
        _asked_once(lambda: teams_may_go_below(team.organization)),
    )


def organization_team_targets(
    organization: Organization,
    team_ids,
    bank_slugs,
    *,
    banks: list[TargetBank] | None = None,
    rows: list[Target] | None = None,
) -> dict[int, dict[tuple[str, str], EffectiveTarget]]:
    """`team_targets` for many teams at once, {team id: {(bank slug, dimension key): target}},
    in a fixed number of queries whatever the number of teams: the targets, the banks' latest
    published versions (only when there is a target) and the organization's policy (only when
    a team's own target is below the default). A team without a target has an empty dict; a
    team id None reads the organization's defaults alone. `rows`: the organization's targets,
    when the caller has read them already (those of other teams and banks are left out here)."""
    team_ids = list(team_ids)
    slugs = sorted(set(bank_slugs))
    if rows is None:
        rows = list(
            Target.objects.filter(organization=organization, bank_slug__in=slugs).filter(
                Q(team_id__in=team_ids) | Q(team__isnull=True)
            )
        )
    else:
        wanted = set(team_ids)
        rows = [
            r
            for r in rows
            if r.organization_id == organization.pk
            and r.bank_slug in slugs
            and (r.team_id is None or r.team_id in wanted)
        ]
    if not rows:
        return {team_id: {} for team_id in team_ids}
    defaults = {(r.bank_slug, r.dimension_key): r for r in rows if r.team_id is None}
    own: dict[int, dict] = {team_id: {} for team_id in team_ids}
    for r in rows:
        if r.team_id is not None:
            own[r.team_id][r.bank_slug, r.dimension_key] = r
    by_slug = {b.slug: b for b in (banks if banks is not None else target_banks(slugs))}
    below_allowed = _asked_once(lambda: teams_may_go_below(organization))
    return {
        team_id: _effective(defaults, own[team_id], by_slug, below_allowed) for team_id in team_ids
    }


@dataclass(frozen=True)
class RoundGaps:
    """`round_gaps`: each team's gaps by dimension key, and the organization's defaults."""

    by_team: dict[int, dict[str, TargetGap]]
    defaults: dict[tuple[str, str], EffectiveTarget]  # by (bank slug, dimension key)

    def defaults_for(self, slugs) -> dict[str, EffectiveTarget]:
        """The defaults of the first of `slugs` (in order) that has any, by dimension key."""
        for slug in slugs:
            found = {key: t for (bank, key), t in self.defaults.items() if bank == slug}
            if found:
                return found
        return {}


def round_gaps(organization: Organization, rounds: dict[int, int]) -> RoundGaps:
    """For each team's round (`rounds`: team id → round id, visible rounds only: the caller's
    to check), its `target_gap` per dimension key; a dimension without a target or a score has
    none. With the organization's defaults for the rounds' banks. A fixed number of queries:
    the organization's targets (without any, nothing else), the rounds' dimension aggregates on
    a bank with a target, and `organization_team_targets`' banks and policy."""
    targets = list(Target.objects.filter(organization=organization))
    if not targets:
        return RoundGaps(by_team={team_id: {} for team_id in rounds}, defaults={})
    scores = list(
        TeamScore.objects.filter(
            among("round_id", rounds.values()),
            dimension__isnull=False,
            round__bank__slug__in={t.bank_slug for t in targets},
        ).values_list(
            "round_id",
            "round__bank__slug",
            "dimension__key",
            "dimension__name",
            "mean",
            "max_points",
            "level_number",
            "level_name",
        )
    )
    slugs = {slug for _, slug, *_ in scores}
    applies = organization_team_targets(  # None: the defaults
        organization, [*rounds, None], slugs, rows=targets
    )
    team_of = {round_id: team_id for team_id, round_id in rounds.items()}
    by_team: dict[int, dict[str, TargetGap]] = {team_id: {} for team_id in rounds}
    for round_id, slug, key, name, mean, max_points, number, level_name in scores:
        if mean is None:  # nobody scored here
            continue
        team_id = team_of[round_id]
        row = ScoreRow(key, name, mean, max_points, number, level_name)
        gap = target_gap(row, applies[team_id].get((slug, key)))
        if gap is not None:
            by_team[team_id][key] = gap
    return RoundGaps(by_team=by_team, defaults=applies[None])


def target_for(team: Team, bank_slug: str, dimension_key: str) -> EffectiveTarget | None:
    """The target that applies to `team` for one dimension of a bank (`team_targets`)."""
    return team_targets(team, [bank_slug]).get((bank_slug, dimension_key))


def organization_defaults(organization: Organization) -> dict[tuple[str, str], Target]:
    """The organization's default targets by (bank slug, dimension key)."""
    return {
        (t.bank_slug, t.dimension_key): t
        for t in Target.objects.filter(organization=organization, team__isnull=True)
    }


def team_own_targets(team: Team) -> dict[tuple[str, str], Target]:
    """The team's own targets by (bank slug, dimension key)."""
    return {(t.bank_slug, t.dimension_key): t for t in Target.objects.filter(team=team)}


@dataclass(frozen=True)
class DimensionTargets:
    """One dimension on the Targets pages: the organization's default, the team's own (on a
    team's page) and the target that applies."""

    bank: TargetBank
    key: str
    name: str
    default: Target | None
    own: Target | None = None
    effective: EffectiveTarget | None = None

    def _name(self, target: Target | None) -> str:
        level = self.bank.level(target.level) if target else None
        return level.name if level else (f"level {target.level}" if target else "")

    @property
    def default_level_name(self) -> str:
        return self._name(self.default)

    @property
    def own_level_name(self) -> str:
        return self._name(self.own)

    @property
    def field_id(self) -> str:
        return f"{self.bank.slug}-{self.key}"


def target_page(organization: Organization, team: Team | None = None) -> list:
    """The Targets page: for each bank's latest published version, (bank, its dimensions as
    `DimensionTargets`); on a team's page with the team's own targets and what applies."""
    banks = target_banks()
    defaults = organization_defaults(organization)
    own = team_own_targets(team) if team is not None else {}
    applies = team_targets(team, [b.slug for b in banks], banks=banks) if team is not None else {}
    return [
        (
            bank,
            [
                DimensionTargets(
                    bank=bank,
                    key=key,
                    name=name,
                    default=defaults.get((bank.slug, key)),
                    own=own.get((bank.slug, key)),
                    effective=applies.get((bank.slug, key)),
                )
                for key, name in bank.dimensions
            ],
        )
        for bank in banks
    ]


# --- Writes


def _checked(bank_slug: str, dimension_key: str, level: int, due: dt.date) -> TargetBank:
    bank = next(iter(target_banks([bank_slug])), None)
    if bank is None:
        raise TargetRefused(f"No published question bank “{bank_slug}”.")
    if bank.dimension_name(dimension_key) is None:
        raise TargetRefused(f"{bank.title} has no dimension “{dimension_key}”.")
    if bank.level(level) is None:
        names = ", ".join(f"{lv.number} {lv.name}" for lv in bank.levels)
        raise TargetRefused(f"Level {level} is not a level of {bank.title} ({names}).")
    if due < timezone.localdate():
        raise TargetRefused("The target date is in the past: choose today or a later day.")
    return bank


@transaction.atomic
def target_set(
    *,
    access: OrgAccess,
    bank_slug: str,
    dimension_key: str,
    level: int,
    due: dt.date,
    team: Team | None = None,
) -> Target:
    """Set the organization's default target for a dimension (executives and up), or a team's
    own (`team`: its leads, admins and owners), replacing the one there was."""
    organization = access.organization
    if team is None:
        access.require(Role.EXECUTIVE)
    elif not access.may(TeamAction.LEAD, team):
        raise PermissionDenied("Only the team's leads, admins and owners set its targets.")
    bank = _checked(bank_slug, dimension_key, level, due)
    if team is not None:
        default = Target.objects.filter(
            organization=organization,
            team__isnull=True,
            bank_slug=bank_slug,
            dimension_key=dimension_key,
        ).first()
        if default is not None and level < default.level and not teams_may_go_below(organization):
            default_level = bank.level(default.level)
            raise TargetRefused(
                f"The organization's default for {bank.dimension_name(dimension_key)} is "
                f"{default_level.name if default_level else f'level {default.level}'}: a team's "
                "own target may not be lower unless an admin allows it on the Targets page."
            )
    mine = Target.objects.select_for_update().filter(
        organization=organization, team=team, bank_slug=bank_slug, dimension_key=dimension_key
    )
    before = mine.values("level", "due").first()
    target, _ = Target.objects.update_or_create(
        organization=organization,
        team=team,
        bank_slug=bank_slug,
        dimension_key=dimension_key,
        defaults={"level": level, "due": due, "set_by": access.membership.user},
    )
    after = {"level": level, "due": due}
    if before != after:
        audit.record(
            "target.set",
            organization=organization,
            obj=target,
            label=_target_label(bank, dimension_key, team),
            before=before,
            after=after,
        )
    return target


def _target_label(bank: TargetBank, dimension_key: str, team: Team | None) -> str:
    return f"{bank.dimension_name(dimension_key)} · {team.name if team else 'organization default'}"


@transaction.atomic
def target_clear(
    *, access: OrgAccess, bank_slug: str, dimension_key: str, team: Team | None = None
) -> bool:
    """Remove the organization's default (executives and up) or a team's own target (`team`:
    its leads, admins and owners); whether there was one."""
    if team is None:
        access.require(Role.EXECUTIVE)
    elif not access.may(TeamAction.LEAD, team):
        raise PermissionDenied("Only the team's leads, admins and owners set its targets.")
    mine = Target.objects.filter(
        organization=access.organization,
        team=team,
        bank_slug=bank_slug,
        dimension_key=dimension_key,
    )
    before = mine.values("level", "due").first()
    deleted, _ = mine.delete()
    if deleted:
        audit.record(
            "target.removed",
            organization=access.organization,
            label=f"{bank_slug} {dimension_key} · {team.name if team else 'organization default'}",
            before=before,
        )
    return bool(deleted)


def target_policy_set(*, access: OrgAccess, teams_may_go_below: bool) -> TargetPolicy:
    """Allow or refuse teams' own targets below the organization's default (admins, owners)."""
    access.require(Role.ADMIN)
    with transaction.atomic():
        before = TargetPolicy.objects.filter(
            organization=access.organization, teams_may_go_below=True
        ).exists()  # teams_may_go_below(), whose name the argument hides here
        policy, _ = TargetPolicy.objects.update_or_create(
            organization=access.organization, defaults={"teams_may_go_below": teams_may_go_below}
        )
        if before != teams_may_go_below:
            audit.record(
                "target.policy_changed",
                organization=access.organization,
                label="Teams' own targets below the default",
                before={"teams_may_go_below": before},
                after={"teams_may_go_below": teams_may_go_below},
            )
    return policy


def row_gaps(rows, targets: dict[tuple[str, str], EffectiveTarget], bank_slug: str) -> list:
    """(score row, its `target_gap` or None) for each dimension row of a round's result."""
    return [(row, target_gap(row, targets.get((bank_slug, row.key)))) for row in rows]


def history_gaps(points, targets: dict[tuple[str, str], EffectiveTarget]) -> list[dict]:
    """For each of a team's history points (`selectors.team_history`), its gaps by dimension
    key: {key: TargetGap}; empty for a withheld point."""
    return [
        {
            key: gap
            for key, row in point.dimensions.items()
            if (gap := target_gap(row, targets.get((point.round.bank.slug, key))))
        }
        if point.visible
        else {}
        for point in points
    ]


def targets_now(points, targets: dict[tuple[str, str], EffectiveTarget]) -> dict:
    """The targets that apply now, by dimension key: those of the bank the team's latest
    visible round was answered on (the history chart's lines, the history table's "Target
    now")."""
    visible = [p for p in points if p.visible]
    if not visible:
        return {}
    slug = visible[-1].round.bank.slug
    return {key: target for (bank, key), target in targets.items() if bank == slug}
