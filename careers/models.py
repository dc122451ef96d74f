"""The role catalogue: skills grouped in categories, roles and what they require.

Text fields (name, description, ...) are translated by django-modeltranslation
(see translation.py): each has a `_fr` and an `_en` column, and the plain attribute
returns the active language with French as the fallback.
"""

import re
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
    URLValidator,
)
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .validators import no_control_characters

if TYPE_CHECKING:
    # modeltranslation swaps the default manager of every registered model for its
    # MultilingualManager when the app registry loads (translation.py). Naming that
    # class here puts modeltranslation.manager in mypy's build before this module, so
    # django-stubs can resolve `objects`, `_default_manager` and the reverse managers
    # (`category.skills`, `skill.levels`, ...) to the type they have at runtime.
    from modeltranslation.manager import MultilingualManager


class Level(models.IntegerChoices):
    """The answer scale shared by every skill (docs/DESIGN.md)."""

    NONE = 0, _("No experience")
    AWARENESS = 1, _("Awareness")
    WORKING = 2, _("Working")
    ADVANCED = 3, _("Advanced (autonomous)")
    EXPERT = 4, _("Expert (leads, teaches others)")


TARGET_LEVELS = [choice for choice in Level.choices if choice[0] >= 1]
MAX_CORE_REQUIREMENTS = 15  # questions of a quick assessment for one role

# Field validators give the editor a message on the right field; the CheckConstraints
# below hold the same rules in the database, whatever writes to it.
WEIGHT_VALIDATORS = [
    MinValueValidator(1, _("The weight goes from 1 (useful) to 5 (essential).")),
    MaxValueValidator(5, _("The weight goes from 1 (useful) to 5 (essential).")),
]
LEVEL_VALIDATORS = [
    MinValueValidator(1, _("The level goes from 1 to 4.")),
    MaxValueValidator(4, _("The level goes from 1 to 4.")),
]
SLUG_VALIDATOR = RegexValidator(
    r"^[a-z0-9]+(-[a-z0-9]+)*$",
    _("Use lowercase letters, digits and single hyphens only, e.g. risk-management."),
)
# A learning resource's link: only http and https, so that no javascript: or data: link
# ever reaches a page or a spreadsheet (the import checks the same rule).
# Its own code: a form would show its URL field's message for the code "invalid" instead.
WEB_LINK_VALIDATOR = URLValidator(
    schemes=["http", "https"],
    message=_("Enter a web address starting with http:// or https://."),
    code="web_link",
)
# A language tag as BCP 47 writes it: "fr", "en", "pt-BR".
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
LANGUAGE_TAG_VALIDATOR = RegexValidator(
    LANGUAGE_TAG,
    _("Use a language code such as fr, en or pt-BR."),
)
MAX_INDICATORS = 8  # observable examples per level descriptor
CODE_HELP = _("Stable identifier used by exports and results. It cannot change later.")
ROLE_CODE_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$",
    _("Use letters, digits and single hyphens only, e.g. TPM or PMO-MANAGER."),
)


class SkillCategory(models.Model):
    objects: ClassVar["MultilingualManager[SkillCategory]"]  # set by modeltranslation

    code = models.CharField(
        _("code"), max_length=50, unique=True, validators=[SLUG_VALIDATOR], help_text=CODE_HELP
    )
    name = models.CharField(_("name"), max_length=120, validators=[no_control_characters])
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("skill category")
        verbose_name_plural = _("skill categories")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[a-z0-9]+(-[a-z0-9]+)*$"),
                name="careers_skillcategory_code_slug",
                violation_error_message=_("Use lowercase letters, digits and hyphens."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("careers:role_list") + f"#category-{self.code}"


class Skill(models.Model):
    objects: ClassVar["MultilingualManager[Skill]"]  # set by modeltranslation

    category = models.ForeignKey(
        SkillCategory, on_delete=models.PROTECT, related_name="skills", verbose_name=_("category")
    )
    code = models.CharField(
        _("code"), max_length=60, unique=True, validators=[SLUG_VALIDATOR], help_text=CODE_HELP
    )
    name = models.CharField(_("name"), max_length=150, validators=[no_control_characters])
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["category__order", "order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[a-z0-9]+(-[a-z0-9]+)*$"),
                name="careers_skill_code_slug",
                violation_error_message=_("Use lowercase letters, digits and hyphens."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("careers:role_list") + f"#skill-{self.code}"


class SkillLevel(models.Model):
    """What a level from 1 to 4 looks like for one skill: shown as the answer option."""

    objects: ClassVar["MultilingualManager[SkillLevel]"]  # set by modeltranslation

    skill = models.ForeignKey(
        Skill, on_delete=models.CASCADE, related_name="levels", verbose_name=_("skill")
    )
    level = models.PositiveSmallIntegerField(
        _("level"), choices=TARGET_LEVELS, validators=LEVEL_VALIDATORS
    )
    descriptor = models.TextField(_("descriptor"))
    indicators = models.TextField(
        _("behavioural indicators"),
        blank=True,
        help_text=_(
            "Observable examples of this level, one per line (at most 8), shown with the "
            "level's option in the questionnaire."
        ),
    )

    class Meta:
        verbose_name = _("level descriptor")
        verbose_name_plural = _("level descriptors")
        ordering = ["skill", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["skill", "level"],
                name="careers_skilllevel_one_per_level",
                violation_error_message=_("This skill already has a descriptor for this level."),
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=4), name="careers_skilllevel_level_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill} · {self.level}"

    def clean(self) -> None:
        super().clean()
        for lang, _name in settings.LANGUAGES:
            lines = indicator_lines(getattr(self, f"indicators_{lang}", "") or "")
            if len(lines) > MAX_INDICATORS:
                message = _("At most %(n)s indicators, one per line.") % {"n": MAX_INDICATORS}
                raise ValidationError({f"indicators_{lang}": message})


def indicator_lines(text: str) -> list[str]:
    """A level's behavioural indicators: the non-empty lines of the field."""
    return [line.strip() for line in text.splitlines() if line.strip()]


class NextStepAction(models.Model):
    """A concrete thing to do to reach `level` in a skill."""

    objects: ClassVar["MultilingualManager[NextStepAction]"]  # set by modeltranslation

    class Kind(models.TextChoices):
        TRAINING = "training", _("Training")
        CERTIFICATION = "certification", _("Certification")
        MENTORING = "mentoring", _("Mentoring")
        PRACTICE = "practice", _("Practice on the job")
        READING = "reading", _("Reading")

    class Cost(models.TextChoices):
        FREE = "free", _("Free")
        PAID = "paid", _("Paid")

    skill = models.ForeignKey(
        Skill, on_delete=models.CASCADE, related_name="actions", verbose_name=_("skill")
    )
    level = models.PositiveSmallIntegerField(
        _("level to reach"),
        choices=TARGET_LEVELS,
        help_text=_("The level this action helps reach."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200, validators=[no_control_characters])
    detail = models.TextField(_("detail"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # The learning resource behind the step, all optional.
    url = models.URLField(
        _("link"),
        max_length=500,
        blank=True,
        validators=[WEB_LINK_VALIDATOR],
        help_text=_("The course, certification or reading, as an http(s) address."),
    )
    provider = models.CharField(
        _("provider"), max_length=120, blank=True, validators=[no_control_characters]
    )
    duration = models.CharField(
        _("duration"),
        max_length=60,
        blank=True,
        validators=[no_control_characters],
        help_text=_("As the provider states it, e.g. 3 days or 35 hours."),
    )
    cost = models.CharField(_("cost"), max_length=4, blank=True, choices=Cost.choices)
    price = models.CharField(
        _("price"),
        max_length=40,
        blank=True,
        validators=[no_control_characters],
        help_text=_("For a paid resource, the amount with its currency, e.g. 450 EUR."),
    )
    language = models.CharField(
        _("language of the resource"),
        max_length=12,
        blank=True,
        validators=[LANGUAGE_TAG_VALIDATOR],
        help_text=_("A language code such as fr or en."),
    )

    class Meta:
        verbose_name = _("next-step action")
        verbose_name_plural = _("next-step actions")
        ordering = ["skill", "level", "order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=4), name="careers_nextstepaction_level_range"
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=["training", "certification", "mentoring", "practice", "reading"]
                ),
                name="careers_nextstepaction_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(cost__in=["", "free", "paid"]), name="careers_nextstepaction_cost"
            ),
            models.CheckConstraint(
                condition=Q(price="") | Q(cost="paid"), name="careers_nextstepaction_price_paid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.price and self.cost != self.Cost.PAID:
            raise ValidationError({"price": _("A price is given for a paid resource only.")})


class Role(models.Model):
    objects: ClassVar["MultilingualManager[Role]"]  # set by modeltranslation

    code = models.CharField(
        _("code"),
        max_length=30,
        unique=True,
        validators=[ROLE_CODE_VALIDATOR],
        help_text=_("Stable identifier, e.g. TPM. It cannot change once the role exists."),
    )
    name = models.CharField(_("name"), max_length=150, validators=[no_control_characters])
    summary = models.TextField(_("summary"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_published = models.BooleanField(
        _("published"), default=True, help_text=_("Only published roles can be chosen.")
    )
    ladder = models.SlugField(
        _("ladder"),
        max_length=30,
        blank=True,
        help_text=_("Roles sharing a ladder name form a ladder, e.g. pmo or tpm."),
    )
    ladder_rank = models.PositiveSmallIntegerField(
        _("rung"), default=0, help_text=_("Position on the ladder, 1 for the first rung.")
    )
    skills = models.ManyToManyField(Skill, through="RoleRequirement", related_name="roles")

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$"),
                name="careers_role_code_format",
                violation_error_message=_("Use letters, digits and single hyphens only."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("careers:role_detail", args=[self.code])


class RoleRequirement(models.Model):
    role = models.ForeignKey(
        Role, on_delete=models.CASCADE, related_name="requirements", verbose_name=_("role")
    )
    skill = models.ForeignKey(
        Skill, on_delete=models.PROTECT, related_name="requirements", verbose_name=_("skill")
    )
    weight = models.PositiveSmallIntegerField(
        _("weight"),
        validators=WEIGHT_VALIDATORS,
        help_text=_("Importance for the role, from 1 to 5."),
    )
    target = models.PositiveSmallIntegerField(
        _("target level"),
        choices=TARGET_LEVELS,
        validators=LEVEL_VALIDATORS,
        help_text=_("Expected level, from 1 to 4."),
    )
    is_core = models.BooleanField(
        _("core"),
        default=False,
        help_text=_("Core requirements make the quick assessment (15 at most per role)."),
    )

    class Meta:
        verbose_name = _("role requirement")
        verbose_name_plural = _("role requirements")
        ordering = ["role", "skill__category__order", "skill__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["role", "skill"],
                name="careers_rolerequirement_one_per_skill",
                violation_error_message=_("This role already requires this skill."),
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=5),
                name="careers_rolerequirement_weight_range",
            ),
            models.CheckConstraint(
                condition=Q(target__gte=1, target__lte=4),
                name="careers_rolerequirement_target_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role.code} · {self.skill.code}"


class CareerStep(models.Model):
    """Where people in a role come from, or go next."""

    objects: ClassVar["MultilingualManager[CareerStep]"]  # set by modeltranslation

    class Direction(models.TextChoices):
        FROM = "from", _("Comes from")
        TO = "to", _("Goes to")

    role = models.ForeignKey(
        Role, on_delete=models.CASCADE, related_name="career_steps", verbose_name=_("role")
    )
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices)
    name = models.CharField(_("name"), max_length=150, validators=[no_control_characters])
    linked_role = models.ForeignKey(
        Role,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("linked role"),
        help_text=_("Set when this step is a role of the catalogue."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("career step")
        verbose_name_plural = _("career steps")
        ordering = ["role", "direction", "order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(direction__in=["from", "to"]), name="careers_careerstep_direction_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PendingImport(models.Model):
    """A catalogue file previewed in the admin, kept until its confirm or its expiry.

    Not catalogue data: its saves do not change the catalogue version, and backups leave
    it out. The confirm form names it by `token` (random) and `digest` (the SHA-256 of
    `content`), so a confirm imports exactly the file that page previewed, with its prefix.
    """

    token = models.CharField(max_length=64, unique=True)
    digest = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    content = models.BinaryField()
    # The prefix the preview put in front of the file's codes: the confirm uses it too.
    prefix = models.CharField(max_length=30, blank=True, default="")
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("pending catalogue import")
        verbose_name_plural = _("pending catalogue imports")

    def __str__(self) -> str:
        return self.name
