"""T: predicted training time."""


def get_rules():
    from .T001 import PredictedTime

    return [PredictedTime]
