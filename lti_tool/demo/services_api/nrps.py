"""The demo LMS's Names and Role Provisioning Services: the course roster, paged."""

import json
from urllib.parse import urlencode

from flask import (
    Response,
    request,
)

from lti_tool.demo import platform as demo
from lti_tool.demo.services_api import (
    NRPS_SCOPE,
    bp,
    guard,
    nrps_url,
)

# --- NRPS ------------------------------------------------------------------------------


@bp.get("/nrps/memberships")
def memberships() -> Response:
    problem = guard("nrps", NRPS_SCOPE)
    if problem:
        return problem
    limit = min(max(request.args.get("limit", 2, type=int), 1), 100)
    page = max(request.args.get("page", 1, type=int), 1)
    people = demo.PEOPLE[(page - 1) * limit : page * limit]
    body = {
        "id": nrps_url(),
        "context": {k: demo.COURSE[k] for k in ("id", "label", "title")},
        "members": [
            {
                "status": "Active",
                "user_id": p.id,
                "roles": [p.role],
                "name": p.name,
                "given_name": p.given_name,
                "family_name": p.family_name,
                "email": p.email,
            }
            for p in people
        ],
    }
    response = Response(json.dumps(body), mimetype="application/vnd.ims.lti-nrps.v2.membershipcontainer+json")
    if page * limit < len(demo.PEOPLE):
        next_url = nrps_url() + "?" + urlencode({"limit": limit, "page": page + 1})
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return response
