"""Papers and resources: files attached to an agenda item, a meeting, a network (its
resource library) or a review (what the host shares with the team). A file is read by whoever
may see what it belongs to and changed by whoever may edit that (``permissions``); its bytes
live in ``storage``, its kinds are checked on the content (``kinds``)."""

from flask import Blueprint

bp = Blueprint("files", __name__)
