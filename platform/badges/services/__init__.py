"""The catalogue's rules as plain functions (a session and plain values in, a domain error out), one module per
concern; callers use them from here: `from milepost.badges import services; services.save_badge(...)`."""
from __future__ import annotations

from milepost.badges.services.catalogue import (
                                                SORTS,
                                                STATUS_FOR_ME,
                                                CatalogueFilters,
                                                StatusForMe,
                                                catalogue_query,
                                                like_pattern,
                                                load_badge,
                                                prerequisite_met,
                                                prerequisite_row,
                                                prerequisite_rows,
                                                status_for,
                                                strand_counts,
                                                strand_names,
)
from milepost.badges.services.documents import (
                                                MAX_CRITERIA,
                                                MAX_HOURS,
                                                MAX_LEVELS,
                                                MAX_PROMPTS,
                                                MAX_TAGS,
                                                SLUG_RE,
                                                BadgeInvalid,
                                                badge_document,
                                                check_against_catalogue,
                                                clean_badge_document,
                                                cycle_message,
                                                find_cycle,
                                                hours_value,
                                                is_slug,
                                                prerequisite_graph,
                                                slugify,
                                                snapshot,
)
from milepost.badges.services.image_files import (
                                                IMAGE_TYPES,
                                                badge_image_path,
                                                clear_badge_image,
                                                set_badge_image,
                                                sniff_image,
)
from milepost.badges.services.progress import Progress, earner_counts, go_to_people, progress_for
from milepost.badges.services.saving import (
                                                TRANSITIONS,
                                                apply_document,
                                                change_status,
                                                current_version,
                                                duplicate,
                                                load_versions,
                                                publish,
                                                retire,
                                                save_badge,
                                                unused_slug,
                                                version_of,
                                                write_badge,
)
from milepost.badges.services.strands import move_strand, save_collection, save_strand

__all__ = [
    # documents: the exchange format's dictionary and its checks
    "MAX_CRITERIA", "MAX_HOURS", "MAX_LEVELS", "MAX_PROMPTS", "MAX_TAGS", "SLUG_RE", "BadgeInvalid", "badge_document",
    "check_against_catalogue", "clean_badge_document", "cycle_message", "find_cycle", "hours_value", "is_slug",
    "prerequisite_graph", "slugify", "snapshot",
    # saving, status and versions
    "TRANSITIONS", "apply_document", "change_status", "current_version", "duplicate", "load_versions", "publish",
    "retire", "save_badge", "unused_slug", "version_of", "write_badge",
    # uploaded images
    "IMAGE_TYPES", "badge_image_path", "clear_badge_image", "set_badge_image", "sniff_image",
    # strands and collections
    "move_strand", "save_collection", "save_strand",
    # progress, answered by the features above
    "Progress", "earner_counts", "go_to_people", "progress_for",
    # the catalogue as people browse it
    "SORTS", "STATUS_FOR_ME", "CatalogueFilters", "StatusForMe", "catalogue_query", "like_pattern", "load_badge",
    "prerequisite_met", "prerequisite_row", "prerequisite_rows", "status_for", "strand_counts", "strand_names",
]
