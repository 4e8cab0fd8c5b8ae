"""makemessages that also collects the message ids marked with the project's own markers:
`N_(...)` in pure rule modules (gettext_noop under a short name) and `_refuse(...)` in
services, whose first argument is a message id translated when it is shown."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=N_", "--keyword=_refuse"]
