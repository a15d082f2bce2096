"""The review chain's rules as plain functions (a session and plain values in, a domain error out), one module
per concern; callers use them from here: `from milepost.reviews import services; services.save_review(...)`.
Every state change still goes through evidence.services.transition; who may do what is in reviews.access."""
from __future__ import annotations

from milepost.reviews.services.calibration import (
                                                   Agreement,
                                                   ReviewerStats,
                                                   agreement,
                                                   anchor_attempt,
                                                   anchors,
                                                   mark_anchor,
                                                   reviewer_stats,
                                                   stage_turnaround,
                                                   unmark_anchor,
)
from milepost.reviews.services.calibration_rounds import (
                                                   MIN_KAPPA_PAIRS,
                                                   AgreementFigures,
                                                   AgreementReport,
                                                   agreed_levels,
                                                   asking_second_scores,
                                                   calibrate,
                                                   calibration_report,
                                                   cohens_kappa,
                                                   double_scoring,
                                                   double_scoring_report,
                                                   figures,
                                                   may_second_score,
                                                   round_result,
                                                   sampled,
                                                   second_score,
                                                   set_agreed_levels,
                                                   set_double_scoring,
)
from milepost.reviews.services.chains import (
                                                   DECIDING,
                                                   DEFAULT_CHAINS,
                                                   MAX_STAGES,
                                                   OPEN,
                                                   chain_for,
                                                   default_chains,
                                                   remove_chain,
                                                   save_chain,
                                                   setting,
                                                   validate_stages,
)

# Not public, but importable from here for the callers that already use it (the generated district).
from milepost.reviews.services.chains import _default_chain as _default_chain
from milepost.reviews.services.claims import active_claims, assign, claim, expire_claims, release
from milepost.reviews.services.decision import (
                                                   SCORED_KINDS,
                                                   ScoreCheck,
                                                   allows_holistic,
                                                   award_judgement,
                                                   deciding_reviews,
                                                   disagreeing_awards,
                                                   judgement_text,
                                                   meets_index,
                                                   meets_problems,
                                                   score_check,
)
from milepost.reviews.services.eligibility import (
                                                   clear_cache,
                                                   eligible_for_page,
                                                   eligible_now,
                                                   eligible_reviewers,
                                                   may_review_anything,
                                                   took_part_or_eligible,
)
from milepost.reviews.services.feedback import DECISION_WORDS, compose_feedback, rubric, show_names, teacher_feedback
from milepost.reviews.services.reminders import ReminderReport, send_reminders, target_days
from milepost.reviews.services.resubmission import (
                                                   EarlierAttempt,
                                                   PromptChange,
                                                   changes_since,
                                                   earlier_attempts,
                                                   word_diff,
)
from milepost.reviews.services.review_queue import (
                                                   SORTS,
                                                   QueueFilters,
                                                   QueueRow,
                                                   by_time_since_sent,
                                                   ensure_tracks,
                                                   overview,
                                                   queue,
)
from milepost.reviews.services.scoring import (
                                                   MAX_TEXT,
                                                   ReviewIncomplete,
                                                   ReviewInput,
                                                   colleagues_reviews,
                                                   draft_review,
                                                   reviews_of,
                                                   save_review,
)

# Not public, but importable from here for the callers that already use it (a test credits one review twice).
from milepost.reviews.services.scoring import _recognise as _recognise
from milepost.reviews.services.track import (
                                                   announce,
                                                   apply_skips,
                                                   events_of,
                                                   follow_transition,
                                                   submission_or_404,
                                                   sync_waiting,
                                                   track_of,
)

__all__ = [
    # chains, and the names every part shares
    "DECIDING", "DEFAULT_CHAINS", "MAX_STAGES", "OPEN", "chain_for", "default_chains", "remove_chain", "save_chain",
    "setting", "validate_stages",
    # eligibility: the one rule of who may review a submission at its stage
    "clear_cache", "eligible_for_page", "eligible_now", "eligible_reviewers", "may_review_anything",
    "took_part_or_eligible",
    # the track: stages entered, skipped and left, following the evidence state machine
    "announce", "apply_skips", "events_of", "follow_transition", "submission_or_404", "sync_waiting", "track_of",
    # claims and assignment
    "active_claims", "assign", "claim", "expire_claims", "release",
    # what the teacher reads
    "DECISION_WORDS", "compose_feedback", "rubric", "show_names", "teacher_feedback",
    # the decision rule: what "meets" needs, and what an award says of how it was judged
    "SCORED_KINDS", "ScoreCheck", "allows_holistic", "award_judgement", "deciding_reviews", "disagreeing_awards",
    "judgement_text", "meets_index", "meets_problems", "score_check",
    # scoring
    "MAX_TEXT", "ReviewIncomplete", "ReviewInput", "colleagues_reviews", "draft_review", "reviews_of", "save_review",
    # a resubmission's context: earlier decisions and reviews, what changed
    "EarlierAttempt", "PromptChange", "changes_since", "earlier_attempts", "word_diff",
    # the queue and the overview
    "SORTS", "QueueFilters", "QueueRow", "by_time_since_sent", "ensure_tracks", "overview", "queue",
    # reminders
    "ReminderReport", "send_reminders", "target_days",
    # calibration and quality
    "Agreement", "ReviewerStats", "agreement", "anchor_attempt", "anchors", "mark_anchor", "reviewer_stats",
    "stage_turnaround", "unmark_anchor",
    # calibration rounds and double-scoring
    "MIN_KAPPA_PAIRS", "AgreementFigures", "AgreementReport", "agreed_levels", "asking_second_scores", "calibrate",
    "calibration_report", "cohens_kappa", "double_scoring", "double_scoring_report", "figures", "may_second_score",
    "round_result", "sampled", "second_score", "set_agreed_levels", "set_double_scoring",
]
