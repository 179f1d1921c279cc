"""A user's model that misbehaves under some thread counts: the trial harness must survive it.

intra-op threads 3: forward raises; 4: forward hangs; 5: forward grows memory without bound;
6: the process segfaults; 7: the process is killed (as by the OOM killer or a user).
"""
import os
import signal
import time

import torch
from allennlp.models import Model
from allennlp.models.basic_classifier import BasicClassifier


@Model.register("advisor_test_faulty")
class FaultyClassifier(BasicClassifier):
    def forward(self, *args, **kwargs):
        threads = torch.get_num_threads()
        if threads == 3:
            raise RuntimeError("boom: this model fails with 3 threads")
        if threads == 4:
            time.sleep(3600)
        if threads == 5:
            hog = []
            while True:  # 256 MiB at a time, touched so it is really resident
                hog.append(torch.ones(64 * 1024 * 1024))
                time.sleep(0.02)
        if threads == 6:
            os.kill(os.getpid(), signal.SIGSEGV)
        if threads == 7:
            os.kill(os.getpid(), signal.SIGKILL)
        return super().forward(*args, **kwargs)
