"""The team models moved to the teams app (teams/migrations/0001_initial.py).

State only: their tables keep their names (the models set `db_table`), so no row moves
and the migration runs forward and back on a database that holds data.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0005_scoring_digest'),
        ('teams', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='invitation',
                    name='accepted_by',
                ),
                migrations.RemoveField(
                    model_name='invitation',
                    name='invited_by',
                ),
                migrations.RemoveField(
                    model_name='invitation',
                    name='team',
                ),
                migrations.RemoveField(
                    model_name='managerrating',
                    name='assessment',
                ),
                migrations.RemoveField(
                    model_name='managerrating',
                    name='rated_by',
                ),
                migrations.RemoveField(
                    model_name='managerrating',
                    name='skill',
                ),
                migrations.RemoveField(
                    model_name='reviewcycle',
                    name='team',
                ),
                migrations.AlterField(
                    model_name='assessment',
                    name='cycle',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='assessments', to='teams.reviewcycle', verbose_name='review cycle'),
                ),
                migrations.RemoveField(
                    model_name='teammembership',
                    name='team',
                ),
                migrations.RemoveField(
                    model_name='teammembership',
                    name='target_role',
                ),
                migrations.RemoveField(
                    model_name='teammembership',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='Invitation',
                ),
                migrations.DeleteModel(
                    name='ManagerRating',
                ),
                migrations.DeleteModel(
                    name='ReviewCycle',
                ),
                migrations.DeleteModel(
                    name='Team',
                ),
                migrations.DeleteModel(
                    name='TeamMembership',
                ),
            ],
        ),
    ]
