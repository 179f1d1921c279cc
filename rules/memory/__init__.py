"""M: memory and the allocator."""


def get_rules():
    from .M001 import MeasuredAllocator
    from .M002 import NoAllocatorInstalled
    from .M003 import PeakMemory

    return [MeasuredAllocator, NoAllocatorInstalled, PeakMemory]
