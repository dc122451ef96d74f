from django.db import migrations, models


def digest_of(snapshot):
    # Frozen copy of digest_of (then in assessments.results, now scoring.digest_of) as it
    # was when this migration was written; kept on purpose rather than imported. This
    # migration runs over the snapshots of its time (version 1) and must go on giving the
    # digests it gave then, while scoring.digest_of follows scoring.SNAPSHOT_VERSION and
    # will change with the next shape. Today both give the same digest (checked by
    # tests/assessments/test_services.py).
    return {
        "levels": snapshot.get("levels", {}),
        "roles": [
            {"code": r["code"], "name": r["name"], "requirements": r["requirements"]}
            for r in snapshot.get("roles", [])
        ],
        "skills": {
            code: {key: skill[key] for key in ("id", "name", "order") if key in skill}
            for code, skill in snapshot.get("skills", {}).items()
        },
    }


def fill_digests(apps, schema_editor):
    Assessment = apps.get_model("assessments", "Assessment")
    batch = []
    for assessment in (
        Assessment.objects.filter(snapshot__isnull=False).only("pk", "snapshot").iterator(500)
    ):
        assessment.digest = digest_of(assessment.snapshot)
        batch.append(assessment)
        if len(batch) == 500:
            Assessment.objects.bulk_update(batch, ["digest"])
            batch = []
    Assessment.objects.bulk_update(batch, ["digest"])


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0004_quick_mode"),
    ]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="digest",
            field=models.JSONField(
                blank=True, editable=False, null=True, verbose_name="scoring digest"
            ),
        ),
        migrations.RunPython(fill_digests, migrations.RunPython.noop),
    ]
