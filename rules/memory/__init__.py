"""M: memory and the allocator."""


def get_rules():
    from .M001 import MeasuredAllocator
    from .M002 import NoAllocatorInstalled
    from .M003 import PeakMemory
    from .M004 import AllocatorNotPreloaded

    return [MeasuredAllocator, NoAllocatorInstalled, PeakMemory, AllocatorNotPreloaded]
