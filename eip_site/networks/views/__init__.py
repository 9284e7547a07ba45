"""The networks pages, a module a page: network (the list, a network's page, its action plan
and the leads' overview), meeting (a meeting and its agenda), minutes, actions (my actions),
manage (changing a network, its members, decisions and actions). They share loaders from ``permissions`` and nothing from each other."""

from . import actions, answer, answers, manage, meeting, minutes, network, series  # noqa: F401  (each adds its routes to the blueprint)
