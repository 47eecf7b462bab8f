"""Signals between features, so that a graded activity knows nothing of grade passback.

`activity_graded` is sent by a graded activity (the self-assessment) INSIDE the database
transaction that records the submission, before it commits. Receivers add their own rows
to the same db.session (the grade outbox), so the grade and the submission commit or
roll back together. Receivers must not commit.

    activity_graded.send(
        current_app._get_current_object(),
        launch=launch,                 # lti_tool.models.Launch of the submitting learner
        score_given=7.5,               # float, 0..score_maximum
        score_maximum=10.0,            # float > 0
        comment="...",                 # short text for the gradebook
        source_ref="attempt:42",       # stable id of what was graded (idempotency)
    )
"""

from blinker import Namespace

_signals = Namespace()

activity_graded = _signals.signal("activity-graded")
