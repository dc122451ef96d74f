from django.db import migrations, models


def digest_of(snapshot):
    # Frozen copy of assessments.results.digest_of as it was when this migration was written.
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
