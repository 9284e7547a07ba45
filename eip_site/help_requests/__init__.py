"""Asking a colleague for help: the request from their profile, the two lists (asked of me, I
asked), the answers, and the termly numbers for leads.

Its pages keep the ``directory.*`` endpoint names and URLs they always had (emails already
sent and bookmarks point at them), so its views are routes on the directory's blueprint:
``register`` must run before the directory registers that blueprint. The ``help_request``
table stays in ``directory.models`` beside the skills it refers to (merging two skills moves
its requests too)."""
