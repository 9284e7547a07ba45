"""Data the site is filled with, kept apart from the features' runtime code: the default skill
vocabulary (migration 0002 installs it), the demo partnership (``flask seed-demo``) and the
benchmark partnership (``flask seed-bench``). Features never import from here.

Nothing is imported in this file, so the migration's ``seeds.vocabulary`` loads alone."""
