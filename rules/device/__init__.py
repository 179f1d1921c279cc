"""D: device settings copied from GPU work that fail or misbehave on CPU."""


def get_rules():
    from .D001 import CudaDeviceWithoutGpu
    from .D002 import DistributedCudaDevices
    from .D003 import AmpOnCpu
    from .D004 import GpuOnlyWrappers

    return [CudaDeviceWithoutGpu, DistributedCudaDevices, AmpOnCpu, GpuOnlyWrappers]
