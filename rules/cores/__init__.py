"""C: threads and cores: how many compute threads, against how many usable cores."""


def get_rules():
    from .C001 import MeasuredThreads
    from .C002 import Oversubscription
    from .C003 import QuotaBelowVisibleCpus
    from .C004 import SmtSiblings
    from .C005 import BusyMachine

    return [MeasuredThreads, Oversubscription, QuotaBelowVisibleCpus, SmtSiblings, BusyMachine]
