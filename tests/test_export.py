"""The Keras script a learner takes home makes the app's own data: the point sets and the lessons'
data come from nncore.synthetic's source, copied into the script, which runs without nncore; the
digits are split (and cut to a train_size) as the app splits them."""

import subprocess
import sys

import numpy as np

from nncore import ExperimentSpec, Layer
from nncore.data import load_dataset
from nncore.export import keras_code

SMALL = dict(hidden=(Layer(4, "relu"),), epochs=1)
SPECS = {
    "blobs": ExperimentSpec.from_preset("multiclass-lab").replace(epochs=1),
    "moons": ExperimentSpec.from_preset("linear-moons").replace(epochs=1),
    "circles": ExperimentSpec(dataset="circles", **SMALL),
    "xor": ExperimentSpec(dataset="xor", seed=7, **SMALL),
    "spiral": ExperimentSpec(dataset="spiral", points=300, noise=0.35, seed=5, **SMALL),
    "relu-lab": ExperimentSpec.from_preset("relu-lab").replace(epochs=1),
    "scenes": ExperimentSpec.from_preset("scenes-multilabel").replace(epochs=1),
    "scenes-main": ExperimentSpec.from_preset("scenes-multiclass").replace(epochs=1, train_size=600),
    "digits-5k": ExperimentSpec.from_preset("softmax-regression").replace(epochs=1, train_size=500),
    "digits-0-1": ExperimentSpec.from_preset("zero-or-one").replace(epochs=1),
}
ARRAYS = ("X_train", "y_train", "X_val", "y_val")


def test_the_exported_scripts_make_the_apps_arrays_and_run_without_nncore(tmp_path):
    """Each script, run as printed (in one process, where nncore cannot be imported), splits the
    very arrays nncore.data gives the app, bit for bit, and trains."""
    scripts = {}
    for name, spec in SPECS.items():
        code = keras_code(spec)
        assert "nncore" not in code.replace("nncore/synthetic.py", "")  # a comment names the source, nothing imports it
        scripts[name] = tmp_path / f"{name}.py"
        scripts[name].write_text(code)
    driver = tmp_path / "driver.py"
    driver.write_text(
        "import runpy, sys\nimport numpy as np\n"
        "sys.modules['nncore'] = None  # the learner has no nncore\n"
        f"for name, path in {({n: str(p) for n, p in scripts.items()})!r}.items():\n"
        "    g = runpy.run_path(path, run_name='__main__')\n"
        f"    np.savez(path[:-3] + '.npz', **{{k: g[k] for k in {ARRAYS!r}}})\n")
    result = subprocess.run([sys.executable, str(driver)], capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    for name, spec in SPECS.items():
        data = load_dataset(spec)
        with np.load(tmp_path / f"{name}.npz") as made:
            for key, ours in zip(ARRAYS, (data.x_train, data.y_train, data.x_val, data.y_val)):
                assert made[key].dtype == ours.dtype and np.array_equal(made[key], ours), (name, key)
