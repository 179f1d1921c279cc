"""N: NUMA and process launch."""


def get_rules():
    from .N001 import NumaNodes
    from .N002 import OpenMpAffinity
    from .N003 import TunedOnAnotherMachine

    return [NumaNodes, OpenMpAffinity, TunedOnAnotherMachine]
