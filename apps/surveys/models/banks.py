"""Question banks: versioned maturity frameworks.

A bank is edited while it is a draft. Once published it never changes again (the model layer
refuses, and so does the admin), so no past result can shift; "new draft version" clones it.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class BankStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class BankLocked(ValidationError):
    """Raised on any attempt to change the content of a published or retired bank."""

    def __init__(self, bank: "QuestionBank"):
        super().__init__(
            f"{bank} is {bank.get_status_display().lower()} and can no longer change. "
            "Create a new draft version to edit it."
        )


class QuestionBankQuerySet(models.QuerySet):
    def delete(self):
        locked = self.exclude(status=BankStatus.DRAFT).first()
        if locked is not None:
            raise BankLocked(locked)
        return super().delete()


class QuestionBank(models.Model):
    slug = models.SlugField(max_length=50)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    disagreement_threshold = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Also flag a question as a disagreement when the team's answers are more than "
        "this many points apart. Blank: only when they span two levels' worth of points.",
    )
    scale = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The total is shown on this scale: the scale times the fraction of "
        "the applicable maximum. The levels' lower bounds are on it. Blank: the bank's "
        "maximum total.",
    )
    options_per_level = models.BooleanField(
        default=False,
        help_text="Every question has exactly one option per level, in rising order of points.",
    )
    allow_dont_know = models.BooleanField(
        default=True,
        help_text='Every question offers "I don\'t know" (it does not score).',
    )
    status = models.CharField(max_length=10, choices=BankStatus.choices, default=BankStatus.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = QuestionBankQuerySet.as_manager()

    class Meta:
        ordering = ["slug", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="bank_slug_version_unique"),
            models.UniqueConstraint(
                fields=["slug"], condition=Q(status="draft"), name="bank_one_draft_per_slug"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="bank_version_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published", "retired"]), name="bank_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(scale__isnull=True) | Q(scale__gt=0), name="bank_scale_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk and not kwargs.pop("lifecycle", False):
            stored = (
                QuestionBank.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            )
            if stored is not None and stored != BankStatus.DRAFT:
                raise BankLocked(self)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status != BankStatus.DRAFT:
            raise BankLocked(self)
        return super().delete(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.status == BankStatus.DRAFT


class BankContentQuerySet(models.QuerySet):
    """Bulk updates and deletes are refused too when they touch a locked bank."""

    def _refuse_if_locked(self):
        locked = QuestionBank.objects.filter(
            pk__in=self.values("bank_id"), status__in=[BankStatus.PUBLISHED, BankStatus.RETIRED]
        ).first()
        if locked is not None:
            raise BankLocked(locked)

    def update(self, **kwargs):
        self._refuse_if_locked()
        return super().update(**kwargs)

    def delete(self):
        self._refuse_if_locked()
        return super().delete()


class BankContent(models.Model):
    """Anything inside a bank: saved or deleted only while the bank is a draft."""

    objects = BankContentQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._check_bank_is_draft()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_bank_is_draft()
        return super().delete(*args, **kwargs)

    def _check_bank_is_draft(self):
        status = (
            QuestionBank.objects.filter(pk=self.bank_id).values_list("status", flat=True).first()
        )
        if status is not None and status != BankStatus.DRAFT:
            raise BankLocked(QuestionBank.objects.get(pk=self.bank_id))


class Level(BankContent):
    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="levels")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=60)
    description = models.TextField(blank=True)
    min_score = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        help_text="Lower bound of the level's band, on the bank's total.",
    )

    class Meta:
        ordering = ["bank", "number"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "number"], name="level_number_unique_per_bank"),
            models.UniqueConstraint(
                fields=["bank", "min_score"], name="level_min_score_unique_per_bank"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="level_number_positive"),
            # The first band starts at 0; every later band starts above it. (That the bounds rise
            # with the level number across rows is a deferred trigger on PostgreSQL.)
            models.CheckConstraint(
                condition=Q(number=1, min_score=0) | Q(number__gt=1, min_score__gt=0),
                name="level_bounds_start_at_zero",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Dimension(BankContent):
    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="dimensions")
    key = models.SlugField(
        max_length=50, help_text="Stable across versions: history compares by key."
    )
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["bank", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "key"], name="dimension_key_unique_per_bank"),
        ]

    def __str__(self) -> str:
        return self.name


class Question(BankContent):
    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="questions")
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(max_length=30)
    text = models.TextField()
    help = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    weight = models.DecimalField(max_digits=5, decimal_places=2, default=1)
    allow_na = models.BooleanField(
        default=False, help_text='Offer "Not applicable" (it does not score).'
    )

    class Meta:
        ordering = ["bank", "dimension__order", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "code"], name="question_code_unique_per_bank"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="question_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.text[:60]}"

    def save(self, *args, **kwargs):
        if self.dimension_id and not self.bank_id:
            self.bank_id = self.dimension.bank_id
        super().save(*args, **kwargs)


class Choice(BankContent):
    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    label = models.CharField(max_length=300)
    points = models.PositiveSmallIntegerField()
    order = models.PositiveSmallIntegerField(default=0)
    # The number of the level whose practice this option describes (a level of the same bank:
    # a composite foreign key on PostgreSQL, surveys 0008). Required by `options_per_level`.
    level = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["question", "order", "points"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "points"], name="choice_points_unique_per_question"
            ),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__gte=1), name="choice_level_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.points})"

    def save(self, *args, **kwargs):
        if self.question_id and not self.bank_id:
            self.bank_id = self.question.bank_id
        super().save(*args, **kwargs)


class Guidance(BankContent):
    """Roadmap advice for reaching `level`, for a whole dimension or for one question."""

    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="guidance")
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="guidance")
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.CASCADE, related_name="guidance"
    )
    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="guidance")
    text = models.TextField()

    class Meta:
        ordering = ["bank", "dimension__order", "question__order", "level__number"]
        verbose_name_plural = "guidance"
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "level"],
                condition=Q(question__isnull=True),
                name="guidance_one_per_dimension_level",
            ),
            models.UniqueConstraint(
                fields=["question", "level"],
                condition=Q(question__isnull=False),
                name="guidance_one_per_question_level",
            ),
        ]

    def __str__(self) -> str:
        target = self.question.code if self.question_id else self.dimension.key
        return f"{target} → level {self.level.number}"

    def save(self, *args, **kwargs):
        if self.dimension_id and not self.bank_id:
            self.bank_id = self.dimension.bank_id
        super().save(*args, **kwargs)
