"""Ctrl-C and SIGTERM while the network trains: training stops at a step, then the interrupt.

The end-to-end side (a SIGTERM'd run ends KILLED, exit 130) is in test_faults.py; here the
signal is sent from inside training, at a known epoch, to the test's own process.
"""

from __future__ import annotations

import os
import signal

import keras
import pytest

from mlflow_lab.faults import interrupts_at_safe_points, signals_as_interrupts
from mnist import MnistParams
from mnist.train import train
from tests.mnist_fixtures import tiny_data

LONG = MnistParams(epochs=1000, batch_size=32, num_hidden_units=16)


class SignalAtEpoch(keras.callbacks.Callback):
    """Send `signum` to this process when epoch `epoch` begins; count the epochs that ended."""

    def __init__(self, signum: int, epoch: int):
        super().__init__()
        self.signum, self.epoch, self.ended = signum, epoch, 0

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.epoch:
            os.kill(os.getpid(), self.signum)

    def on_epoch_end(self, epoch, logs=None):
        self.ended += 1


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_training_within_its_epoch_then_interrupts(signum):
    sender = SignalAtEpoch(signum, epoch=2)
    with signals_as_interrupts(), pytest.raises(KeyboardInterrupt, match=signal.Signals(signum).name):
        train(LONG, tiny_data(), [sender])
    assert sender.ended == 3  # epochs 0 and 1, and the one the signal arrived in
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_an_ignored_signal_stays_ignored():
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # as a sweep's pool worker has it
    try:
        with interrupts_at_safe_points() as interrupted:
            os.kill(os.getpid(), signal.SIGINT)
            assert interrupted() is False
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)
