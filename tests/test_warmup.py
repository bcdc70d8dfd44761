"""The server's warm-up yields to a learner's training (issue 30): it pauses while the queue has
work, a learner's training takes over the network it was preparing instead of tracing a second
one, and a job waiting for TensorFlow says so."""

import json
import subprocess
import sys
import threading
import time

import numpy as np

from nncore import ExperimentSpec
from nncore.training import warmup
from nncore.training.job import TrainingJob
from nncore.training.pool import POOL, ModelPool
from tests.helpers import ROOT, wait_until


def test_a_learners_lend_waits_for_the_network_the_warm_up_holds():
    spec = ExperimentSpec.from_dict({"hidden": "6:relu", "epochs": 1, "seed": 2})
    pool = ModelPool()
    warm = pool.lend(spec, background=True)
    said, got = [], []
    learner = threading.Thread(target=lambda: got.append(pool.lend(spec, waiting=lambda: said.append(1))))
    learner.start()
    time.sleep(0.3)
    assert not got and said == [1]  # waiting for it, and said so once
    pool.give_back(warm)
    learner.join(5)
    assert got == [warm] and pool.built == 1  # the same network, traced once
    # reset as a fresh build for the seed would have it
    fresh = ModelPool().lend(spec)
    for a, b in zip(got[0].model.get_weights(), fresh.model.get_weights()):
        np.testing.assert_array_equal(a, b)
    # a network that is not the warm-up's is never waited for: a second learner builds its own
    t = time.perf_counter()
    other = pool.lend(spec)
    assert other is not warm and pool.built == 2 and time.perf_counter() - t < 5


def test_the_warm_up_pauses_for_a_training_and_resumes_after(small_digits, monkeypatch):
    monkeypatch.setattr(warmup, "QUIET_S", 0.3)
    first = ExperimentSpec.from_dict({"hidden": "11:relu,5:relu", "epochs": 1, "train_size": 1000})
    second = ExperimentSpec.from_dict({"hidden": "12:tanh", "epochs": 1, "train_size": 1000})
    monkeypatch.setattr(ExperimentSpec, "from_preset", classmethod(lambda cls, name: {"a": first, "b": second}[name]))
    user = TrainingJob(first.replace(epochs=500), data=small_digits).start()  # a learner trains first
    wait_until(lambda: user.snapshot().epoch >= 1, 60)
    built = POOL.built
    w = warmup.WarmUp(["a", "b"]).start()
    wait_until(lambda: any("paused" in what for _, what in w.log), 30)
    time.sleep(0.5)
    assert w.log[-1][1] == "paused: a training was asked for"  # and stays paused while the learner trains
    user.stop()
    assert user.join(60)
    assert w.done.wait(120)
    what = [entry for _, entry in w.log]
    assert what.index("paused: a training was asked for") < what.index("resumed")
    assert "a: its network is built already" in what  # the learner's network is not traced again
    assert "b: traced (done)" in what
    assert POOL.built - built == 1  # b's only
    assert POOL.knows(second)


def test_a_job_waiting_for_tensorflow_says_so():
    """In a fresh process (TensorFlow not imported): the job's message while it imports; the
    import leaves out what nncore.HIDDEN_FROM_KERAS names, which the process can import later."""
    code = """
import json, time
from nncore import ExperimentSpec
from nncore.training.job import TrainingJob
job = TrainingJob(ExperimentSpec.from_dict({"hidden": "4:relu", "epochs": 1, "train_size": 500})).start()
said = []
while not job.snapshot().finished:
    m = job.snapshot().message
    if m and (not said or said[-1] != m):
        said.append(m)
    time.sleep(0.05)
import sys
imported = [name for name in ("matplotlib", "pandas") if name in sys.modules]
import pandas  # hidden from Keras' import only, not from the rest of the process
print(json.dumps({"said": said, "status": str(job.snapshot().status), "imported": imported}))
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=180)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["status"] == "done"
    loading = [m for m in result["said"] if "loading TensorFlow" in m]
    assert loading and all("s so far" in m for m in loading)
    assert any("tracing its training step" in m for m in result["said"])
    # Keras' optional matplotlib and pandas were left out of the import the learner waited for
    assert result["imported"] == []


def test_packages_hidden_from_kerass_import_stay_importable_by_other_threads_meanwhile():
    """While TensorFlow imports in the background (its thread told that matplotlib and pandas are
    not installed), the main thread imports both for itself, whole; Keras then trains, and the
    garbage collector (off during the import) is on again."""
    code = """
import json, sys, time
import nncore
ready = nncore.import_keras_in_background()
while not any(type(f).__name__ == "_Hidden" for f in sys.meta_path) and not ready.is_set():
    time.sleep(0.001)
during = any(type(f).__name__ == "_Hidden" for f in sys.meta_path)
import matplotlib.colors, pandas
whole = hasattr(pandas, "Series") and hasattr(matplotlib.colors, "to_rgb")
ready.wait(120)
keras = nncore.import_keras()
import numpy as np
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
model.compile("adam", "mse")
model.fit(np.zeros((8, 3)), np.zeros((8, 2)), verbose=0)
import gc, weakref
class Cycle: pass
c = Cycle(); c.me = c; gone = weakref.ref(c); del c
gc.collect()
print(json.dumps({"during": during, "whole": whole, "left": any(type(f).__name__ == "_Hidden" for f in sys.meta_path),
                  "collecting": gc.isenabled(), "frozen": gc.get_freeze_count(), "cycle_collected": gone() is None}))
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert {k: result[k] for k in ("during", "whole", "left")} == {"during": True, "whole": True, "left": False}
    # the garbage collector, off during the import, is on again; the import's own objects (TensorFlow's
    # modules, classes and functions) are frozen out of its passes; new garbage is still collected
    assert result["collecting"] and result["cycle_collected"]
    assert result["frozen"] > 100_000


def test_a_network_traced_once_per_kind_is_not_reported_as_retracing_and_other_functions_still_are():
    """Six kinds of network, each traced once (a server's warm-up traces nine): TensorFlow's "triggered
    tf.function retracing" warning, which reads like a bug in a server's log, is not printed for them;
    a function of the learner's own that retraces at every call is still reported."""
    code = """
import numpy as np
from nncore import ExperimentSpec, import_keras
from nncore.training.pool import POOL
import_keras()
import tensorflow as tf
x = np.random.default_rng(0).random((64, 784), dtype=np.float32)
y = np.arange(64) % 10
for units in (4, 5, 6, 7, 8, 9):
    net = POOL.lend(ExperimentSpec.from_dict({"hidden": f"{units}:relu", "epochs": 1}))
    net.train(x, y, 32)
    net.forward(x[:3])
    net.layer_outputs(x[:3])
    POOL.give_back(net)
print("networks done", flush=True)
import sys
sys.stderr.write("--- own function ---\\n")
double = tf.function(lambda v: v * 2)
for i in range(8):
    double(float(i))  # a Python number: a new trace at every call
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0 and "networks done" in done.stdout, done.stderr[-3000:]
    networks, own = done.stderr.split("--- own function ---")
    assert "retracing" not in networks, networks[-2000:]
    assert "triggered tf.function retracing" in own and "<lambda>" in own, own[-2000:]
