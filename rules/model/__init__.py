"""S: model size and structure (behaviour-changing what-ifs)."""


def get_rules():
    from .S001 import DominantEncoder

    return [DominantEncoder]
