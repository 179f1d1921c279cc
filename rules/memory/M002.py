from __future__ import annotations

from .._base import Context, Kind, Rule, Severity


class NoAllocatorInstalled(Rule):
    """No jemalloc or tcmalloc on this machine, so the trials could not try one.

    ## What it does
    Fires when the probes find neither library in the usual library folders.

    ## Why it matters
    A faster allocator is one of the cheapest speed-ups for CPU training (see M001); it can
    only be measured once installed.

    ## Example
    Debian/Ubuntu: `apt-get install libjemalloc2` puts `libjemalloc.so.2` in
    `/usr/lib/x86_64-linux-gnu`.

    ## Fix
    Install one (`apt-get install libjemalloc2` or `libgoogle-perftools4`; conda: `conda install
    jemalloc`), then run the advisor again.

    ## References
    - jemalloc: https://jemalloc.net/ ; gperftools tcmalloc: https://github.com/gperftools/gperftools
    """

    code = "M002"
    title = "no-allocator-installed"
    category = "memory"
    severity = Severity.INFO
    kind = Kind.SPEED

    def check(self, context: Context):
        if context.machine.runtime.allocators:
            return
        yield self.finding(
            "neither jemalloc nor tcmalloc is installed: the allocator could not be measured",
            "Install libjemalloc2 (apt) or jemalloc (conda) and run the advisor again",
            {"searched": "usr/lib, usr/lib64, usr/local/lib, lib (and the Python/conda prefix)"})
