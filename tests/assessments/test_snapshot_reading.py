"""A stored snapshot and digest are read back through their declaration, version checked."""

import pytest

from assessments.models import Assessment
from assessments.results import result_document
from assessments.services import assessment_start
from scoring import SNAPSHOT_VERSION, SnapshotVersionError, digest_of
from tests.assessments.helpers import submitted

pytestmark = pytest.mark.django_db


def test_a_result_reads_back_its_snapshot_and_digest(individual, catalogue):
    result = submitted(assessment_start(owner=individual, roles=catalogue))
    result.refresh_from_db()

    snapshot = result.read_snapshot()

    assert snapshot["version"] == SNAPSHOT_VERSION
    assert result.read_digest() == digest_of(snapshot)


def test_a_draft_has_no_snapshot_to_read(individual, catalogue):
    draft = assessment_start(owner=individual, roles=catalogue)

    with pytest.raises(Assessment.NotSubmitted):
        draft.read_snapshot()
    assert draft.read_digest() is None


def test_a_stored_shape_of_another_version_is_refused(individual, catalogue):
    result = submitted(assessment_start(owner=individual, roles=catalogue))
    newer = {**result.read_snapshot(), "version": SNAPSHOT_VERSION + 1}
    newer_digest = {**result.read_digest(), "version": SNAPSHOT_VERSION + 1}
    Assessment.objects.filter(pk=result.pk).update(snapshot=newer, digest=newer_digest)
    result.refresh_from_db()

    with pytest.raises(SnapshotVersionError):
        result.read_snapshot()
    with pytest.raises(SnapshotVersionError):
        result.read_digest()
    with pytest.raises(SnapshotVersionError):  # every page and export reads it so
        result_document(result)
