"""L: loading and batching the data."""


def get_rules():
    from .L001 import PaddingAndLayout
    from .L002 import MeasuredLoaderWorkers
    from .L003 import InstancesInMemory
    from .L004 import WorkersWithoutMaxInstances
    from .L005 import ReaderDominates
    from .L006 import MissingDataPath

    return [PaddingAndLayout, MeasuredLoaderWorkers, InstancesInMemory, WorkersWithoutMaxInstances, ReaderDominates,
            MissingDataPath]
