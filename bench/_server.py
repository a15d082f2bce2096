"""A Milepost served on a free local port in this process, for benchmarks that measure the server.

Prints 'READY <port> <submission id>' once it listens. Run as a separate process so its memory
is measured alone."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from werkzeug.serving import make_server


def main(folder: str) -> None:
    root = Path(folder)
    os.environ["MILEPOST_INSTANCE_PATH"] = str(root / "instance")
    from milepost.accounts.services import save_user
    from milepost.app import create_app
    from milepost.badges import services as badges
    from milepost.evidence import services as evidence
    from milepost.extensions import db

    app = create_app({"DATABASE_URL": f"sqlite:///{root / 'bench.db'}", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "FAST_PASSWORD_HASHING": True, "MAX_FILE_MB": 100,
                      "MAX_SUBMISSION_MB": 500, "UPLOAD_PATH": str(root / "uploads")})
    with app.app_context():
        db.create_all()
        teacher = save_user(db.session, None, actor=None, email="bench@school.example", display_name="Bench",
                            roles=["teacher"], school=None, plcs=[], password="benchmark-password")
        doc = {"slug": "bench", "title": "Bench", "kind": "practice", "strand": None, "level": 1,
               "summary": "A benchmark badge.", "competency": "Uploads a class video.",
               "key_method": "Record and reflect.", "research": "", "resources": "",
               "points": 1, "credit_hours": 1, "estimated_time": "", "tags": [], "prerequisites": [],
               "status": "draft",
               "prompts": [{"kind": "file", "title": "Video", "guidance": "", "required": True}],
               "rubric": {"levels": ["Not yet", "Meets"], "meets_level": "Meets",
                          "criteria": [{"name": "Quality", "descriptions": ["a", "b"]}]}}
        badge = badges.save_badge(db.session, None, doc, actor=None)
        badges.publish(db.session, badge, actor=None)
        submission = evidence.start_badge(db.session, teacher, badge)
        db.session.commit()
        submission_id = submission.id
    server = make_server("127.0.0.1", 0, app, threaded=False)
    print(f"READY {server.server_port} {submission_id}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1])
