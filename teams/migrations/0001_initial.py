"""The team models, moved here from the assessments app with their tables.

State only: the tables were created by assessments' migrations and keep their names
(`db_table`). The content types follow the models, so permissions given on them and
the admin's log keep pointing at the right model.
"""

import django.db.models.deletion
import django.utils.timezone
import teams.models
from django.conf import settings
from django.db import migrations, models


TEAM_MODELS = ["team", "teammembership", "invitation", "reviewcycle", "managerrating"]


def _move_content_types(apps, schema_editor, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(
        ContentType.objects.filter(app_label=target, model__in=TEAM_MODELS).values_list(
            "model", flat=True
        )
    )
    ContentType.objects.filter(app_label=source, model__in=TEAM_MODELS).exclude(
        model__in=taken
    ).update(app_label=target)


def forwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, "assessments", "teams")


def backwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, "teams", "assessments")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('assessments', '0005_scoring_digest'),
        ('careers', '0004_ladders_and_core'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Team',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=120, verbose_name='name')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                    ],
                    options={
                        'verbose_name': 'team',
                        'verbose_name_plural': 'teams',
                        'db_table': 'assessments_team',
                        'ordering': ['name', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='ReviewCycle',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=120, verbose_name='name')),
                        ('due_date', models.DateField(verbose_name='due date')),
                        ('opened_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='opened')),
                        ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='closed')),
                        ('team', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='cycles', to='teams.team', verbose_name='team')),
                    ],
                    options={
                        'verbose_name': 'review cycle',
                        'verbose_name_plural': 'review cycles',
                        'db_table': 'assessments_reviewcycle',
                        'ordering': ['-opened_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Invitation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('email', models.EmailField(max_length=254, verbose_name='email address')),
                        ('kind', models.CharField(choices=[('manager', 'Manager'), ('member', 'Member')], default='member', max_length=10, verbose_name='joins as')),
                        ('token', models.CharField(default=teams.models.new_invitation_token, max_length=64, unique=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='sent')),
                        ('expires_at', models.DateTimeField(verbose_name='expires')),
                        ('accepted_at', models.DateTimeField(blank=True, null=True, verbose_name='accepted')),
                        ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked')),
                        ('accepted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('invited_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('team', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='teams.team', verbose_name='team')),
                    ],
                    options={
                        'verbose_name': 'invitation',
                        'verbose_name_plural': 'invitations',
                        'db_table': 'assessments_invitation',
                        'ordering': ['-created_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='ManagerRating',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('level', models.PositiveSmallIntegerField(choices=[(0, 'No experience'), (1, 'Awareness'), (2, 'Working'), (3, 'Advanced (autonomous)'), (4, 'Expert (leads, teaches others)')], verbose_name='level')),
                        ('comment', models.TextField(blank=True, max_length=2000, verbose_name='comment')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('assessment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='ratings', to='assessments.assessment', verbose_name='assessment')),
                        ('rated_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('skill', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='careers.skill')),
                    ],
                    options={
                        'verbose_name': 'manager rating',
                        'verbose_name_plural': 'manager ratings',
                        'db_table': 'assessments_managerrating',
                        'ordering': ['assessment', 'skill__category__order', 'skill__order'],
                        'constraints': [models.UniqueConstraint(fields=('assessment', 'skill'), name='assessments_rating_one_per_skill'), models.CheckConstraint(condition=models.Q(('level__gte', 0), ('level__lte', 4)), name='assessments_rating_level_range')],
                    },
                ),
                migrations.CreateModel(
                    name='TeamMembership',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('manager', 'Manager'), ('member', 'Member')], default='member', max_length=10, verbose_name='kind')),
                        ('joined_at', models.DateTimeField(auto_now_add=True, verbose_name='joined')),
                        ('target_role', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='careers.role', verbose_name='target role')),
                        ('team', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='teams.team', verbose_name='team')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='team_memberships', to=settings.AUTH_USER_MODEL, verbose_name='person')),
                    ],
                    options={
                        'verbose_name': 'team membership',
                        'verbose_name_plural': 'team memberships',
                        'db_table': 'assessments_teammembership',
                        'ordering': ['team', 'kind', 'user__username'],
                        'constraints': [models.UniqueConstraint(fields=('team', 'user'), name='assessments_membership_once'), models.CheckConstraint(condition=models.Q(('kind__in', ['manager', 'member'])), name='assessments_membership_kind')],
                    },
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
