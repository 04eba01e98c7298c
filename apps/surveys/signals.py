"""Hooks for the apps above surveys, which surveys never imports (STYLE rule 15).

- `response_submitted(response=...)`: inside the submit's transaction, before the response is
  marked submitted. Scoring stores its score snapshot; a receiver that raises (AnswersMissing)
  refuses the submission and nothing is stored. The response may carry what the submit read
  with it: `answer_points` (question code -> choice points, None for N/A and don't know); and,
  on PostgreSQL, `pending_writes`, a list to which a receiver may add data-modifying
  statements `(sql, params)` that surveys runs inside the submission's own statement.
- `round_closed(round_=...)`: inside the close's transaction. Scoring stores the team aggregates.
- `responses_purging(responses=...)`: inside an organization's purge, just before its rounds'
  responses are deleted in one SQL statement (`round_services.rounds_purge`). Scoring deletes
  its score snapshots of them, which that statement would leave behind.
"""

from django.dispatch import Signal

response_submitted = Signal()
round_closed = Signal()
responses_purging = Signal()
